"""Reports a user sees in their list."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from assessment.models import Report
from assessment.roles import Role, has_role


def reports_listed_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Report]:
    """A user's own requests, newest first; administrators see everyone's.

    Any signed-in user may open any report (they hold published results
    only), but who asked for which report is their own business.
    """
    reports = Report.objects.select_related("city", "region", "framework", "requested_by").order_by("-created_at", "-pk")
    if has_role(user, Role.ADMINISTRATOR):
        return reports
    if not user.is_authenticated:
        return reports.none()
    return reports.filter(requested_by=user)
