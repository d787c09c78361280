"""Admin for rounds, sessions and rooms (the officer pages cover day-to-day work). Every change made
here is written to the audit log as well; roster entries and attempts are read-only (they change only
through services)."""

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from exam_platform.common.audit import record_audit

from .models import Attempt, ExamRound, ExamSession, Position, Room, RosterEntry


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = "change" if change else "create"
            record_audit(
                f"delivery.admin.{obj._meta.model_name}.{action}",
                request=request,
                obj=obj,
                after={
                    name: value for name, value in model_to_dict(obj).items() if name in form.changed_data
                },
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_audit(f"delivery.admin.{obj._meta.model_name}.delete", request=request, obj=obj)
            super().delete_model(request, obj)


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(ExamRound)
class ExamRoundAdmin(AuditedAdmin):
    list_display = ("title", "code", "exam_type", "announcement_number", "created_at")
    list_filter = ("exam_type",)
    search_fields = ("title", "code")
    inlines = [PositionInline]


@admin.register(ExamSession)
class ExamSessionAdmin(AuditedAdmin):
    list_display = ("title", "round", "opens_at", "late_entry_until", "closes_at", "duration_minutes")
    list_select_related = ("round",)
    search_fields = ("title", "code")
    autocomplete_fields = ("round",)
    raw_id_fields = ("paper",)
    inlines = [RoomInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "exam_number",
        "candidate",
        "application_number",
        "session",
        "room",
        "seat_number",
        "checked_in_at",
    )
    list_select_related = ("candidate", "session", "room")
    list_filter = ("session",)
    search_fields = (
        "exam_number",
        "application_number",
        "candidate__national_id",
        "candidate__first_name_th",
    )


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("uid", "entry", "status", "started_at", "deadline", "submitted_at", "submit_reason")
    list_select_related = ("entry",)
    list_filter = ("status",)
    exclude = ("form",)
