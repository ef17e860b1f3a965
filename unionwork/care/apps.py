from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "unionwork.care"
    label = "care"
    verbose_name = "服务职工"
    default_auto_field = "django.db.models.BigAutoField"
