"""Candidates' activation codes: issue (one or thousands), find what was typed, activate an account.

A new candidate has no password (an unusable one) and one activation code; with their national ID
and the code they set their own password on the first-login page (accounts/activation_views.py).
An officer issuing a fresh code is how a candidate who forgot their password gets a new one.
Nothing here hashes a password except `activate_account` (once, on the candidate's own request):
issuing 5,000 codes costs two HMACs each. See models.ActivationCode for the design.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exam_platform.accounts.activation_codes import (
    code_digest,
    code_from_nonce,
    digests_match,
    new_nonce,
    normalise_code,
)
from exam_platform.accounts.models import ActivationCode, User
from exam_platform.common.audit import record_audit
from exam_platform.common.national_id import normalise as normalise_national_id


class ActivationError(Exception):
    """The code is no longer usable (used, superseded or expired since it was checked)."""


@dataclass(frozen=True)
class IssuedCode:
    code: str  # ABCDEFGHJK, without dashes (activation_codes.format_code prints it)
    expires_at: dt.datetime


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.ACTIVATION_CODE_DAYS)


def _new_row(user_id: int, now: dt.datetime, issued_by) -> ActivationCode:
    nonce = new_nonce()
    return ActivationCode(
        user_id=user_id,
        nonce=nonce,
        digest=code_digest(code_from_nonce(nonce)),
        created_at=now,
        expires_at=_expiry(now),
        issued_by=issued_by if getattr(issued_by, "pk", None) else None,
    )


def issue_activation_codes(user_ids, *, actor=None) -> int:
    """A fresh code for each user, superseding their open ones; in the caller's transaction, no
    audit entry of its own (the caller's entry, e.g. the roster import's, counts them). Returns
    how many were issued."""
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        ActivationCode.objects.open().filter(user_id__in=user_ids).update(superseded_at=now)
        ActivationCode.objects.bulk_create([_new_row(pk, now, actor) for pk in user_ids], batch_size=1000)
    return len(user_ids)


def issue_activation_code(user: User, *, actor, request=None) -> IssuedCode:
    """An officer issues one candidate a new code (the old one stops working). Audited, no code in it."""
    if not user.is_candidate:
        raise ValueError("activation codes are for candidates only")
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        superseded = list(ActivationCode.objects.open().filter(user=user).values_list("pk", flat=True))
        ActivationCode.objects.filter(pk__in=superseded).update(superseded_at=now)
        row = _new_row(user.pk, now, actor)
        row.save()
        record_audit(
            "accounts.activation_code.issue",
            actor=actor,
            request=request,
            obj=user,
            before={"open_codes": superseded},
            after={
                "code_id": row.pk,
                "expires_at": row.expires_at,
                "has_usable_password": user.has_usable_password(),
            },
        )
    return IssuedCode(code_from_nonce(row.nonce), row.expires_at)


def usable_codes(user_ids) -> dict[int, IssuedCode]:
    """user id -> the code that user can activate with now, recomputed for printing or e-mail."""
    rows = ActivationCode.objects.usable().filter(user_id__in=list(user_ids))
    return {row.user_id: IssuedCode(code_from_nonce(row.nonce), row.expires_at) for row in rows}


def ensure_usable_codes(user_ids, *, actor=None) -> dict[int, IssuedCode]:
    """usable_codes(), after issuing a code to each listed user who has none (expired or used)."""
    user_ids = list(user_ids)
    missing = set(user_ids) - set(
        ActivationCode.objects.usable().filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    if missing:
        issue_activation_codes(sorted(missing), actor=actor)
    return usable_codes(user_ids)


def find_activation_code(national_id: str, raw_code: str) -> ActivationCode | None:
    """The usable code of the candidate with this national ID, if `raw_code` is it; None for a
    wrong, used, superseded or expired code AND for an unknown national ID (the caller cannot
    tell them apart, so neither can someone probing IDs)."""
    code = normalise_code(raw_code)
    digest = code_digest(code)  # computed for unknown IDs too: the same work either way
    rows = ActivationCode.objects.usable().filter(
        user__username=normalise_national_id(national_id or ""),
        user__kind=User.Kind.CANDIDATE,
        user__is_active=True,
        digest=digest,
    )
    row = rows.select_related("user").first()
    if row is None or not digests_match(row.digest, code):
        return None
    return row


def activate_account(code: ActivationCode, *, password: str, request=None) -> User:
    """Use `code` (once) and give its user `password` (already validated). Raises ActivationError
    when the code was used, superseded or expired meanwhile; then nothing changes."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=code.user_id)
        if not code.consume():
            raise ActivationError(code.pk)
        had_password = user.has_usable_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        record_audit(
            "accounts.activation_code.use",
            actor=user,
            request=request,
            obj=user,
            before={"has_usable_password": had_password},
            after={"code_id": code.pk, "has_usable_password": True},
        )
    return user
