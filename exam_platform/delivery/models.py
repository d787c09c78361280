"""Exam rounds, sessions, rosters, seats, check-in, attempts and responses.

The answer path (DESIGN §3) writes Response and ResponseEvent with raw SQL in batches (see
delivery/answers/); the models here describe the tables and are used everywhere else.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.models import Candidate


class ExamRound(models.Model):
    """A recruitment exam round, e.g. การสอบแข่งขันเพื่อบรรจุและแต่งตั้งบุคคลเข้ารับราชการ ครั้งที่ 1/2569.

    `eligibility` (internal selection only) is checked at roster import, e.g.
    {"min_years_of_service": 2, "current_positions": ["นักวิชาการ..."]}.
    """

    class ExamType(models.TextChoices):
        COMPETITIVE = "competitive", _("สอบแข่งขัน")
        INTERNAL_SELECTION = "internal", _("สอบคัดเลือก")
        DISABLED_SELECTION = "disabled", _("คัดเลือกคนพิการ")

    code = models.SlugField(_("รหัสการสอบ"), max_length=60, unique=True)
    title = models.CharField(_("ชื่อการสอบ"), max_length=300)
    exam_type = models.CharField(_("ประเภทการสอบ"), max_length=16, choices=ExamType.choices)
    announcement_number = models.CharField(_("เลขที่ประกาศ"), max_length=60, blank=True)
    eligibility = models.JSONField(_("คุณสมบัติ"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รอบการสอบ")
        verbose_name_plural = _("รอบการสอบ")

    def __str__(self) -> str:
        return self.title


class Position(models.Model):
    round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="positions")
    code = models.SlugField(_("รหัสตำแหน่ง"), max_length=60)
    title = models.CharField(_("ชื่อตำแหน่ง"), max_length=300)
    vacancies = models.PositiveIntegerField(_("อัตราว่าง"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="position_code_unique_in_round")
        ]

    def __str__(self) -> str:
        return self.title


class ExamSession(models.Model):
    """One sitting of a locked paper. Candidates may start between opens_at and the late-entry
    cutoff; an attempt's deadline is start + duration + accommodation + extensions, bounded by
    closes_at unless the candidate's accommodation extends beyond it."""

    round = models.ForeignKey(ExamRound, on_delete=models.PROTECT, related_name="sessions")
    code = models.SlugField(_("รหัสรอบสอบ"), max_length=60)
    title = models.CharField(_("ชื่อรอบสอบ"), max_length=300)
    paper = models.ForeignKey("question_bank.Paper", on_delete=models.PROTECT, related_name="sessions")
    opens_at = models.DateTimeField(_("เริ่มเปิดให้เข้าสอบ"))
    late_entry_until = models.DateTimeField(_("เข้าสอบได้ไม่เกิน"))
    closes_at = models.DateTimeField(_("ปิดการสอบ"))
    duration_minutes = models.PositiveIntegerField(_("เวลาสอบ (นาที)"))
    checkin_opens_at = models.DateTimeField(_("เริ่มยืนยันตัวตน"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รอบสอบ")
        verbose_name_plural = _("รอบสอบ")
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="session_code_unique_in_round")]

    def __str__(self) -> str:
        return self.title


class Room(models.Model):
    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="rooms")
    code = models.SlugField(_("รหัสห้อง"), max_length=40)
    name = models.CharField(_("ห้องสอบ"), max_length=200)
    building = models.CharField(_("อาคาร"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("จำนวนที่นั่ง"))
    position = models.PositiveIntegerField(default=0)
    # The proctors who may open this room's page and check its candidates in (delivery/access.py);
    # set through services.rounds.update_room (audited).
    proctors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="proctored_rooms", verbose_name=_("กรรมการคุมสอบ")
    )

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["session", "code"], name="room_code_unique_in_session")
        ]

    def __str__(self) -> str:
        return self.name


