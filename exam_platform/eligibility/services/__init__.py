"""Writes of the eligibility app: each function owns its transaction and audit entries."""

from .calls import call_next, expire_overdue_calls, record_call_outcome
from .errors import EligibilityError
from .lists import (
    cancel_eligibility_list,
    create_eligibility_list,
    decide_use_request,
    expire_lists,
    extend_validity,
    request_list_use,
)
from .reporting import confirm_reporting_in, decline_call, upload_reporting_document

__all__ = [
    "EligibilityError",
    "call_next",
    "cancel_eligibility_list",
    "confirm_reporting_in",
    "create_eligibility_list",
    "decide_use_request",
    "decline_call",
    "expire_lists",
    "expire_overdue_calls",
    "extend_validity",
    "record_call_outcome",
    "request_list_use",
    "upload_reporting_document",
]
