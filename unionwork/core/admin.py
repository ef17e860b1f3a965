from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only (the model and the database triggers refuse changes)."""

    list_display = ("created_at", "username", "ip", "action", "object_repr", "node", "detail")
    list_filter = ("action",)
    search_fields = ("username", "object_repr", "detail", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("node",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
