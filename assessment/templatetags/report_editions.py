"""Which editions of a PDF report the request form offers the user."""

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from assessment.models import Framework
from assessment.selectors.reports import may_read_full_edition

register = template.Library()


@register.simple_tag
def full_edition_offered(user: AbstractBaseUser | AnonymousUser, kind: str, city: object, period: object) -> bool:
    """Whether the form offers the full edition: the one services.reports would grant the request.

    Reports are drawn with the default framework's version for the period whatever the dashboard shows,
    so that is the assessment whose readers may have the evidence annex.
    """
    try:
        period = int(period)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    framework = Framework.objects.latest_with_results(period=period)
    if framework is None:
        return False
    return may_read_full_edition(
        user, kind=kind, city_id=getattr(city, "pk", None), period=period, framework_id=framework.pk
    )
