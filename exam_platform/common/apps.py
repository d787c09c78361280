from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "exam_platform.common"
    label = "common"
    verbose_name = "ระบบกลาง"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("menu")  # each app's menu.py registers its main-menu links
