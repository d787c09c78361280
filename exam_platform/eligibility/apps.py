from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exam_platform.eligibility"
    label = "eligibility"
    verbose_name = _("การขึ้นบัญชีและการเรียกรายงานตัว")
