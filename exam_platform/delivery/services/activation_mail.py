"""E-mailing activation codes to a session's candidates who have not activated their account yet.

An officer asks (request_activation_emails: audited, one job in the long lane); the job sends each
candidate of the roster who has an e-mail address and no usable password their code, the same code
their admission card prints (recomputed, see accounts.ActivationCode), issuing one first where
theirs expired. Messages go out in batches over one SMTP connection (Django's e-mail API, settings
EMAIL_*); after each batch the job records who has been sent, so a retried job does not mail anyone
twice. Nobody gets a code in an audit entry or a job result.
"""

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from exam_platform.accounts.activation_codes import first_login_url, format_code
from exam_platform.accounts.models import User
from exam_platform.accounts.services.activation import ensure_usable_codes
from exam_platform.common.audit import record_audit
from exam_platform.common.jobs import enqueue_job
from exam_platform.common.jobs.registry import LONG_LANE
from exam_platform.common.models import Job
from exam_platform.common.thai_dates import format_thai_date

from ..models import ExamSession, RosterEntry

EMAIL_CODES_JOB = "delivery.email_activation_codes"
BATCH = 50


def recipients(session: ExamSession):
    """Roster entries whose candidate has an e-mail address and has not activated their account."""
    return (
        RosterEntry.objects.filter(
            session=session,
            candidate__user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
            candidate__user__is_active=True,
        )
        .exclude(candidate__email="")
        .select_related("candidate", "candidate__user", "session__round")
        .order_by("pk")
    )


def request_activation_emails(session: ExamSession, *, actor, request=None) -> Job:
    with transaction.atomic():
        count = recipients(session).count()
        job = enqueue_job(
            EMAIL_CODES_JOB,
            {"session_id": session.pk, "user_id": getattr(actor, "pk", None)},
            max_attempts=3,
            lane=LONG_LANE,
        )
        record_audit(
            "delivery.activation_codes.email_requested",
            actor=actor,
            request=request,
            obj=session,
            after={"job": job.pk, "recipients": count},
        )
    return job


def activation_message(entry: RosterEntry, code: str, expires_at, url: str) -> mail.EmailMessage:
    candidate = entry.candidate
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("รหัสเปิดใช้งานบัญชีผู้สมัครสอบ: %(round)s") % {"round": entry.session.round.title}
        body = _(
            "เรียน %(name)s\n\n"
            "ท่านมีรายชื่อเข้าสอบ %(session)s (เลขประจำตัวสอบ %(exam_number)s)\n"
            "ก่อนเข้าสู่ระบบครั้งแรก โปรดเปิดใช้งานบัญชีที่\n%(url)s\n"
            "กรอกเลขประจำตัวประชาชนและรหัสเปิดใช้งานด้านล่าง แล้วตั้งรหัสผ่านของท่านเอง\n\n"
            "รหัสเปิดใช้งาน: %(code)s\n"
            "ใช้ได้ครั้งเดียว ถึงวันที่ %(expires)s\n\n"
            "อย่าเปิดเผยรหัสนี้แก่ผู้อื่น เจ้าหน้าที่จะไม่ขอรหัสนี้จากท่าน "
            "หากรหัสหมดอายุหรือท่านลืมรหัสผ่าน โปรดติดต่อเจ้าหน้าที่สอบเพื่อขอรหัสใหม่\n"
            "หากท่านไม่ได้สมัครสอบ โปรดละเว้นอีเมลฉบับนี้\n"
        ) % {
            "name": candidate.full_name_th,
            "session": entry.session.title,
            "exam_number": entry.exam_number or "-",
            "url": url,
            "code": format_code(code),
            "expires": format_thai_date(expires_at),
        }
    return mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [candidate.email])


def send_activation_emails(job: Job) -> dict:
    session = ExamSession.objects.select_related("round").get(pk=job.payload["session_id"])
    previous = job.result if isinstance(job.result, dict) else {}
    sent: list[int] = list(previous.get("sent_user_ids") or [])
    entries = [e for e in recipients(session) if e.candidate.user_id not in set(sent)]
    total = len(entries) + len(sent)
    url = first_login_url()
    with mail.get_connection() as connection:
        for start in range(0, len(entries), BATCH):
            batch = entries[start : start + BATCH]
            codes = ensure_usable_codes([e.candidate.user_id for e in batch])
            messages = [
                activation_message(
                    e, codes[e.candidate.user_id].code, codes[e.candidate.user_id].expires_at, url
                )
                for e in batch
            ]
            connection.send_messages(messages)
            sent += [e.candidate.user_id for e in batch]
            Job.objects.filter(pk=job.pk).update(
                result={"phase": "sending", "done": len(sent), "total": total, "sent_user_ids": sent}
            )
    actor = User.objects.filter(pk=job.payload.get("user_id")).first()
    record_audit(
        "delivery.activation_codes.emailed",
        actor=actor,
        obj=session,
        after={"job": job.pk, "sent": len(sent)},
    )
    return {"phase": "done", "done": len(sent), "total": total, "sent": len(sent), "session_id": session.pk}
