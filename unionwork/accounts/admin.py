from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "node", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("node",)
    fieldsets = (*BaseUserAdmin.fieldsets, ("工会平台", {"fields": ("display_name", "role", "node")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("工会平台", {"fields": ("display_name", "role", "node")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
