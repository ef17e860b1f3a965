from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "unionwork.labour"
    label = "labour"
    verbose_name = "维权"
    default_auto_field = "django.db.models.BigAutoField"
