from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exam_platform.publication"
    label = "publication"
    verbose_name = _("การประกาศผล")

    def ready(self):
        from . import checks, signals  # noqa: F401 (registers the deploy check and the receivers)
