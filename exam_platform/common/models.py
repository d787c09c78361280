from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    """Audit rows are append-only: bulk changes through the ORM are refused outright."""

    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only: update() is not allowed.")

    def delete(self):
        raise TypeError("Audit entries are append-only: delete() is not allowed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise TypeError("Audit entries are append-only: bulk_update() is not allowed.")


class AuditEntry(models.Model):
    """One append-only, hash-chained audit record.

    `entry_hash` = SHA-256 over the canonical JSON of this entry's fields and `prev_hash` (the
    previous entry's `entry_hash`; 64 zeros for the first). Editing, deleting or inserting any
    row breaks the chain at that point: `manage.py verify_audit` names the first broken entry.
    Rows are written only by exam_platform.common.audit (record_audit(), append_audit_entries());
    the ORM refuses to update or delete them (save() of an existing row, delete(),
    QuerySet.update()/delete()). The actor is PROTECTed: deleting a user would rewrite actor_id in
    old entries; deactivate users instead.
    """

    seq = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("บันทึกการตรวจสอบ")
        verbose_name_plural = _("บันทึกการตรวจสอบ")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit entries are append-only: an existing entry cannot be saved again.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only: delete() is not allowed.")


class Job(models.Model):
    """A unit of background work, claimed by `manage.py run_worker` with a conditional update.

    A claim sets status=running, locked_by and a lease (locked_until). A worker that dies leaves
    its lease to expire; another worker then takes the job again. Handlers must be idempotent.

    `lane` keeps long work from holding back short periodic work: `run_worker` runs one thread per
    lane, each claiming only its own lane's jobs, so a 5,000-row roster import in "long" never
    delays deadline enforcement in "default". A kind's lane is declared with its handler
    (`@job_handler(kind, lane=...)`, exam_platform/common/jobs/registry.py).
    """

    class Lane(models.TextChoices):
        DEFAULT = "default", _("งานสั้นและงานตามรอบเวลา")
        LONG = "long", _("งานยาว")

    class Status(models.TextChoices):
        PENDING = "pending", _("รอดำเนินการ")
        RUNNING = "running", _("กำลังดำเนินการ")
        DONE = "done", _("เสร็จแล้ว")
        FAILED = "failed", _("ล้มเหลว")

    kind = models.CharField(max_length=100)
    lane = models.CharField(max_length=16, choices=Lane.choices, default=Lane.DEFAULT)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    run_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    locked_by = models.CharField(max_length=200, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    result = models.JSONField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("งานเบื้องหลัง")
        verbose_name_plural = _("งานเบื้องหลัง")
        indexes = [
            models.Index(fields=["status", "run_after"], name="job_due_idx"),
            models.Index(fields=["lane", "status", "run_after"], name="job_lane_due_idx"),
            models.Index(fields=["status", "locked_until"], name="job_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} ({self.status})"
