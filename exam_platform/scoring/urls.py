from django.urls import path

from . import essay_views, policy_views, views

app_name = "scoring"

urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("essays/", essay_views.marking_rounds, name="essay_rounds"),
    path("<slug:code>/", views.status, name="status"),
    path("<slug:code>/score-now", views.score_now, name="score_now"),
    path("<slug:code>/adjustments/", views.adjustments, name="adjustments"),
    path("<slug:code>/adjustments/apply", views.adjustments_apply, name="adjustments_apply"),
    path("<slug:code>/adjustments/items/", views.adjustment_pick, name="adjustment_pick"),
    path(
        "<slug:code>/adjustments/items/<int:form_key>/<int:number>/",
        views.adjustment_item,
        name="adjustment_item",
    ),
    path(
        "<slug:code>/adjustments/<int:adjustment_id>/withdraw",
        views.adjustment_withdraw,
        name="adjustment_withdraw",
    ),
    path("<slug:code>/policy/", policy_views.policy, name="policy"),
    path("<slug:code>/policy/<int:change_id>/apply", policy_views.policy_apply, name="policy_apply"),
    path("<slug:code>/policy/<int:change_id>/withdraw", policy_views.policy_withdraw, name="policy_withdraw"),
    path("<slug:code>/results/", views.results, name="results"),
    path("<slug:code>/results.xlsx", views.results_export, name="results_export"),
    path("<slug:code>/essays/", essay_views.queue, name="essay_queue"),
    path("<slug:code>/essays/overview/", essay_views.overview, name="essay_overview"),
    path(
        "<slug:code>/essays/markers/<int:assignment_id>/remove",
        essay_views.marker_remove,
        name="essay_marker_remove",
    ),
    path("<slug:code>/essays/<slug:essay_code>/", essay_views.mark, name="essay_mark"),
]
