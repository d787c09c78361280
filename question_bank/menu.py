"""Main-menu links of the question bank (see exam_platform.common.navigation)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role, staff_with
from exam_platform.common.navigation import NavLink, register

register(
    NavLink(_("คลังข้อสอบ"), "qb:home", 100, staff_with(Role.EXAMINER)),
)
