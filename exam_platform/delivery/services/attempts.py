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
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import Attempt, ExamSession, PreparedForm, Response, ResponseEvent, RosterEntry
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


class LockedPaperCache:
    """What freezing a form reads from a locked paper, kept per process: the paper's frozen forms
    (or per-candidate pool) by (paper id, content digest), and item versions with their choices by
    version id. Both are immutable once the paper is locked (ItemVersion rows are never updated),
    so the cache needs no invalidation; it is bounded and simply cleared when full. Without it every
    start re-read 60 versions and 240 choices (docs/performance.md)."""

    MAX_PAPERS = 32
    MAX_VERSIONS = 20_000

    def __init__(self):
        self._papers: dict[tuple[int, str], tuple[list[dict], object | None]] = {}
        self._versions: dict[int, dict] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._papers.clear()
            self._versions.clear()

    def forms(self, paper) -> tuple[list[dict], object | None]:
        """(contents of forms 1..n in number order, the per-candidate pool or None)."""
        from question_bank.blueprint import frozen_pool
        from question_bank.models import Paper

        key = (paper.pk, paper.content_digest)
        cached = self._papers.get(key) if paper.content_digest else None
        if cached is not None:
            return cached
        if paper.form_mode == Paper.FormMode.PER_CANDIDATE:
            value = ([], frozen_pool(paper))
        else:
            value = ([f.content for f in paper.forms.filter(number__gt=0).order_by("number")], None)
        if paper.content_digest:
            with self._lock:
                if len(self._papers) >= self.MAX_PAPERS:
                    self._papers.clear()
                self._papers[key] = value
        return value

    def versions(self, version_ids: list[int]) -> dict[int, dict]:
        """version id → {"item_type", "stem", "language", "answer_spec", "choices": [{uid, html}]}
        (choices in position order; never a key or correctness flag: only uid and text are read)."""
        from question_bank.models import Choice, ItemVersion

        missing = [pk for pk in set(version_ids) if pk not in self._versions]
        if missing:
            fetched = {
                v["id"]: {**v, "choices": []}
                for v in ItemVersion.objects.filter(pk__in=missing).values(
                    "id", "item_type", "stem", "language", "answer_spec"
                )
            }
            for row in (
                Choice.objects.filter(version_id__in=missing)
                .order_by("version_id", "position")
                .values("version_id", "uid", "text")
            ):
                fetched[row["version_id"]]["choices"].append({"uid": str(row["uid"]), "html": row["text"]})
            with self._lock:
                if len(self._versions) + len(fetched) > self.MAX_VERSIONS:
                    self._versions.clear()
                self._versions.update(fetched)
            return {pk: self._versions.get(pk) or fetched[pk] for pk in version_ids}
        return {pk: self._versions[pk] for pk in version_ids}


locked_papers = LockedPaperCache()


def paper_form_content(paper, seed: int) -> dict:
    """The PaperForm.content this seed picks: the one form (fixed), form seed % form_count + 1
    (parallel), or a per-candidate draw from the pool frozen at lock."""
    from question_bank.blueprint import draw_pool
    from question_bank.models import Paper

    forms, pool = locked_papers.forms(paper)
    if paper.form_mode == Paper.FormMode.PER_CANDIDATE:
        return draw_pool(pool, seed, number=0)
    if not forms:
        raise AttemptError("no_form", _("แบบทดสอบนี้ยังไม่มีชุดข้อสอบ (The paper has no frozen form)."))
    if paper.form_mode == Paper.FormMode.PARALLEL:
        return forms[seed % len(forms)]
    return forms[0]


def freeze_form(paper, seed: int) -> dict:
    """The Attempt.form document (see the Attempt docstring): stems and choices copied from the
    exact item versions, items and choices in this seed's order. Never a key or correctness flag.
    Reads the locked paper through the per-process cache (no query once it is warm)."""
    content = paper_form_content(paper, seed)
    rng = random.Random(seed)
    version_ids = [entry["version"] for section in content["sections"] for entry in section["items"]]
    versions = locked_papers.versions(version_ids)
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
                "choices": list(version["choices"]),
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
        "paper": paper_ref(paper),
        "form": content["form"],
        "seed": seed,
        "sections": sections,
    }


