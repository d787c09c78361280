"""Attempts: start (freeze the form and the deadline), submit, extend, and the deadline sweep.

Time rules (DESIGN §4): the deadline is stored and the server owns it.

    deadline = min(started + duration + accommodation + extensions,
                   closes_at + (accommodation if beyond_window else 0) + extensions)

`accommodation` is the roster entry's extra time: extra_time_percent of the duration plus
extra_minutes. At start there are no extensions, which gives exactly "start + duration +
accommodation, bounded by the session window unless the accommodation says otherwise".
An extension (extend_attempt: a proctor's or officer's audited decision, e.g. after a power cut)
moves both terms: it gives back lost time, so it must also reach a late starter whose deadline
is the end of the window — otherwise it would silently do nothing for them.

Saves are refused after deadline + settings.ANSWER_GRACE_SECONDS (delivery/answers/); the worker's
periodic job "delivery.enforce_deadlines" submits attempts past that point (submit_expired_attempts),
with every bit of state in the database, so a restarted worker simply carries on.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import Attempt, ExamSession, Response, ResponseEvent, RosterEntry
from ..signals import attempts_submitted

MAX_EXTENSION_MINUTES = 24 * 60
SWEEP_BATCH_SIZE = 500


class AttemptError(Exception):
    """A refused attempt operation; `code` says why ("not_checked_in", "not_open", "closed", ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- deadline ---------------------------------------------------------------------------------


def accommodation_minutes(session: ExamSession, accommodations: dict | None) -> float:
    """Extra minutes from the roster accommodations: a percentage of the duration and/or minutes."""
    acc = accommodations or {}
    percent = _number(acc.get("extra_time_percent"))
    minutes = _number(acc.get("extra_minutes"))
    return session.duration_minutes * percent / 100 + minutes


def _number(value) -> float:
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        return 0.0
    return max(number, 0.0)


def attempt_deadline(
    session: ExamSession, accommodations: dict | None, *, started_at: datetime, extension_minutes: int = 0
) -> datetime:
    """The deadline rule of the module docstring."""
    extra = timedelta(minutes=accommodation_minutes(session, accommodations))
    extension = timedelta(minutes=extension_minutes)
    own = started_at + timedelta(minutes=session.duration_minutes) + extra + extension
    window_end = session.closes_at + (extra if (accommodations or {}).get("beyond_window") else timedelta())
    return min(own, window_end + extension)


# --- the frozen form --------------------------------------------------------------------------


def paper_form_content(paper, seed: int) -> dict:
    """The PaperForm.content this seed picks: the one form (fixed), form seed % form_count + 1
    (parallel), or a per-candidate draw from the pool frozen at lock."""
    from question_bank.blueprint import draw_candidate_form
    from question_bank.models import Paper

    if paper.form_mode == Paper.FormMode.PER_CANDIDATE:
        return draw_candidate_form(paper, seed)
    forms = list(paper.forms.filter(number__gt=0).order_by("number"))
    if not forms:
        raise AttemptError("no_form", _("แบบทดสอบนี้ยังไม่มีชุดข้อสอบ (The paper has no frozen form)."))
    if paper.form_mode == Paper.FormMode.PARALLEL:
        return forms[seed % len(forms)].content
    return forms[0].content


def freeze_form(paper, seed: int) -> dict:
    """The Attempt.form document (see the Attempt docstring): stems and choices copied from the
    exact item versions, items and choices in this seed's order. Never a key or correctness flag:
    only choice uid and html are read from Choice rows (two queries for all versions)."""
    from question_bank.models import Choice, ItemVersion

    content = paper_form_content(paper, seed)
    rng = random.Random(seed)
    version_ids = [entry["version"] for section in content["sections"] for entry in section["items"]]
    versions = {
        v["id"]: v
        for v in ItemVersion.objects.filter(pk__in=version_ids).values(
            "id", "item_type", "stem", "language", "answer_spec"
        )
    }
    choices: dict[int, list[dict]] = {}
    for row in (
        Choice.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position")
        .values("version_id", "uid", "text")
    ):
        choices.setdefault(row["version_id"], []).append({"uid": str(row["uid"]), "html": row["text"]})
    sections = []
    for section in content["sections"]:
        entries = list(section["items"])
        if section.get("shuffle_items"):
            rng.shuffle(entries)
        items = []
        for entry in entries:
            version = versions[entry["version"]]
            item = {
                "uid": str(entry["item"]),
                "version": entry["version"],
                "points": entry["points"],
                "type": version["item_type"],
                "stem": version["stem"],
                "language": version["language"] or "th",
                "choices": list(choices.get(entry["version"], [])),
            }
            if section.get("shuffle_choices"):
                rng.shuffle(item["choices"])
            max_words = (version["answer_spec"] or {}).get("max_words") if item["type"] == "essay" else None
            if max_words:
                item["max_words"] = int(max_words)  # shown to the candidate; not a key
            items.append(item)
        sections.append(
            {
                "position": section["position"],
                "title": section["title"],
                "time_limit_minutes": section.get("time_limit_minutes"),
                "items": items,
            }
        )
    return {
        "paper": {"code": paper.code, "version": paper.version, "digest": paper.content_digest},
        "form": content["form"],
        "seed": seed,
        "sections": sections,
    }


# --- start ------------------------------------------------------------------------------------


def start_attempt(entry: RosterEntry, *, now: datetime | None = None, request=None) -> Attempt:
    """Start (or resume) the candidate's attempt. Only a checked-in candidate inside the entry
    window (opens_at ≤ now ≤ late_entry_until) starts one; a second call returns the same attempt."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = (
            RosterEntry.objects.select_for_update()
            .select_related("session__paper", "candidate__user")
            .get(pk=entry.pk)
        )
        existing = Attempt.objects.filter(entry=entry).first()
        if existing is not None:
            return existing
        if entry.checked_in_at is None:
            raise AttemptError(
                "not_checked_in",
                _("ต้องยืนยันตัวตนและเช็กอินก่อนเริ่มสอบ (Check in before starting the exam)."),
            )
        session = entry.session
        if now < session.opens_at:
            raise AttemptError("not_open", _("ยังไม่ถึงเวลาเริ่มสอบ (The exam has not opened yet)."))
        if now > session.late_entry_until:
            raise AttemptError("closed", _("เลยเวลาที่อนุญาตให้เข้าสอบแล้ว (The late-entry time has passed)."))
        seed = secrets.randbits(62)
        form = freeze_form(session.paper, seed)
        deadline = attempt_deadline(session, entry.accommodations, started_at=now)
        attempt = Attempt.objects.create(entry=entry, seed=seed, form=form, started_at=now, deadline=deadline)
        record_audit(
            "attempt.start",
            actor=entry.candidate.user,
            request=request,
            obj=attempt,
            after={
                "entry": entry.pk,
                "paper": form["paper"],
                "form": form["form"],
                "seed": seed,
                "started_at": now,
                "deadline": deadline,
            },
        )
    return attempt


# --- receipt ----------------------------------------------------------------------------------


def receipt_document(attempt_uid, answers: dict[str, object]) -> bytes:
    """The canonical JSON the receipt digest is taken over: the attempt and item uid → answer
    (answered items only), keys sorted, no spaces, UTF-8. Printed on the receipt so that anyone
    can recompute the digest."""
    document = {"attempt": str(attempt_uid), "responses": {k: v for k, v in answers.items() if v is not None}}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt_digest(attempt_uid, answers: dict[str, object]) -> str:
    return hashlib.sha256(receipt_document(attempt_uid, answers)).hexdigest()


def final_answers(attempt_ids: list[int]) -> dict[int, dict[str, object]]:
    """attempt id → {item uid: answer} from the current responses (one query)."""
    answers: dict[int, dict[str, object]] = {pk: {} for pk in attempt_ids}
    for attempt_id, item_uid, answer in Response.objects.filter(attempt_id__in=attempt_ids).values_list(
        "attempt_id", "item_uid", "answer"
    ):
        answers[attempt_id][item_uid] = answer
    return answers


# --- submit -----------------------------------------------------------------------------------


def submit_attempt(
    attempt: Attempt, *, reason: str = Attempt.SubmitReason.CANDIDATE, actor=None, now=None, request=None
) -> Attempt:
    """Submit an in-progress attempt (idempotent: a submitted one is returned unchanged).

    The row lock waits for save batches in flight (they hold it FOR SHARE), so the receipt covers
    every save that was acked; a save arriving after this commits is refused with "submitted"."""
    now = now or timezone.now()
    with transaction.atomic():
        fresh = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if fresh.status != Attempt.Status.IN_PROGRESS:
            return fresh
        digest = receipt_digest(fresh.uid, final_answers([fresh.pk])[fresh.pk])
        last_seq = ResponseEvent.objects.filter(attempt=fresh).aggregate(m=Max("seq"))["m"] or 0
        fresh.status = Attempt.Status.SUBMITTED
        fresh.submit_reason = reason
        fresh.submitted_at = now
        fresh.receipt_digest = digest
        fresh.last_seq = last_seq
        fresh.save(update_fields=["status", "submit_reason", "submitted_at", "receipt_digest", "last_seq"])
        record_audit(
            "attempt.submit",
            actor=actor,
            request=request,
            obj=fresh,
            before={"status": Attempt.Status.IN_PROGRESS},
            after={"status": fresh.status, "reason": reason, "submitted_at": now, "receipt_digest": digest},
        )
        attempts_submitted.send(sender=Attempt, attempt_ids=[fresh.pk])
    return fresh


def submit_expired_attempts(*, now=None, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Submit every in-progress attempt whose deadline + grace has passed (reason "deadline").

    Batches of `batch_size`, each one transaction: rows are locked (SKIP LOCKED on PostgreSQL, so
    two workers share the work), responses read in one query, each row updated conditionally on
    still being in progress, one audit entry per batch. Returns how many were submitted."""
    from django.db import connection

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ANSWER_GRACE_SECONDS)
    skip_locked = connection.vendor == "postgresql"
    total = 0
    while True:
        with transaction.atomic():
            due = Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=cutoff).order_by(
                "deadline", "id"
            )
            if skip_locked:
                due = due.select_for_update(skip_locked=True)
            rows = list(due.values_list("id", "uid")[:batch_size])
            if not rows:
                return total
            ids = [pk for pk, _uid in rows]
            answers = final_answers(ids)
            last_seqs = dict(
                ResponseEvent.objects.filter(attempt_id__in=ids)
                .values("attempt_id")
                .annotate(m=Max("seq"))
                .values_list("attempt_id", "m")
            )
            submitted = {}
            for pk, uid in rows:
                digest = receipt_digest(uid, answers[pk])
                changed = Attempt.objects.filter(pk=pk, status=Attempt.Status.IN_PROGRESS).update(
                    status=Attempt.Status.SUBMITTED,
                    submit_reason=Attempt.SubmitReason.DEADLINE,
                    submitted_at=now,
                    receipt_digest=digest,
                    last_seq=last_seqs.get(pk, 0),
                )
                if changed:
                    submitted[str(uid)] = digest
            if submitted:
                record_audit(
                    "attempt.auto_submit",
                    object_type="delivery.attempt",
                    object_repr=_("ส่งอัตโนมัติเมื่อหมดเวลา %(n)d รายการ") % {"n": len(submitted)},
                    after={"submitted_at": now, "receipt_digests": submitted},
                )
                attempts_submitted.send(
                    sender=Attempt, attempt_ids=[pk for pk, uid in rows if str(uid) in submitted]
                )
            total += len(submitted)
        if len(rows) < batch_size:
            return total


