"""What the start page shows each role: reads only, through the same rules as the other pages.

A city manager sees where each of their cities stands (the stored stage, the
rank with its Monte Carlo interval in the city's smallest region, the trend),
read with the dashboards' selectors so the numbers are the dashboard's; a
consultant their open assignments with progress; a reviewer the assessments
waiting for their review; a stakeholder, who has no assessment, the reports
they asked for.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, QuerySet

from assessment.models import Assessment, Framework, Report
from assessment.selectors.assessments import assessment_dimensions, assessments_visible_to
from assessment.selectors.reports import reports_listed_for
from assessment.selectors.results import (
    PeriodCoverage,
    PeriodResult,
    RankInterval,
    city_results,
    framework_for_results,
    region_results,
)
from cities.models import City, Region
from cities.selectors import regions_of_city

OPEN_STATUSES = (
    Assessment.Status.DRAFT,
    Assessment.Status.RETURNED,
    Assessment.Status.SUBMITTED,
    Assessment.Status.IN_REVIEW,
    Assessment.Status.APPROVED,
)
WAITING_FOR_REVIEW = (Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW)
SHOWN = 10


@dataclass(frozen=True)
class TrendPoint:
    period: int
    stage: str
    stage_name: str
    index_score: float | None


@dataclass(frozen=True)
class CityStanding:
    """A managed city's latest published result, as its dashboard reads it."""

    city: City
    period: int | None = None
    region: Region | None = None
    stage: str = ""
    stage_name: str = ""
    index_score: float | None = None
    rank: int | None = None
    interval: RankInterval | None = None
    ranked: int = 0
    # The region's member cities: with too few of them published the rank is among those alone.
    members: int = 0
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def thin_region(self) -> PeriodCoverage | None:
        """The period's coverage when too few members are published to rank (PeriodCoverage.is_ranked)."""
        if self.period is None or not self.members:
            return None
        coverage = PeriodCoverage(self.period, self.ranked, self.members)
        return None if coverage.is_ranked else coverage


def _stage_names(framework: Framework) -> dict[str, str]:
    return {rung.code: rung.name for rung in framework.stages.all()}


def city_standing(city: City, user: AbstractBaseUser | AnonymousUser) -> CityStanding:
    """The city's own latest published consultant result (not the system's latest period).

    One city published for a new period must not blank another city's start
    page, so the period is the city's own. The rank is the one of
    `region_results` in that period, in the city's smallest region, the region
    its dashboard opens on.
    """
    history: list[PeriodResult] = [
        item for item in city_results(city=city, user=user) if item.kind == Assessment.Kind.CONSULTANT
    ]
    if not history:
        return CityStanding(city=city)
    latest = history[-1]
    try:
        framework = framework_for_results(code=latest.framework_code, version=latest.framework_version)
    except Framework.DoesNotExist:
        return CityStanding(city=city)
    names = _stage_names(framework)
    by_period: dict[int, PeriodResult] = {
        item.period: item for item in history
    }  # a later framework wins, as on the dashboard
    trend = [
        TrendPoint(item.period, item.stage, names.get(item.stage, ""), item.index_score)
        for item in sorted(by_period.values(), key=lambda item: item.period)
    ]
    regions = regions_of_city(city)
    region = regions[0] if regions else None
    rank, interval, ranked, members = None, None, 0, 0
    if region is not None:
        results = region_results(region=region, period=latest.period, framework=framework, user=user)
        row = next((row for row in results.rows if row.city_code == city.code), None)
        if row is not None:
            rank, interval, ranked = row.rank, row.rank_interval, results.ranked_cities
            members = region.cities.count()
    return CityStanding(
        city=city,
        period=latest.period,
        region=region,
        stage=latest.stage,
        stage_name=names.get(latest.stage, ""),
        index_score=latest.index_score,
        rank=rank,
        interval=interval,
        ranked=ranked,
        members=members,
        trend=trend,
    )


@dataclass(frozen=True)
class AssignmentProgress:
    assessment: Assessment
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def _with_progress(assessments: QuerySet[Assessment]) -> list[AssignmentProgress]:
    rows = []
    for assessment in assessments:
        dimensions = assessment_dimensions(assessment)
        rows.append(
            AssignmentProgress(
                assessment,
                sum(dimension.answered for dimension in dimensions),
                sum(dimension.total for dimension in dimensions),
            )
        )
    return rows


def _soonest_first(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.order_by(F("deadline").asc(nulls_last=True), "-period", "city__code")


def open_assignments(user: AbstractBaseUser | AnonymousUser) -> list[AssignmentProgress]:
    """Unpublished assessments the user is a consultant of, soonest deadline first, with progress."""
    if not user.is_authenticated:
        return []
    assigned = assessments_visible_to(user).filter(consultants=user, status__in=OPEN_STATUSES)
    return _with_progress(_soonest_first(assigned)[:SHOWN])


def reviews_waiting(user: AbstractBaseUser | AnonymousUser) -> list[AssignmentProgress]:
    """Submitted or in-review assessments the user is the reviewer of, soonest deadline first."""
    if not user.is_authenticated:
        return []
    waiting = assessments_visible_to(user).filter(reviewer=user, status__in=WAITING_FOR_REVIEW)
    return _with_progress(_soonest_first(waiting)[:SHOWN])


def assessments_in_progress(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assessment]:
    """The unpublished assessments the user may see, latest period first (the administrator's card)."""
    return (
        assessments_visible_to(user).exclude(status=Assessment.Status.PUBLISHED).order_by("-period", "city__code")[:8]
    )


def recent_reports(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Report]:
    """The user's own latest report requests (`reports_listed_for` without everyone's for administrators)."""
    if not user.is_authenticated:
        return Report.objects.none()
    return reports_listed_for(user).filter(requested_by=user).select_related("city__province")[:SHOWN]
