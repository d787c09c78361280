"""Main-menu links of the accounts app (see exam_platform.common.navigation), and of the audit
pages, which live in exam_platform.common (it knows no roles: the link is registered here)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.common.navigation import NavLink, register

from .roles import Role, is_staff_user, staff_with

register(
    NavLink(_("บัญชีเจ้าหน้าที่"), "accounts:people", 800, staff_with(Role.ADMINISTRATOR)),
    NavLink(_("บันทึกการตรวจสอบ"), "audit:log", 810, staff_with(Role.AUDITOR, Role.ADMINISTRATOR)),
    NavLink(_("ความปลอดภัยบัญชี"), "accounts:two_factor_settings", 900, is_staff_user),
)
