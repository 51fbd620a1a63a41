"""What every report shares: the region and period it may read, the default framework, figures as SVG.

`city_content`, `region_content` and `audit_content` build the three reports' template contexts.
Figures are the dashboards' Plotly figures, turned into SVG by
`assessment.reports.svg`; every number comes from stored, published
results. The reader is a user (the one who asked for the report): the same
visibility rules as the pages apply.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from assessment.dashboards import panels
from assessment.dashboards.filters import Filters
from assessment.dashboards.headline import compared_region
from assessment.models import Assessment, Framework
from assessment.reports import svg
from assessment.selectors import results as result_selectors
from cities import selectors as city_selectors
from cities.models import City, Region

User = AbstractBaseUser | AnonymousUser
PAGE_WIDTH = 680  # px of an SVG figure across the A4 text block


class ReportUnavailable(Exception):
    """Nothing published to report on; the message says what is missing."""


def _filters(user: User, region: Region, framework: Framework, period: int) -> Filters:
    periods = result_selectors.result_periods(
        region=region, framework=framework, user=user, kind=Assessment.Kind.CONSULTANT
    )
    if period not in periods:
        raise ReportUnavailable(
            _("%(region)s has no published result for %(period)s.") % {"region": region.name, "period": period}
        )
    return Filters(region, framework, Assessment.Kind.CONSULTANT, periods, period, [framework], {}, [])


def _svg(panel: panels.Panel | None, width: int = PAGE_WIDTH, height: int | None = None) -> str | None:
    if panel is None or panel.figure is None:
        return None
    return svg.figure_url(panel.figure, width, height)


def default_framework(period: int | None = None) -> Framework:
    """The deployment's default framework: its latest readable version with published results in ``period``.

    A period published under an earlier version is reported in that version (Framework.objects.latest_with_results).
    """
    framework = Framework.objects.latest_with_results(period=period)
    if framework is None:
        raise ReportUnavailable(_("No framework is published yet."))
    return framework


def city_region(city: City, region_code: str | None = None) -> Region:
    """The region to compare with (see `compared_region`); a region asked for must be one of the city's."""
    region = compared_region(city_selectors.regions_of_city(city), region_code)
    if region_code and (region is None or region.code != region_code):
        raise ReportUnavailable(
            _("%(city)s is not a member of %(region)s.") % {"city": city.name, "region": region_code}
        )
    if region is None:
        raise ReportUnavailable(_("%(city)s belongs to no region.") % {"city": city.name})
    return region
