"""Reads the regional synthesis needs beyond the snapshot: stored gaps, sub-regions' members, the last publication.

The synthesis itself is `assessment.insight.synthesis` (pure) and its panels
`assessment.dashboards.synthesis_panels`; both the region dashboard and the
regional report read through here, so neither queries the ORM.
"""

import datetime as dt

from assessment.models import Assessment, AssessmentResult
from assessment.selectors.results import RegionSnapshot
from cities import selectors as city_selectors
from cities.models import Region, RegionMembership


def gap_dimensions(snapshot: RegionSnapshot, dimension_of: dict[str, str]) -> dict[str, list[str]]:
    """Per city, the dimensions of the indicators in its stored gap to the next stage, in plan order."""
    gaps = AssessmentResult.objects.filter(assessment_id__in=list(snapshot.assessment_ids.values())).values_list(
        "assessment__city_id", "gap"
    )
    return {
        city: [
            dimension_of[step["indicator"]]
            for step in (gap or {}).get("improvements", [])
            if step.get("indicator") in dimension_of
        ]
        for city, gap in gaps
    }


def subregion_members(region: Region) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The region's sub-regions (`cities.selectors.subregions`): their member cities' codes, and their names."""
    subregions = city_selectors.subregions(region)
    members: dict[str, list[str]] = {sub.code: [] for sub in subregions}
    for code, city in RegionMembership.objects.filter(region__in=subregions).values_list("region_id", "city_id"):
        members[code].append(city)
    return members, {sub.code: sub.name for sub in subregions}


def last_published(snapshot: RegionSnapshot) -> dt.datetime | None:
    """When the latest of the snapshot's assessments was published; None if none says."""
    return (
        Assessment.objects.filter(pk__in=list(snapshot.assessment_ids.values()))
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