# --- start ------------------------------------------------------------------------------------


def _start_refusal(entry: RosterEntry, now: datetime) -> AttemptError | None:
    """Why this entry may not start now, or None. Only a checked-in candidate inside the entry
    window (opens_at ≤ now ≤ late_entry_until) starts."""
    if entry.checked_in_at is None:
        return AttemptError(
            "not_checked_in",
            _("ต้องยืนยันตัวตนและเช็กอินก่อนเริ่มสอบ (Check in before starting the exam)."),
        )
    session = entry.session
    if now < session.opens_at:
        return AttemptError("not_open", _("ยังไม่ถึงเวลาเริ่มสอบ (The exam has not opened yet)."))
    if now > session.late_entry_until:
        return AttemptError("closed", _("เลยเวลาที่อนุญาตให้เข้าสอบแล้ว (The late-entry time has passed)."))
    return None


def paper_ref(paper) -> dict:
    return {"code": paper.code, "version": paper.version, "digest": paper.content_digest}


def _insert_sql(model, *, on_conflict: str = "", copy_from: str = "") -> tuple[str, list]:
    """An INSERT of one `model` row with %s placeholders, and the fields in parameter order. With
    `copy_from` (a table with the same "form" column and an entry_id), the form is copied from that
    table's row WHERE entry_id = the last parameter. Identifiers come from model metadata only."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name == "id")]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if copy_from:
        select = ", ".join("p.form" if f.name == "form" else "%s" for f in fields)
        sql = f"INSERT INTO {model._meta.db_table} ({columns}) SELECT {select} FROM {copy_from} p"  # noqa: S608
        return sql + " WHERE p.entry_id = %s", [f for f in fields if f.name != "form"]
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks}){on_conflict}", fields  # noqa: S608


def _params(obj, fields) -> list:
    from django.db import connection

    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def prepare_forms(entry_ids: list[int], *, now: datetime | None = None) -> dict[int, PreparedForm]:
    """Freeze the forms of candidates waiting in the exam room, once each (models.PreparedForm), in
    one transaction: entry id → its PreparedForm. A second call — another tab, a restarted server —
    returns the same form; a form frozen from a paper the session no longer uses is replaced. The
    first insert wins (ON CONFLICT DO NOTHING), so concurrent callers all get the same form."""
    from django.db import connection

    now = now or timezone.now()
    entries = {e.pk: e for e in RosterEntry.objects.filter(pk__in=entry_ids).select_related("session__paper")}
    with transaction.atomic():
        result: dict[int, PreparedForm] = {}
        for prepared in PreparedForm.objects.filter(entry_id__in=list(entries)):
            paper = entries[prepared.entry_id].session.paper
            if (prepared.paper_id, prepared.paper_digest) == (paper.pk, paper.content_digest):
                result[prepared.entry_id] = prepared
            else:
                prepared.delete()
        new = []
        for pk, entry in entries.items():
            if pk in result:
                continue
            paper = entry.session.paper
            seed = secrets.randbits(62)
            form = freeze_form(paper, seed)
            new.append(
                PreparedForm(  # by id: entry=entry would cache each in the other, a reference cycle
                    entry_id=pk,  # holding the whole form until a garbage collection
                    paper_id=paper.pk,
                    paper_digest=paper.content_digest,
                    seed=seed,
                    form_number=form["form"],
                    form=form,
                    prepared_at=now,
                )
            )
        if new:
            sql, fields = _insert_sql(PreparedForm, on_conflict=" ON CONFLICT (entry_id) DO NOTHING")
            with connection.cursor() as cursor:
                cursor.executemany(sql, [_params(prepared, fields) for prepared in new])
            seeds = dict(
                PreparedForm.objects.filter(entry_id__in=[p.entry_id for p in new]).values_list(
                    "entry_id", "seed"
                )
            )
            lost = [p.entry_id for p in new if seeds.get(p.entry_id) != p.seed]  # another caller won
            result.update({p.entry_id: p for p in new if p.entry_id not in lost})
            result.update({p.entry_id: p for p in PreparedForm.objects.filter(entry_id__in=lost)})
    return result


def prepare_form(entry_id: int, *, now: datetime | None = None) -> PreparedForm:
    """prepare_forms for one entry."""
    return prepare_forms([entry_id], now=now)[entry_id]


def start_attempts(
    entry_ids: list[int], *, now: datetime | None = None, request=None
) -> dict[int, Attempt | AttemptError]:
    """Start (or resume) the attempts of several roster entries in ONE transaction: entry id → its
    Attempt (new, or the existing one of any status) or the AttemptError saying why not.

    The waiting room starts every socket of a process through one of these per batch
    (delivery.starter); the HTTP start is a batch of one. Entries are locked in id order (FOR
    UPDATE of the entry rows only). A form prepared while the candidate waited (prepare_form) is
    copied into the attempt by the database, and its Attempt object here has form=None; otherwise
    the form is frozen now from the per-process paper cache. The new attempts are inserted with one
    executemany per kind, and the batch gets one audit entry ("attempt.start", per attempt: entry,
    paper, form number, seed, start and deadline) — a batch of one names its attempt and candidate
    like any audited object."""
    from django.db import connection

    now = now or timezone.now()
    results: dict[int, Attempt | AttemptError] = {}
    with transaction.atomic():
        entries = RosterEntry.objects.filter(pk__in=entry_ids).select_related(
            "session__paper", "candidate__user"
        )
        if connection.vendor == "postgresql":
            entries = entries.select_for_update(of=("self",))
        entries = list(entries.order_by("pk"))
        for attempt in Attempt.objects.filter(entry_id__in=[e.pk for e in entries]):
            results[attempt.entry_id] = attempt
        prepared = {
            row["entry_id"]: row
            for row in PreparedForm.objects.filter(entry_id__in=[e.pk for e in entries]).values(
                "entry_id", "paper_id", "paper_digest", "seed", "form_number"
            )
        }
        frozen: list[Attempt] = []
        copied: list[Attempt] = []
        audit: list[tuple[Attempt, dict]] = []
        for entry in entries:
            if entry.pk in results:
                continue
            refusal = _start_refusal(entry, now)
            if refusal is not None:
                results[entry.pk] = refusal
                continue
            paper = entry.session.paper
            deadline = attempt_deadline(entry.session, entry.accommodations, started_at=now)
            ready = prepared.get(entry.pk)
            if ready and (ready["paper_id"], ready["paper_digest"]) == (paper.pk, paper.content_digest):
                attempt = Attempt(
                    entry=entry, seed=ready["seed"], form=None, started_at=now, deadline=deadline
                )
                copied.append(attempt)
                form_number = ready["form_number"]
            else:
                seed = secrets.randbits(62)
                try:
                    form = freeze_form(paper, seed)
                except AttemptError as exc:
                    results[entry.pk] = exc
                    continue
                attempt = Attempt(entry=entry, seed=seed, form=form, started_at=now, deadline=deadline)
                frozen.append(attempt)
                form_number = form["form"]
            results[entry.pk] = attempt
            after = {
                "entry": entry.pk,
                "paper": paper_ref(paper),
                "form": form_number,
                "seed": attempt.seed,
                "started_at": now,
                "deadline": deadline,
            }
            audit.append((attempt, after))
        _insert_attempts(frozen, copied)
        used = [pk for pk in prepared if isinstance(results.get(pk), Attempt)]
        if used:  # a refused entry (e.g. opens_at moved later) keeps its prepared form
            PreparedForm.objects.filter(entry_id__in=used).delete()
        if len(audit) == 1:
            ((attempt, after),) = audit
            record_audit(
                "attempt.start", actor=attempt.entry.candidate.user, request=request, obj=attempt, after=after
            )
        elif audit:
            record_audit(
                "attempt.start",
                request=request,
                object_type="delivery.attempt",
                object_repr=_("เริ่มสอบเมื่อถึงเวลา %(n)d รายการ") % {"n": len(audit)},
                after={"attempts": {str(attempt.uid): after for attempt, after in audit}},
            )
    for pk in entry_ids:
        results.setdefault(pk, AttemptError("not_found", _("ไม่พบรายชื่อผู้เข้าสอบ (No such roster entry).")))
    return results


def _insert_attempts(frozen: list[Attempt], copied: list[Attempt]) -> None:
    """INSERT the new attempts and read their ids back: `frozen` ones with their form as a parameter,
    `copied` ones with the form copied from their PreparedForm row by the database (INSERT …
    SELECT). One executemany each, not bulk_create: on PostgreSQL Django sends a bulk insert as
    UNNEST over arrays, and psycopg's client-side array literal escapes every character of 60
    items' JSON through a regular expression (≈ 16 ms of Python per attempt, measured)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if frozen:
            sql, fields = _insert_sql(Attempt)
            cursor.executemany(sql, [_params(a, fields) for a in frozen])
        if copied:
            sql, fields = _insert_sql(Attempt, copy_from=PreparedForm._meta.db_table)
            cursor.executemany(sql, [[*_params(a, fields), a.entry_id] for a in copied])
    attempts = frozen + copied
    if not attempts:
        return
    ids = dict(
        Attempt.objects.filter(entry_id__in=[a.entry_id for a in attempts]).values_list("entry_id", "id")
    )
    for attempt in attempts:
        attempt.pk = ids[attempt.entry_id]
        attempt._state.adding = False


