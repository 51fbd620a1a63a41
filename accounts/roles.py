"""Who is who: the seven roles of DualSpace and the checks views use.

A role is a Django group. Checks run on the server in every view; hiding a
link is a courtesy, never the protection.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    REVIEWER = "reviewer", _("Reviewer")
    CITY_MANAGER = "city_manager", _("City manager")
    STAKEHOLDER = "stakeholder", _("Stakeholder")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Reads the audit log and nothing else; administrators do not hold it (三员分立, separation of duties).
    AUDITOR = "auditor", _("Auditor")
    # City staff who submit their own city's answers in a campaign, for a consultant to verify.
    RESPONDENT = "respondent", _("City respondent")


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The roles of a user; superusers hold the administrator role."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_dualspace_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        if user.is_superuser:  # type: ignore[union-attr]
            names.add(Role.ADMINISTRATOR)
        cached = frozenset(name for name in names if name in Role.values)
        user._dualspace_roles = cached  # type: ignore[union-attr]
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    """True when the user holds any of the roles (administrators hold all but the auditor's)."""
    held = user_roles(user)
    if any(role in held for role in roles):
        return True
    # The administrator must not read, and so learn to hide, their own trail (MLPS 2.0: 三员分立).
    return Role.ADMINISTRATOR in held and any(role != Role.AUDITOR for role in roles)


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse the view with 403 unless the signed-in user holds one of the roles."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
