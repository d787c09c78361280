from django.urls import path

from . import activation_views, views, views_people

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("activate/", activation_views.activate, name="activate"),
    path("activate/password/", activation_views.activate_password, name="activate_password"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("two-factor/", views.two_factor_settings, name="two_factor_settings"),
    path("two-factor/reauth/", views.two_factor_reauth, name="two_factor_reauth"),
    path("two-factor/backup-codes/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
    # people: staff accounts and roles, administrators only (views_people.py)
    path("people/", views_people.people_list, name="people"),
    path("people/new/", views_people.person_new, name="person_new"),
    path("people/<int:person_id>/", views_people.person_detail, name="person"),
    path("people/<int:person_id>/roles/grant/", views_people.person_role_grant, name="person_role_grant"),
    path("people/<int:person_id>/roles/revoke/", views_people.person_role_revoke, name="person_role_revoke"),
    path("people/<int:person_id>/deactivate/", views_people.person_deactivate, name="person_deactivate"),
    path("people/<int:person_id>/reactivate/", views_people.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:person_id>/two-factor/reset/",
        views_people.person_reset_two_factor,
        name="person_reset_two_factor",
    ),
]
