from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "exam_platform.accounts"
    label = "accounts"
    verbose_name = "บัญชีผู้ใช้และบทบาท"

    def ready(self) -> None:
        from . import signals  # noqa: F401
