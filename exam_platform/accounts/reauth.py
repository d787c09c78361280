"""Recent re-authentication: a password re-entry, remembered in the session for a short window.

Sensitive changes (two-factor devices, backup codes) require the password again within
settings.REAUTH_WINDOW_SECONDS, so a session left open on a shared exam-office PC cannot be
used to take over the account's second factor.
"""

import time

from django.conf import settings

REAUTH_SESSION_KEY = "accounts_reauth_at"


def mark_reauthenticated(request) -> None:
    request.session[REAUTH_SESSION_KEY] = time.time()


def is_recently_reauthenticated(request) -> bool:
    stamp = request.session.get(REAUTH_SESSION_KEY)
    if not isinstance(stamp, int | float):
        return False
    age = time.time() - stamp
    return 0 <= age <= settings.REAUTH_WINDOW_SECONDS
