"""Login and password-change forms that refuse tries while a user name or address is locked (see accounts.throttle)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import ngettext

from accounts import throttle
from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord


def refuse_while_locked(username: str, ip: str | None, request: HttpRequest | None = None) -> None:
    """Refuse a try on a locked user name or address; call it before checking the password."""
    lock = throttle.login_lock(username, ip)
    if lock is None:
        return
    # Checked before the password: a locked account must not confirm a right guess.
    throttle.login_refused_while_locked(username, ip)
    # Never reaches authenticate(), so no auth signal tells the audit log (accounts.sign_in_events).
    record(AuditEvent.SIGN_IN_LOCKED, request=request, actor_name=username, outcome=AuditRecord.Outcome.DENIED)
    raise forms.ValidationError(
        ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            lock.minutes,
        )
        % {"minutes": lock.minutes},
        code="throttled",
    )


class ThrottledLoginMixin:
    def clean(self):  # type: ignore[no-untyped-def]
        username = self.data.get("username", "") if self.data else ""  # type: ignore[attr-defined]
        ip = throttle.client_ip(self.request)  # type: ignore[attr-defined]
        refuse_while_locked(username, ip, self.request)  # type: ignore[attr-defined]
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            # No user: the password was wrong. (A right password refused for another
            # reason, such as a non-staff user on the admin login, is no guess.)
            if getattr(self, "user_cache", None) is None:
                throttle.login_failure_record(username, ip)
            raise
        throttle.login_success_record(username)
        return cleaned


class ThrottledLoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is a password guess too: counted and locked like a sign-in.

    Otherwise a borrowed or stolen session could guess the password here without limit.
    """

    def __init__(self, user, *args, request=None, **kwargs):  # type: ignore[no-untyped-def]
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        username = self.user.get_username()
        ip = throttle.client_ip(self.request)
        refuse_while_locked(username, ip, self.request)
        try:
            old_password = super().clean_old_password()
        except forms.ValidationError:
            throttle.login_failure_record(username, ip)
            record(
                AuditEvent.PASSWORD_CHANGED,
                request=self.request,
                actor=self.user,
                outcome=AuditRecord.Outcome.FAILURE,
                reason="wrong current password",
            )
            raise
        throttle.login_success_record(username)
        return old_password