def start_attempt(entry: RosterEntry, *, now: datetime | None = None, request=None) -> Attempt:
    """Start (or resume) the candidate's attempt. Only a checked-in candidate inside the entry
    window (opens_at ≤ now ≤ late_entry_until) starts one; a second call returns the same attempt."""
    result = start_attempts([entry.pk], now=now, request=request)[entry.pk]
    if isinstance(result, AttemptError):
        raise result
    if result.form is None:  # copied from the form prepared in the waiting room
        result.refresh_from_db(fields=["form"])
    return result


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
    two workers share the work), responses read in one query, all rows updated by one statement
    conditionally on still being in progress, one audit entry per batch. Returns how many were submitted."""
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
            digests = {pk: receipt_digest(uid, answers[pk]) for pk, uid in rows}
            # One UPDATE for the batch (a CASE per column), still conditional on "in progress".
            Attempt.objects.filter(pk__in=ids, status=Attempt.Status.IN_PROGRESS).update(
                status=Attempt.Status.SUBMITTED,
                submit_reason=Attempt.SubmitReason.DEADLINE,
                submitted_at=now,
                receipt_digest=Case(*(When(pk=pk, then=Value(d)) for pk, d in digests.items())),
                last_seq=Case(
                    *(When(pk=pk, then=Value(last_seqs.get(pk, 0))) for pk in ids),
                    output_field=BigIntegerField(),
                ),
            )
            done = set(
                Attempt.objects.filter(
                    pk__in=ids, submitted_at=now, submit_reason=Attempt.SubmitReason.DEADLINE
                ).values_list("pk", flat=True)
            )
            submitted = {str(uid): digests[pk] for pk, uid in rows if pk in done}
            if submitted:
                record_audit(
                    "attempt.auto_submit",
                    object_type="delivery.attempt",
                    object_repr=_("ส่งอัตโนมัติเมื่อหมดเวลา %(n)d รายการ") % {"n": len(submitted)},
                    after={"submitted_at": now, "receipt_digests": submitted},
                )
                attempts_submitted.send(sender=Attempt, attempt_ids=[pk for pk, _uid in rows if pk in done])
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
