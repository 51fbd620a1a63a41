"""What the statistical audit page reads: a framework version, a region, a period and the method's numbers.

The audit is run on the region's published results of one period, scored with
one framework version (`assessment.selectors.results.region_snapshot`), with
that version's method parameters (`Framework.method_parameters()`): the
thresholds the flags use and the Sobol sample size are read there, never
written here.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from assessment.models import Assessment, Framework
from assessment.scoring.method import MethodParameters
from assessment.selectors import results as result_selectors
from cities import selectors as city_selectors
from cities.models import Region


class AuditScopeMissing(Exception):
    """No such framework version or region; the message names what is missing."""


@dataclass(frozen=True)
class AuditScope:
    """One audit's inputs: the version, the region, its periods with results, the period audited."""

    framework: Framework
    region: Region
    periods: list[int]  # latest first
    period: int | None
    method: MethodParameters
    snapshot: result_selectors.RegionSnapshot | None


def audit_scope(
    *,
    user: AbstractBaseUser | AnonymousUser,
    framework_code: str,
    version: str,
    region_code: str,
    period: int | None,
) -> AuditScope:
    """The audit's inputs; the latest period with results unless one is asked for (and exists)."""
    try:
        framework = Framework.objects.readable().get(code=framework_code, version=version)
    except Framework.DoesNotExist:
        raise AuditScopeMissing(f"{framework_code} {version}") from None
    try:
        region = city_selectors.region_by_code(code=region_code)
    except Region.DoesNotExist:
        raise AuditScopeMissing(region_code) from None
    periods = result_selectors.result_periods(
        region=region, framework=framework, user=user, kind=Assessment.Kind.CONSULTANT
    )
    if period not in periods:
        period = periods[0] if periods else None
    snapshot = (
        None
        if period is None
        else result_selectors.region_snapshot(region=region, period=period, framework=framework, user=user)
    )
    return AuditScope(framework, region, list(periods), period, framework.method_parameters(), snapshot)
