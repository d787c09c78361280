from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("<slug:code>/", views.status, name="status"),
    path("<slug:code>/score-now", views.score_now, name="score_now"),
    path("<slug:code>/adjustments/", views.adjustments, name="adjustments"),
    path("<slug:code>/adjustments/apply", views.adjustments_apply, name="adjustments_apply"),
    path(
        "<slug:code>/adjustments/<int:adjustment_id>/withdraw",
        views.adjustment_withdraw,
        name="adjustment_withdraw",
    ),
    path("<slug:code>/results/", views.results, name="results"),
    path("<slug:code>/results.xlsx", views.results_export, name="results_export"),
]
