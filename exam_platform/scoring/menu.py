"""Main-menu links of scoring (see exam_platform.common.navigation)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role, staff_with
from exam_platform.common.navigation import NavLink, register

register(
    NavLink(_("ตรวจอัตนัย"), "scoring:essay_rounds", 110, staff_with(Role.EXAMINER)),
    NavLink(_("การให้คะแนน"), "scoring:rounds", 210, staff_with(Role.EXAM_OFFICER, Role.ADMINISTRATOR)),
)
