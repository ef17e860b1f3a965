from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "unionwork.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"
