from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "unionwork.activities"
    label = "activities"
    verbose_name = "活动与自身建设"
    default_auto_field = "django.db.models.BigAutoField"
