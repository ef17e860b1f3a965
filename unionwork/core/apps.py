from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "unionwork.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import audit, signals  # noqa: F401  (connects the auth signals)

        # Refuse to start with an audit retention below the legal minimum.
        audit.retention_days()
