"""Pass policies, scoring runs, results, key corrections and essay marks.

Scores are computed by the vectorised engine (scoring/engine.py) for a whole round at once and
written here in bulk by services/runs.py. Amounts are Decimals with two places; the engine works
in integer hundredths of a point so that sums are exact and order-independent.

Result.item_scores (JSON): {"<item uid>": {"points": "0.67", "max": "1", "why": "partial"}}, where
`why` is one of engine.WHY (correct, wrong, partial, unanswered, award_all, dropped, essay,
essay_pending, not_presented).
Result.section_scores (JSON): [{"section": 1, "title": "ภาษาไทย", "score": "30", "max": "50"}].
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exam_platform.delivery.models import Attempt, ExamRound, RosterEntry


class PassPolicy(models.Model):
    """How a round is passed and ranked: configuration, never code. Every change bumps `version`
    (and is audited by services/policies.py); a scoring run records the version it used.

    section_minimums: [{"section": 2, "percent": "50"}] or [{"section": 2, "points": "20"}]
      (section = the paper section's position, 1-based).
      An optional "title" records the section's title as the officer chose it in the editor.
    tie_break: [{"by": "section", "section": 2}, {"by": "section", "section": 1},
                {"by": "date_of_birth", "order": "older_first"}, {"by": "application_number"}] —
      applied after the total: higher section score first; lower application / exam number first,
      compared naturally (APP-9 before APP-10); date of birth "older_first" (the earlier birth date
      ranks higher) or "younger_first".
    Essays: `essay_markers` independent marks each (1 or 2). With two, if they differ by more than
      `essay_disagreement_threshold` a third marker marks and the two nearest marks are averaged
      (equally near: the middle mark). See services/essays.py.
    """

    class AbsentTreatment(models.TextChoices):
        ABSENT = "absent", _("ขาดสอบ ไม่จัดอันดับ")
        ZERO = "zero", _("นับเป็นศูนย์คะแนน")

    class TerminatedTreatment(models.TextChoices):
        DISQUALIFY = "disqualify", _("ตัดสิทธิ์ ไม่ผ่าน")
        SCORE = "score", _("ให้คะแนนตามคำตอบที่บันทึกไว้")

    round = models.OneToOneField(ExamRound, on_delete=models.CASCADE, related_name="pass_policy")
    version = models.PositiveIntegerField(default=1)
    min_total_percent = models.DecimalField(
        _("คะแนนรวมขั้นต่ำ (ร้อยละ)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    min_total_points = models.DecimalField(
        _("คะแนนรวมขั้นต่ำ (คะแนน)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    section_minimums = models.JSONField(_("เกณฑ์ขั้นต่ำรายตอน"), default=list, blank=True)
    absent_treatment = models.CharField(
        max_length=16, choices=AbsentTreatment.choices, default=AbsentTreatment.ABSENT
    )
    terminated_treatment = models.CharField(
        max_length=16, choices=TerminatedTreatment.choices, default=TerminatedTreatment.DISQUALIFY
    )
    tie_break = models.JSONField(_("เกณฑ์ตัดสินเมื่อคะแนนเท่ากัน"), default=list, blank=True)
    rank_per_position = models.BooleanField(_("จัดอันดับแยกตามตำแหน่ง"), default=False)
    essay_markers = models.PositiveSmallIntegerField(default=1)
    essay_disagreement_threshold = models.DecimalField(max_digits=6, decimal_places=2, default=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("เกณฑ์การผ่าน")
        verbose_name_plural = _("เกณฑ์การผ่าน")

    def __str__(self) -> str:
        return f"{self.round_id} v{self.version}"


class PolicyChange(models.Model):
    """A change of a round's pass policy after a rank list of the round has been prepared: proposed
    by one exam officer with the diff of who changes pass or rank, applied (policy version + 1 and a
    rescore) by ANOTHER exam officer with a fresh two-factor code (services/policies.py).

    values: the policy fields as services.policies.FIELDS name them, the whole new policy."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("เสนอ")
        APPLIED = "applied", _("ใช้แล้ว")
        WITHDRAWN = "withdrawn", _("ถอนแล้ว")

    round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="policy_changes")
    values = models.JSONField()
    base_version = models.PositiveIntegerField(default=0)
    reason = models.TextField(_("เหตุผล"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("การเปลี่ยนเกณฑ์การผ่าน")
        verbose_name_plural = _("การเปลี่ยนเกณฑ์การผ่าน")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applied_by__isnull=True) | ~models.Q(applied_by=models.F("proposed_by")),
                name="policy_change_two_people",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id} from v{self.base_version} ({self.status})"


