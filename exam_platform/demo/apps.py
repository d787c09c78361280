from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: `manage.py seed_demo` and `demo_totp`. Knows every app; no app knows it."""

    name = "exam_platform.demo"
    label = "demo"
    verbose_name = "ข้อมูลตัวอย่าง"
