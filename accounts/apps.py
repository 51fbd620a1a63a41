from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def check_two_factor_roles() -> None:
    """TWO_FACTOR_REQUIRED_ROLES names roles DualSpace has: a typo must not leave administrators without it."""
    from accounts.roles import Role

    unknown = sorted(set(settings.TWO_FACTOR_REQUIRED_ROLES) - set(Role.values))
    if unknown:
        raise ImproperlyConfigured(
            f"TWO_FACTOR_REQUIRED_ROLES names roles DualSpace does not have: {', '.join(unknown)} "
            f"(the roles are {', '.join(Role.values)})."
        )


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        check_two_factor_roles()
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