class ScoringRun(models.Model):
    """One computation of a round's results, with the digest of everything it read."""

    round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="scoring_runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    policy_version = models.PositiveIntegerField(default=0)
    inputs_digest = models.CharField(max_length=64)
    keys_digest = models.CharField(max_length=64)
    results_digest = models.CharField(max_length=64)
    adjustment_ids = models.JSONField(default=list)
    counts = models.JSONField(default=dict)  # {"scored": n, "absent": n, "terminated": n, ...}
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.round_id} @ {self.started_at:%Y-%m-%d %H:%M} {self.inputs_digest[:12]}"


class Result(models.Model):
    class Status(models.TextChoices):
        SCORED = "scored", _("ให้คะแนนแล้ว")
        ABSENT = "absent", _("ขาดสอบ")
        TERMINATED = "terminated", _("ถูกยุติการสอบ")
        PENDING_MANUAL = "pending_manual", _("รอตรวจอัตนัย")
        IN_PROGRESS = "in_progress", _("ยังสอบไม่เสร็จ")

    entry = models.OneToOneField(RosterEntry, on_delete=models.CASCADE, related_name="result")
    round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="results")
    status = models.CharField(max_length=16, choices=Status.choices)
    total = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    max_total = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    section_scores = models.JSONField(default=list, blank=True)
    item_scores = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    explanation = models.CharField(max_length=500, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    rank_decided_by = models.CharField(max_length=60, blank=True)
    scoring_run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="results")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ผลคะแนน")
        verbose_name_plural = _("ผลคะแนน")
        indexes = [models.Index(fields=["round", "rank"], name="result_round_rank_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.status} {self.total}"


class ItemAdjustment(models.Model):
    """A key correction after the exam. Proposed by one exam officer, previewed as a diff, then
    applied by ANOTHER exam officer who reviewed that diff and typed a fresh two-factor code (or
    withdrawn). The proposer can never apply it: services/adjustments.py refuses, and the database
    refuses too (item_adjustment_two_people).

    item_label: the item as the officer named it ("ตอนที่ 1 ข้อ 7", see item_catalogue.py), kept for
    the lists and the audit trail; item_uid is what the engine uses.

    new_key: for change_key on choice items {"choices": ["<choice uid>", ...]} (single/true_false:
    any listed choice earns the points; multiple: the new correct set); numeric {"value", "tolerance"};
    short {"accepted": [...], "case_sensitive": false}.
    """

    class Action(models.TextChoices):
        VOID_AWARD_ALL = "award_all", _("ยกเลิกข้อ ให้คะแนนทุกคน")
        VOID_DROP = "drop", _("ยกเลิกข้อ ตัดออกจากคะแนนเต็ม")
        CHANGE_KEY = "change_key", _("แก้ไขเฉลย")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("เสนอ")
        APPLIED = "applied", _("ใช้แล้ว")
        WITHDRAWN = "withdrawn", _("ถอนแล้ว")

    round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="item_adjustments")
    item_uid = models.CharField(_("รหัสข้อสอบ"), max_length=36)
    item_label = models.CharField(_("ข้อสอบ"), max_length=120, blank=True)
    action = models.CharField(_("การแก้ไข"), max_length=16, choices=Action.choices)
    new_key = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("เหตุผล"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("การแก้ไขเฉลย")
        verbose_name_plural = _("การแก้ไขเฉลย")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applied_by__isnull=True) | ~models.Q(applied_by=models.F("proposed_by")),
                name="item_adjustment_two_people",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_uid} {self.action} ({self.status})"


class EssayMark(models.Model):
    """One marker's independent mark of one essay. Markers see the attempt's uid only (blind)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="essay_marks")
    item_uid = models.CharField(max_length=36)
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "item_uid", "marker"], name="essay_mark_once_per_marker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.item_uid} {self.points}"


class EssayMarkerAssignment(models.Model):
    """An examiner assigned by an exam officer to mark a round's essays (blind; see essay_queue.py).
    Not a role: the same examiner may mark one round and not another."""

    round = models.ForeignKey(ExamRound, on_delete=models.CASCADE, related_name="essay_marker_assignments")
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ผู้ตรวจอัตนัย")
        verbose_name_plural = _("ผู้ตรวจอัตนัย")
        constraints = [
            models.UniqueConstraint(fields=["round", "marker"], name="essay_marker_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.marker_id}"
