"""Main-menu links of delivery (see exam_platform.common.navigation)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role, is_candidate, staff_with
from exam_platform.common.navigation import NavLink, register

register(
    NavLink(_("การสอบของฉัน"), "delivery:candidate_home", 10, is_candidate),
    NavLink(_("การจัดสอบ"), "delivery:rounds", 200, staff_with(Role.EXAM_OFFICER, Role.ADMINISTRATOR)),
    NavLink(_("ห้องสอบของฉัน"), "delivery:my_rooms", 300, staff_with(Role.PROCTOR)),
)
