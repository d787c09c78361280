from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Job


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to holders of the model's view permission; nobody adds, changes or deletes here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "action", "actor_repr", "ip_address", "object_type", "object_id")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_id", "object_repr", "actor_repr", "ip_address", "entry_hash")
    date_hierarchy = "created_at"
    list_select_related = False
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("seq", "created_at", "action", "actor", "actor_repr", "ip_address")}),
        (_("วัตถุ"), {"fields": ("object_type", "object_id", "object_repr", "before", "after")}),
        (_("ห่วงโซ่แฮช"), {"fields": ("prev_hash", "entry_hash")}),
    )


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "attempts", "run_after", "locked_by", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("kind", "dedupe_key", "locked_by")
