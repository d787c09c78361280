from django.urls import path

from .views import candidate, officer, reporting

app_name = "eligibility"

urlpatterns = [
    # exam officers
    path("", officer.index, name="officer_index"),
    path("lists/<int:list_id>/", officer.list_detail, name="officer_list"),
    path("lists/<int:list_id>/call", officer.call_next_view, name="call_next"),
    path("lists/<int:list_id>/extend", officer.extend, name="extend"),
    path("lists/<int:list_id>/use-requests", officer.use_request_create, name="use_request_create"),
    path("lists/<int:list_id>/calls.xlsx", officer.export_calls, name="export_calls"),
    path("lists/<int:list_id>/reporting-in/", reporting.reporting_list, name="reporting_list"),
    path("lists/<int:list_id>/reporting-in/check", reporting.check_documents, name="check_documents"),
    path("calls/<int:call_id>/outcome", officer.call_outcome, name="call_outcome"),
    path("use-requests/<int:request_id>/decide", officer.use_request_decide, name="use_request_decide"),
    # candidates
    path("my/", candidate.my_calls, name="my_calls"),
    path("my/<uuid:call_uid>/", candidate.reporting_in, name="reporting_in"),
    path("my/<uuid:call_uid>/confirm", candidate.confirm, name="confirm"),
    path("my/<uuid:call_uid>/decline", candidate.decline, name="decline"),
    # documents (candidate or officer)
    path("documents/<uuid:document_uid>", candidate.document, name="document"),
]
