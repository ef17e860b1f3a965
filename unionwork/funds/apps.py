from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "unionwork.funds"
    label = "funds"
    verbose_name = "经费"
    default_auto_field = "django.db.models.BigAutoField"
