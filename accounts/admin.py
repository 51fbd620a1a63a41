from django.contrib import admin

from accounts.models import LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Administrators see who is being guessed at, and can lift a lock by deleting its rows."""

    list_display = ("username", "ip", "at")
    search_fields = ("username", "ip")
    list_filter = ("at",)
    readonly_fields = ("username", "ip", "at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
