from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "exam_platform.common"
    label = "common"
    verbose_name = "ระบบกลาง"
