from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exam_platform.scoring"
    label = "scoring"
    verbose_name = _("การให้คะแนน")

    def ready(self) -> None:
        from . import signals  # noqa: F401
