"""The password-change page, throttled like the login page (accounts.forms, accounts.throttle)."""

from django.contrib.auth.views import PasswordChangeView

from accounts.forms import ThrottledPasswordChangeForm


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):  # type: ignore[no-untyped-def]
        # The form counts failures by the caller's address too.
        return {**super().get_form_kwargs(), "request": self.request}
