from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("two-factor/", views.two_factor_settings, name="two_factor_settings"),
    path("two-factor/reauth/", views.two_factor_reauth, name="two_factor_reauth"),
    path("two-factor/backup-codes/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
]
