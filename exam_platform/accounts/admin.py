from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.admin import OTPAdminSite

from .account_audit import acting_as
from .models import Candidate, User

# The whole admin sits behind two-factor: django-otp's admin site refuses unverified sessions.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "ระบบสอบออนไลน์ กรุงเทพมหานคร"
admin.site.site_title = "ผู้ดูแลระบบ"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("ประเภท", {"fields": ("kind", "display_name")}))
    list_display = ("username", "display_name", "kind", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "groups")

    def changeform_view(self, request, *args, **kwargs):
        # Role and activation changes made here are audited by account_audit's receivers; this
        # names the administrator who made them.
        with acting_as(request.user, request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with acting_as(request.user, request):  # list_editable and actions
            return super().changelist_view(request, *args, **kwargs)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("national_id", "title", "first_name_th", "last_name_th", "has_disability")
    search_fields = ("national_id", "first_name_th", "last_name_th", "first_name_en", "last_name_en")
    raw_id_fields = ("user",)
