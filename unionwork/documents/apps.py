from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "unionwork.documents"
    label = "documents"
    verbose_name = "文书与核查"
    default_auto_field = "django.db.models.BigAutoField"
