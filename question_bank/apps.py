from django.apps import AppConfig


class QuestionBankConfig(AppConfig):
    name = "question_bank"
    verbose_name = "คลังข้อสอบ"
