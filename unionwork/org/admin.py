from django.contrib import admin

from .models import Node


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "union_name", "kind", "path", "archived_at")
    list_filter = ("kind",)
    search_fields = ("code", "name", "union_name")
    readonly_fields = ("path", "depth")
