"""Main-menu links of the accounts app (see exam_platform.common.navigation)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.common.navigation import NavLink, register

from .roles import is_staff_user

register(
    NavLink(_("ความปลอดภัยบัญชี"), "accounts:two_factor_settings", 900, is_staff_user),
)
