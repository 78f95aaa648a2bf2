from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["organisation", "role", "is_active", "start_date", "end_date", "end_reason"]
    autocomplete_fields = ["organisation"]
    can_delete = False  # a membership is ended, never deleted


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    list_filter = ["is_active", "is_staff"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "phone"]}),
        ("Accès", {"fields": ["is_active", "is_staff", "is_superuser", "oidc_subject"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]
    filter_horizontal = []

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (the logs refer to them)
