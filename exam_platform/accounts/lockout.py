"""Brute-force lockout (django-axes) hooks: how a login attempt is named and what a locked-out user sees.

Attempts are counted per (username, IP address) (settings.AXES_LOCKOUT_PARAMETERS). A national ID
can be typed many ways (1-2345-67890-12-3, spaces, Thai digits); all spellings of one ID must count
as one username, or an attacker would get five guesses per spelling.
"""

import math

from django.conf import settings
from django.shortcuts import render

from exam_platform.common.national_id import normalise


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the submitted username, national IDs reduced to their 13 digits."""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        raw = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None:
        return None
    raw = str(raw).strip()
    digits = normalise(raw)
    if len(digits) == 13 and digits.isdigit():
        return digits
    return raw


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Thai lockout page, HTTP 429, saying how long to wait."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": minutes},
        status=429,
    )
