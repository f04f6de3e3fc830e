"""Django admin for push tokens (disable one, see when it was last used) and a read-only case list."""

from django.contrib import admin

from .models import Case, CenterApiToken


@admin.register(CenterApiToken)
class CenterApiTokenAdmin(admin.ModelAdmin):
    list_display = ["center", "name", "prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active", "center"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["center", "name", "prefix", "active", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are created with `manage.py create_case_token`, which shows them once


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["case_no", "center", "item_code", "status", "received_at", "completed_at", "completed_on_time"]
    list_filter = ["status", "channel", "center"]
    search_fields = ["case_no"]
    show_full_result_count = False  # never count tens of millions of rows for the pager
    list_select_related = ["center"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
