from django.contrib import admin

from accounts.models import AccountSecurity, DirectoryAccount, LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Administrators see who is being guessed at, and can lift a lock by deleting its rows."""

    list_display = ("username", "ip", "at")
    search_fields = ("username", "ip")
    list_filter = ("at",)
    readonly_fields = ("username", "ip", "at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(admin.ModelAdmin):
    """Who signs in through the directory or the identity provider, and what it last said (read-only: it syncs)."""

    list_display = ("user", "source", "department", "external_id", "synced_at")
    list_filter = ("source",)
    search_fields = ("user__username", "department", "external_id")
    readonly_fields = ("user", "source", "external_id", "department", "synced_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(AccountSecurity)
class AccountSecurityAdmin(admin.ModelAdmin):
    """When each local password last changed; an administrator can make someone choose a new one."""

    list_display = ("user", "password_changed_at", "must_change_password")
    list_filter = ("must_change_password",)
    search_fields = ("user__username",)
    readonly_fields = ("user", "password_changed_at")
    fields = ("user", "password_changed_at", "must_change_password")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