class RosterEntry(models.Model):
    """A candidate registered for a session, with seat, exam number and accommodations.

    accommodations: {"extra_time_percent": 50, "extra_minutes": 0, "beyond_window": false,
                     "large_text": true, "high_contrast": false, "screen_reader": false, "breaks": false}
    """

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="roster")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="roster_entries")
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    application_number = models.CharField(_("เลขที่ใบสมัคร"), max_length=40)
    exam_number = models.CharField(_("เลขประจำตัวสอบ"), max_length=40, blank=True)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="seats")
    seat_number = models.PositiveIntegerField(_("เลขที่นั่ง"), null=True, blank=True)
    accommodations = models.JSONField(_("การอำนวยความสะดวก"), default=dict, blank=True)
    identity_confirmed_at = models.DateTimeField(null=True, blank=True)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รายชื่อผู้เข้าสอบ")
        verbose_name_plural = _("รายชื่อผู้เข้าสอบ")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "candidate"], name="roster_candidate_unique_in_session"
            ),
            models.UniqueConstraint(
                fields=["session", "application_number"], name="roster_application_unique_in_session"
            ),
            models.UniqueConstraint(
                fields=["room", "seat_number"],
                name="roster_seat_unique_in_room",
                condition=models.Q(room__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_number} @ {self.session_id}"

    @property
    def is_checked_in(self) -> bool:
        return self.checked_in_at is not None


class Attempt(models.Model):
    """One candidate's sitting, with its form frozen at start.

    `form` (JSON), frozen when the attempt starts and never changed:
        {"paper": {"code", "version", "digest"}, "form": <form number or 0 for per-candidate>,
         "seed": <int>, "sections": [{"position", "title", "time_limit_minutes",
           "items": [{"uid": "<item uid>", "version": <ItemVersion id>, "points": "1.00",
                      "type": "single", "stem": "<sanitised html>",
                      "choices": [{"uid": "<choice uid>", "html": "..."}]   # in this candidate's order
                     }]}]}
    It holds everything the candidate sees and nothing else: no key, no correctness flag. Grading
    reads keys from the referenced ItemVersion rows by choice uid.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("กำลังสอบ")
        SUBMITTED = "submitted", _("ส่งแล้ว")
        TERMINATED = "terminated", _("ถูกยุติการสอบ")

    class SubmitReason(models.TextChoices):
        CANDIDATE = "candidate", _("ผู้เข้าสอบส่งเอง")
        DEADLINE = "deadline", _("หมดเวลา ระบบส่งอัตโนมัติ")
        PROCTOR = "proctor", _("กรรมการคุมสอบ")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.OneToOneField(RosterEntry, on_delete=models.PROTECT, related_name="attempt")
    seed = models.BigIntegerField()
    form = models.JSONField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    extension_minutes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submit_reason = models.CharField(max_length=16, choices=SubmitReason.choices, blank=True)
    last_seq = models.BigIntegerField(default=0)
    receipt_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("การเข้าสอบ")
        verbose_name_plural = _("การเข้าสอบ")
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_due_idx")]

    def __str__(self) -> str:
        return str(self.uid)


class PreparedForm(models.Model):
    """A candidate's form frozen AHEAD of the start, while they wait in the exam room (issue 4
    §9(a)). The start copies it into the new Attempt inside the database, so at the start instant
    no form passes through Python; the row is deleted then. Same JSON as Attempt.form. Server-only:
    no view or socket reads it, and it is used only while it was frozen from the session's current
    locked paper (paper id and content digest); otherwise the start freezes a new form."""

    entry = models.OneToOneField(RosterEntry, on_delete=models.CASCADE, primary_key=True, related_name="+")
    paper = models.ForeignKey("question_bank.Paper", on_delete=models.CASCADE, related_name="+")
    paper_digest = models.CharField(max_length=64)
    seed = models.BigIntegerField()
    form_number = models.PositiveIntegerField()
    form = models.JSONField()
    prepared_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ชุดข้อสอบที่เตรียมไว้")
        verbose_name_plural = _("ชุดข้อสอบที่เตรียมไว้")

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.seed}"


class Response(models.Model):
    """The current answer to one item of an attempt: newest sequence number wins."""

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="responses")
    item_uid = models.CharField(max_length=36)
    answer = models.JSONField(
        null=True
    )  # {"choice": uid} | {"choices": [...]} | {"value": "..."} | {"text": "..."}
    flagged = models.BooleanField(default=False)
    seq = models.BigIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "item_uid"], name="response_unique_item")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.item_uid}#{self.seq}"


class ResponseEvent(models.Model):
    """Append-only log of every save received (the evidence in a dispute)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="events")
    seq = models.BigIntegerField()
    item_uid = models.CharField(max_length=36)
    answer = models.JSONField(null=True)
    flagged = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    client_time = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=8)  # "ws" | "http"
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "seq"], name="response_event_unique_seq")]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.seq}"
