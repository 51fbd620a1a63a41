"""The password-change page, throttled like the login page (accounts.forms, accounts.throttle)."""

from django.contrib.auth.views import PasswordChangeView
from django.http import HttpResponse

from accounts.audit import record
from accounts.forms import ThrottledPasswordChangeForm
from accounts.models import AuditEvent


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):  # type: ignore[no-untyped-def]
        # The form counts failures by the caller's address too.
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: ThrottledPasswordChangeForm) -> HttpResponse:
        """Change the password, and record that this user did (a wrong current password is recorded by the form)."""
        reply = super().form_valid(form)
        record(AuditEvent.PASSWORD_CHANGED, request=self.request, actor=form.user)
        return reply
