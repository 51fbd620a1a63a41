"""Reads of published results: a region's cities in one period, one city over time.

Every read goes through `assessments_visible_to`, so the API shows what the
pages show. Only the latest published revision counts: an assessment whose
correction (`replaced_by`) is published is left out; one whose correction is
still in progress still stands.

Ranks in a region are computed over *every* published result of the region,
then only the rows the user may see are returned: a city manager sees their
city's true rank among its peers, not its rank among the one row they see.
The peers' scores are not disclosed, only the rank.

The rank interval is a Monte Carlo over the node weights (each weight times
1 + 0.25 U, U ~ Uniform(-1, 1); see `assessment.scoring.uncertainty`) on
the raw answers of those same results, scored together with the framework's
normalisation and aggregation; p05 and p95 are the 5th and 95th percentiles
of the index rank over the runs. A fixed seed makes it reproducible.

The number of SQL queries does not depend on the number of cities.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from assessment import scoring
from assessment.models import Assessment, AssessmentResult, Framework, Indicator, Response
from assessment.roles import Role, has_role
from assessment.selectors.assessments import assessments_visible_to
from assessment.selectors.scoring_input import framework_scoring_options, framework_scoring_tree
from cities.models import City, Region

DEFAULT_MONTE_CARLO_RUNS = 200
DEFAULT_SEED = 1
WEIGHT_PERTURBATION = 0.25


@dataclass(frozen=True)
class RankInterval:
    p05: float
    median: float
    p95: float


@dataclass(frozen=True)
class CityResult:
    """One city's published result in a region's period."""

    city_code: str
    city_name_zh: str
    city_name_en: str
    stage: str
    index_score: float | None
    scores: dict[str, float | None]
    rank: int | None
    rank_interval: RankInterval | None


@dataclass(frozen=True)
class RegionResults:
    region_code: str
    period: int
    framework_code: str
    framework_version: str
    kind: str
    ranked_cities: int
    monte_carlo_runs: int
    seed: int
    rows: list[CityResult] = field(default_factory=list)


@dataclass(frozen=True)
class PeriodResult:
    """One published result of a city."""

    period: int
    kind: str
    revision: int
    framework_code: str
    framework_version: str
    stage: str
    index_score: float | None
    scores: dict[str, float | None]
    published_at: dt.datetime | None


def _latest_published(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Published, and not replaced by a published revision.

    A correction still in progress leaves the published original standing:
    readers would otherwise lose the city's result until the revision is out.
    """
    return assessments.filter(status=Assessment.Status.PUBLISHED).exclude(
        replaced_by__status=Assessment.Status.PUBLISHED
    )


def frameworks_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Framework]:
    """Administrators see drafts too; everyone else the published and retired versions."""
    versions = Framework.objects.order_by("code", "-created_at")
    if has_role(user, Role.ADMINISTRATOR):
        return versions
    return versions.exclude(status=Framework.Status.DRAFT)


def framework_for_results(*, code: str, version: str | None) -> Framework:
    """The published or retired version; without a version, the latest published one.

    Framework.DoesNotExist when there is none.
    """
    versions = Framework.objects.filter(code=code).exclude(status=Framework.Status.DRAFT)
    if version:
        return versions.get(version=version)
    latest = versions.order_by("-published_at").first()
    if latest is None:
        raise Framework.DoesNotExist
    return latest


def _rank_interval(ranks: pd.DataFrame, city_code: str) -> RankInterval | None:
    if city_code not in ranks.index:
        return None
    row = ranks.loc[city_code]
    values = [float(row["rank_p05"]), float(row["rank_median"]), float(row["rank_p95"])]
    if any(math.isnan(value) for value in values):
        return None
    return RankInterval(*values)


def _raw_answers(
    assessment_ids: list[int], city_codes: list[str], indicator_codes: tuple[str, ...]
) -> pd.DataFrame:
    """Cities × indicators, raw values in one query; N/A and unanswered are NaN."""
    frame = pd.DataFrame(
        np.nan, index=pd.Index(city_codes, dtype="str", name="uCode"), columns=list(indicator_codes)
    )
    rows = Response.objects.filter(assessment_id__in=assessment_ids).values_list(
        "assessment__city_id",
        "indicator__node__code",
        "level",
        "value",
        "not_applicable",
        "indicator__type",
    )
    for city, code, level, value, not_applicable, kind in rows:
        raw = None if not_applicable else (level if kind == Indicator.Type.LEVEL else value)
        if raw is not None and code in frame.columns:
            frame.loc[city, code] = float(raw)
    return frame


