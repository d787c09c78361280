"""Officer pages for candidates' activation codes: a session's overview with "send the codes by
e-mail" (a worker job), and one candidate's page where an officer issues a new code (the old one
stops working) — how a candidate who forgot their password gets a new one. Thin: access.py loads,
one service call writes (accounts.services.activation, services.activation_mail)."""

from django.contrib import messages
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from exam_platform.accounts.activation_codes import first_login_url, format_code
from exam_platform.accounts.models import ActivationCode
from exam_platform.accounts.services.activation import issue_activation_code
from exam_platform.common.models import Job

from .. import access
from ..services.activation_mail import EMAIL_CODES_JOB, request_activation_emails


def _activation_counts(session) -> dict:
    not_activated = Q(candidate__user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    return session.roster.aggregate(
        total=Count("pk"),
        not_activated=Count("pk", filter=not_activated),
        emailable=Count("pk", filter=not_activated & ~Q(candidate__email="")),
    )


def session_activation(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    jobs = Job.objects.filter(kind=EMAIL_CODES_JOB, payload__session_id=session.pk).order_by("-created_at")[
        :5
    ]
    context = {"session": session, "counts": _activation_counts(session), "jobs": jobs}
    return render(request, "delivery/officer/session_activation.html", context)


@require_POST
def session_email_codes(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    counts = _activation_counts(session)
    if not counts["emailable"]:
        messages.error(request, _("ไม่มีผู้เข้าสอบที่ยังไม่เปิดใช้งานบัญชีและมีอีเมล"))
    else:
        request_activation_emails(session, actor=request.user, request=request)
        messages.success(
            request,
            _("กำลังส่งรหัสเปิดใช้งานทางอีเมลถึง %(count)d คน ดูสถานะได้ในหน้านี้") % {"count": counts["emailable"]},
        )
    return redirect("delivery:session_activation", session_id=session.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def entry_activation(request, entry_id):
    entry = access.get_entry_for_officer(request.user, entry_id)
    user = entry.candidate.user
    issued = None
    if request.method == "POST":
        issued = issue_activation_code(user, actor=request.user, request=request)
    latest = ActivationCode.objects.filter(user=user).order_by("-created_at").first()
    context = {
        "entry": entry,
        "activated": user.has_usable_password(),
        "latest": latest,
        "issued_code": format_code(issued.code) if issued else None,
        "issued_until": issued.expires_at if issued else None,
        "first_login_url": first_login_url(),
    }
    return render(request, "delivery/officer/entry_activation.html", context)  # never_cache: no-store
