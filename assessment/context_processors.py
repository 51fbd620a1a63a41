"""Navigation that follows the signed-in user's roles."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role, user_roles
from accounts.two_factor import owes_second_factor
from assessment.models import Notification

# (url name, label, roles that see it; empty means every signed-in user)
NAVIGATION: list[tuple[str, Any, tuple[str, ...]]] = [
    ("home", _("Home"), ()),
    ("assessment:assessment_list", _("Assessments"), (Role.CONSULTANT, Role.REVIEWER, Role.CITY_MANAGER)),
    ("assessment:campaign_list", _("Campaigns"), (Role.REVIEWER,)),
    ("assessment:respond_list", _("Self-submission"), (Role.RESPONDENT,)),
    ("assessment:framework_list", _("Frameworks"), ()),
    ("cities:region_list", _("Regions"), ()),
    ("cities:city_list", _("Cities"), ()),
    ("assessment:compare", _("Compare"), ()),
    ("assessment:report_list", _("Reports"), ()),
    ("cities:agreement_list", _("Agreements"), ()),
    ("admin:index", _("Administration"), (Role.ADMINISTRATOR,)),
    ("audit_log", _("Audit log"), (Role.AUDITOR,)),
]
AUDITOR_NAVIGATION: list[tuple[str, Any, tuple[str, ...]]] = [("audit_log", _("Audit log"), (Role.AUDITOR,))]
RESPONDENT_NAVIGATION: list[tuple[str, Any, tuple[str, ...]]] = [
    ("assessment:respond_list", _("Self-submission"), (Role.RESPONDENT,))
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "user_role_labels": []}
    labels = [Role(role).label for role in Role.values if role in user_roles(user)]
    if owes_second_factor(user) is not None:
        # Every page but the second factor's answers with a redirect until it is given: no menu to click.
        return {"nav_items": [], "user_role_labels": labels}
    # An auditor sees the audit log only, a city respondent their self-submission (accounts.middleware).
    held = user_roles(user)
    shown = (
        AUDITOR_NAVIGATION
        if held == {Role.AUDITOR}
        else RESPONDENT_NAVIGATION
        if held == {Role.RESPONDENT}
        else NAVIGATION
    )
    items = [
        {"url": reverse(name), "label": label, "active": request.path == reverse(name)}
        for name, label, roles in shown
        if not roles or has_role(user, *roles)
    ]
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"nav_items": items, "user_role_labels": labels, "unread_notifications": unread}
