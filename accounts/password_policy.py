"""The password policy of local accounts (MLPS 2.0, 身份鉴别: complexity, expiry, no reuse).

- Length: Django's MinimumLengthValidator at PASSWORD_MIN_LENGTH (default 12).
- Complexity: `CharacterClassesValidator`, at least three of the four kinds of
  character (lower-case, upper-case, digits, others), with Django's similarity,
  common-password and all-digits validators.
- No reuse: `PasswordHistoryValidator` refuses any of the last PASSWORD_HISTORY
  (default 5) passwords, compared by their salted hashes.
- Expiry: the passwords of privileged roles (administrator, reviewer, auditor)
  expire PASSWORD_EXPIRY_DAYS (default 90; 0 never) after they were set.
- Forced change: a password an administrator chose for someone else (the admin's
  add-user and change-password forms) must be replaced at its owner's next sign-in.

Django calls every validator's `password_changed` from each save that set a
password (`AbstractBaseUser.save`), whichever way it came (the password page,
the admin, `manage.py changepassword`, code): `PasswordHistoryValidator` keeps
the history and the date there, and reads who set it from the page being served.
Accounts without a usable password (directory users: LDAP, OIDC) are outside
the policy; their directory has its own. `PasswordPolicyMiddleware` sends a
signed-in user whose password expired or must change to the password page.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AccountSecurity, PasswordHistory
from accounts.request_context import current_request
from accounts.roles import Role, user_roles

PRIVILEGED_ROLES = frozenset({Role.ADMINISTRATOR, Role.REVIEWER, Role.AUDITOR})
# Pages a user whose password must change still reaches: the change itself, leaving, the language, the second factor.
OPEN_PAGES = frozenset({"password_change", "password_change_done", "logout", "set_language"})


def character_classes(password: str) -> int:
    """How many of the four kinds of character the password uses: lower-case, upper-case, digits, others."""
    return sum(
        (
            any(ch.islower() for ch in password),
            any(ch.isupper() for ch in password),
            any(ch.isdigit() for ch in password),
            any(not ch.isalnum() for ch in password),
        )
    )


class CharacterClassesValidator:
    """At least ``min_classes`` of the four kinds of character (GB/T 22239-2019 asks for complexity)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        found = character_classes(password)
        if found < self.min_classes:
            raise ValidationError(
                _(
                    "This password uses %(found)d of the four kinds of character (lower-case letters, upper-case "
                    "letters, digits, other signs); use at least %(required)d."
                ),
                code="password_too_simple",
                params={"found": found, "required": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must use at least %(required)d of: lower-case letters, upper-case letters, digits, "
            "other signs."
        ) % {"required": self.min_classes}


class PasswordHistoryValidator:
    """Not one of the user's last ``count`` passwords; keeps the history and the date a password was set."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or self.count <= 0:
            return
        earlier = PasswordHistory.objects.filter(user=user).values_list("encoded", flat=True)[: self.count]
        current = [user.password] if user.password and user.has_usable_password() else []
        if any(check_password(password, encoded) for encoded in [*current, *earlier]):
            raise ValidationError(
                ngettext(
                    "You used this password recently; choose one that is not your last password.",
                    "You used this password recently; choose one that is none of your last %(count)d passwords.",
                    self.count,
                ),
                code="password_reused",
                params={"count": self.count},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password cannot be your last password.",
            "Your password cannot be one of your last %(count)d passwords.",
            self.count,
        ) % {"count": self.count}

    def password_changed(self, password: str, user: Any = None) -> None:
        """Called by Django once a new password is saved: remember it, date it, and say whether it must change."""
        if user is None or user.pk is None or not user.has_usable_password():
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, encoded=user.password, at=now)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: max(self.count, 1)]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
        AccountSecurity.objects.update_or_create(
            user=user, defaults={"password_changed_at": now, "must_change_password": chosen_by_someone_else(user)}
        )


def chosen_by_someone_else(user: Any) -> bool:
    """True when the page being served belongs to another signed-in user (an administrator setting it)."""
    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    return bool(actor is not None and actor.is_authenticated and actor.pk != user.pk)


def password_change_reason(user: Any) -> str | None:
    """Why this user must change their password now (a translated sentence), or None."""
    if not user.is_authenticated or not user.has_usable_password():
        return None
    security = AccountSecurity.objects.filter(user=user).first()
    if security is None:
        # An account from before the policy: its clock starts now rather than locking it out at once.
        AccountSecurity.objects.create(user=user, password_changed_at=timezone.now())
        return None
    if security.must_change_password:
        return _("An administrator set your password. Choose your own password to continue.")
    days = settings.PASSWORD_EXPIRY_DAYS
    if (
        days
        and PRIVILEGED_ROLES & user_roles(user)
        and security.password_changed_at < timezone.now() - timedelta(days=days)
    ):
        return ngettext(
            "Your password is more than %(days)d day old. Choose a new one to continue.",
            "Your password is more than %(days)d days old. Choose a new one to continue.",
            days,
        ) % {"days": days}
    return None


class PasswordPolicyMiddleware:
    """Sends a signed-in user whose password expired or was set by an administrator to the password page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._open(request):
            reason = password_change_reason(user)
            if reason is not None:
                messages.warning(request, reason)
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        # Static files never get here (WhiteNoise, or runserver's static handler, answers them first).
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return True  # the ordinary 404 page
        return name in OPEN_PAGES or name.startswith("two_factor_")
