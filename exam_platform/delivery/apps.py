from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "exam_platform.delivery"
    label = "delivery"
    verbose_name = "การจัดสอบ"
