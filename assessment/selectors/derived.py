"""Proposals for indicators derived from agreements, for one response."""

import datetime as dt

from django.utils import timezone

from assessment.derived_indicators import DerivedProposal, derived_proposal
from assessment.models import Response
from cities.models import RegionMembership
from cities.selectors import agreement_edges


def reference_date(period: int | None) -> dt.date:
    """Agreements count as of the end of the period, or today while the period runs (or without a period)."""
    today = timezone.localdate()
    return today if period is None else min(dt.date(period, 12, 31), today)


def derived_proposal_for(response: Response) -> DerivedProposal | None:
    rule = response.indicator.derived_from
    if not rule or rule.get("source") != "agreements":
        return None
    city = response.assessment.city_id
    regions = RegionMembership.objects.filter(city_id=city).values_list("region_id", flat=True)
    sizes = [RegionMembership.objects.filter(region_id=region).count() - 1 for region in regions]
    return derived_proposal(
        indicator_type=response.indicator.type,
        rule=rule,
        city=city,
        edges=agreement_edges(city_codes=[city]),
        on=reference_date(response.assessment.period),
        other_members=max(sizes, default=0),
    )
