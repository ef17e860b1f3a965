from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "unionwork.plans"
    label = "plans"
    verbose_name = "计划、指标与考核"
    default_auto_field = "django.db.models.BigAutoField"
