from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The admin site has its own login page; it must be throttled like the app's.
        from django.contrib import admin

        from accounts.forms import ThrottledAdminLoginForm

        admin.site.login_form = ThrottledAdminLoginForm
        # Sign-ins, failures and sign-outs reach the audit log through Django's auth signals (any backend).
        from accounts import sign_in_events

        sign_in_events.connect()
        # Accounts made or (de)activated, role and managed-city changes, and every admin change.
        from accounts import signals

        signals.connect()