def _monte_carlo_ranks(
    framework: Framework, assessment_ids: list[int], city_codes: list[str], runs: int, seed: int
) -> pd.DataFrame:
    tree = framework_scoring_tree(framework)
    nominal = framework_scoring_options(framework, tree)
    raw = _raw_answers(assessment_ids, city_codes, tree.indicator_codes)
    options = scoring.ScoringOptions(
        normalisation=nominal.normalisation,
        aggregation=nominal.aggregation,
        monte_carlo=scoring.MonteCarloOptions(
            runs=runs, perturbation=WEIGHT_PERTURBATION, seed=seed
        ),
    )
    no_intervals = pd.DataFrame(columns=["rank_p05", "rank_median", "rank_p95"])
    try:
        result = scoring.score(tree, raw, options)
    except scoring.ScoringInputError:
        # Stored results passed the engine one by one; a failure together leaves the intervals out.
        return no_intervals
    return result.uncertainty.ranks if result.uncertainty is not None else no_intervals


def region_results(
    *,
    region: Region,
    period: int,
    framework: Framework,
    user: AbstractBaseUser | AnonymousUser,
    kind: str = Assessment.Kind.CONSULTANT,
    monte_carlo_runs: int = DEFAULT_MONTE_CARLO_RUNS,
    seed: int = DEFAULT_SEED,
) -> RegionResults:
    """The region's published results the user may see, ranked among all published ones.

    Rank: of the stored index score, highest first, ties share the lowest
    rank. ``monte_carlo_runs=0`` leaves the rank intervals out.
    """
    scope = dict(city__regions=region, period=period, framework=framework, kind=kind)
    visible = set(
        _latest_published(assessments_visible_to(user)).filter(**scope).values_list("pk", flat=True)
    )
    header = dict(
        region_code=region.code,
        period=period,
        framework_code=framework.code,
        framework_version=framework.version,
        kind=kind,
        monte_carlo_runs=monte_carlo_runs,
        seed=seed,
    )
    if not visible:
        return RegionResults(ranked_cities=0, **header)
    published = list(
        AssessmentResult.objects.filter(
            assessment__in=_latest_published(Assessment.objects.filter(**scope))
        ).values(
            "assessment_id",
            "assessment__city_id",
            "assessment__city__name_zh",
            "assessment__city__name_en",
            "stage",
            "index_score",
            "scores",
        )
    )
    city_codes = [row["assessment__city_id"] for row in published]
    index = np.array(
        [np.nan if row["index_score"] is None else row["index_score"] for row in published],
        dtype=float,
    )
    ranks = scoring.rank_descending(index) if len(index) else index
    intervals = pd.DataFrame()
    if monte_carlo_runs > 0:
        intervals = _monte_carlo_ranks(
            framework,
            [row["assessment_id"] for row in published],
            city_codes,
            monte_carlo_runs,
            seed,
        )
    rows = [
        CityResult(
            city_code=row["assessment__city_id"],
            city_name_zh=row["assessment__city__name_zh"],
            city_name_en=row["assessment__city__name_en"],
            stage=row["stage"],
            index_score=row["index_score"],
            scores=row["scores"],
            rank=None if math.isnan(rank) else int(rank),
            rank_interval=_rank_interval(intervals, row["assessment__city_id"])
            if len(intervals)
            else None,
        )
        for row, rank in zip(published, ranks, strict=True)
        if row["assessment_id"] in visible
    ]
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.city_code))
    return RegionResults(ranked_cities=int((~np.isnan(ranks)).sum()), rows=rows, **header)


def city_results(*, city: City, user: AbstractBaseUser | AnonymousUser) -> list[PeriodResult]:
    """The city's published results the user may see, oldest period first."""
    rows = (
        _latest_published(assessments_visible_to(user))
        .filter(city=city, result__isnull=False)
        .order_by("period", "kind", "framework__code", "framework__version")
        .values(
            "period",
            "kind",
            "revision",
            "framework__code",
            "framework__version",
            "result__stage",
            "result__index_score",
            "result__scores",
            "published_at",
        )
    )
    return [
        PeriodResult(
            period=row["period"],
            kind=row["kind"],
            revision=row["revision"],
            framework_code=row["framework__code"],
            framework_version=row["framework__version"],
            stage=row["result__stage"],
            index_score=row["result__index_score"],
            scores=row["result__scores"],
            published_at=row["published_at"],
        )
        for row in rows
    ]
