from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "unionwork.ledgers"
    label = "ledgers"
    verbose_name = "台帐导入导出"
    default_auto_field = "django.db.models.BigAutoField"
