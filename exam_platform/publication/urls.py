from django.urls import path

from .views import candidate, officer, public

app_name = "publication"

urlpatterns = [
    # the public (no login)
    path("lists/", public.lists_index, name="lists"),
    path("lists/<int:list_id>/v<int:number>/", public.version_page, name="public_version"),
    path("lists/<int:list_id>/v<int:number>/files/<str:kind>", public.version_file, name="public_file"),
    path("verify/", public.verify, name="verify"),
    path("verify/slip/<str:token>/", public.verify_slip, name="verify_slip"),
    # candidates
    path("results/", candidate.results, name="results"),
    path("results/<int:entry_id>/slip.pdf", candidate.slip, name="slip"),
    # exam officers
    path("publication/", officer.index, name="officer_index"),
    path("publication/lists/<int:list_id>/", officer.list_detail, name="officer_list"),
    path("publication/versions/<int:version_id>/", officer.version_detail, name="officer_version"),
    path("publication/versions/<int:version_id>/approve", officer.version_approve, name="officer_approve"),
    path("publication/versions/<int:version_id>/withdraw", officer.version_withdraw, name="officer_withdraw"),
]