# --- extend -----------------------------------------------------------------------------------


def extend_attempt(attempt: Attempt, minutes: int, *, actor, reason: str, request=None) -> Attempt:
    """Give an in-progress attempt `minutes` more (proctors, officers); audited with the reason."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= MAX_EXTENSION_MINUTES:
        raise AttemptError(
            "invalid",
            _("จำนวนนาทีต้องเป็น 1–%(m)d (Minutes must be 1–%(m)d).") % {"m": MAX_EXTENSION_MINUTES},
        )
    reason = (reason or "").strip()
    if not reason:
        raise AttemptError("invalid", _("กรุณาระบุเหตุผล (A reason is required)."))
    with transaction.atomic():
        fresh = Attempt.objects.select_for_update().select_related("entry__session").get(pk=attempt.pk)
        if fresh.status != Attempt.Status.IN_PROGRESS:
            raise AttemptError(
                "submitted", _("การสอบนี้ส่งแล้ว ขยายเวลาไม่ได้ (The attempt was already submitted).")
            )
        before = {"deadline": fresh.deadline, "extension_minutes": fresh.extension_minutes}
        fresh.extension_minutes += minutes
        fresh.deadline = attempt_deadline(
            fresh.entry.session,
            fresh.entry.accommodations,
            started_at=fresh.started_at,
            extension_minutes=fresh.extension_minutes,
        )
        fresh.save(update_fields=["extension_minutes", "deadline"])
        record_audit(
            "attempt.extend",
            actor=actor,
            request=request,
            obj=fresh,
            before=before,
            after={
                "deadline": fresh.deadline,
                "extension_minutes": fresh.extension_minutes,
                "reason": reason,
            },
        )
    return fresh
