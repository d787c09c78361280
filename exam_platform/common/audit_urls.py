from django.urls import path

from . import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_log, name="log"),
    path("entries/<int:seq>/", audit_views.audit_entry, name="entry"),
    path("verify/", audit_views.audit_verify, name="verify"),
    path("export.csv", audit_views.audit_export, name="export"),
]
