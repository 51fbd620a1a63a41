"""The link to a region's statistical audit, shown to the roles that may open it (the view checks again)."""

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse

from accounts.roles import Role, has_role
from assessment.models import Framework

register = template.Library()


@register.simple_tag
def audit_url(user: AbstractBaseUser | AnonymousUser, region_code: str, framework: Framework, period: object) -> str:
    """The audit page of this region, version and period for reviewers and administrators; "" for everyone else."""
    if not has_role(user, Role.REVIEWER) or framework is None:
        return ""
    url = reverse("assessment:region_audit", args=[framework.code, framework.version, region_code])
    return f"{url}?period={period}" if period else url
