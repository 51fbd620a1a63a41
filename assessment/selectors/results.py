"""Reads of published results: a region's cities in one period, one city over time.

Publishing an assessment shares its result (scores, stage, answers) with
every signed-in user: a city manager compares their city with its region,
and a stakeholder reads the region's report. Unpublished work, evidence and
review comments stay behind `assessments_visible_to`. One rule,
`published_results_visible_to`, serves the dashboards and the API alike.
Only the latest published revision counts: an assessment whose correction
(`replaced_by`) is published is left out; one whose correction is still in
progress still stands.

The rank interval is a Monte Carlo over the node weights on the raw answers
of those same results; p05 and p95 are the 5th and 95th percentiles of the
index rank over the runs. It is computed and cached by
`assessment.rank_intervals`, which these reads call.

The number of SQL queries does not depend on the number of cities.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from accounts.roles import Role, has_role
from assessment import scoring
from assessment.framework_cache import framework_scoring_tree
from assessment.models import Assessment, AssessmentResult, Framework, Response
from assessment.rank_intervals import monte_carlo_ranks
from assessment.selectors.scoring_input import raw_answers
from cities.models import City, Region


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


def published_results_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assessment]:
    """The latest published revision of every assessment, for any signed-in user."""
    if not user.is_authenticated:
        return Assessment.objects.none()
    return Assessment.objects.standing_published()


def frameworks_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Framework]:
    """Administrators see drafts too; everyone else the readable (published and retired) versions."""
    versions = Framework.objects.all() if has_role(user, Role.ADMINISTRATOR) else Framework.objects.readable()
    return versions.order_by("code", "-created_at")


def framework_for_results(*, code: str, version: str | None) -> Framework:
    """The readable version; without a version, the latest published one.

    Framework.DoesNotExist when there is none.
    """
    if version:
        return Framework.objects.readable().get(code=code, version=version)
    latest = Framework.objects.latest_readable(code) if code else None  # an empty code names no framework
    if latest is None:
        raise Framework.DoesNotExist
    return latest


@dataclass(frozen=True, eq=False)
class RegionSnapshot:
    """A region's published results of one period, as plain tables indexed by city code.

    ``cities`` holds every member (published or not) with its names and
    coordinates; ``scores`` the stored score of every aggregate (index,
    halves, dimensions), ``normalised`` of every indicator, ``stages`` the
    stored stage and ``raw`` the raw answers, for the cities with a result.
    ``key`` changes whenever any of those results does: it keys caches.
    """

    region: Region | None
    framework: Framework
    period: int
    kind: str
    tree: scoring.FrameworkTree
    cities: pd.DataFrame
    scores: pd.DataFrame
    normalised: pd.DataFrame
    stages: pd.Series
    raw: pd.DataFrame
    assessment_ids: dict[str, int]
    key: str

    @property
    def scored_codes(self) -> list[str]:
        return list(self.scores.index)

    @property
    def is_empty(self) -> bool:
        return self.scores.empty

    @property
    def coverage(self) -> "PeriodCoverage":
        """How many of the cities in scope have a result here: whether a rank or a median among them means much."""
        return PeriodCoverage(self.period, len(self.scores), len(self.cities))

    is_demo: bool = False


def region_snapshot(
    *,
    region: Region | None,
    period: int,
    framework: Framework,
    user: AbstractBaseUser | AnonymousUser,
    kind: str = Assessment.Kind.CONSULTANT,
    city_codes: list[str] | None = None,
) -> RegionSnapshot:
    """Three queries whatever the number of cities (the tree of a published version is cached).

    The cities are the region's members or, without a region, ``city_codes``.
    """
    tree = framework_scoring_tree(framework)
    in_scope = {"memberships__region": region} if region is not None else {"code__in": city_codes or []}
    members = list(
        City.objects.filter(**in_scope)
        .distinct()
        .order_by("code")
        .values_list(
            "code",
            "name_zh",
            "name_en",
            "latitude",
            "longitude",
            "province_id",
            "province__name_zh",
            "province__name_en",
        )
    )
    cities = pd.DataFrame(
        [
            {
                "code": code,
                "name_zh": name_zh,
                "name_en": name_en,
                "latitude": float(latitude),
                "longitude": float(longitude),
                "province": province,
                "province_zh": province_zh,
                "province_en": province_en,
            }
            for code, name_zh, name_en, latitude, longitude, province, province_zh, province_en in members
        ],
        columns=["code", "name_zh", "name_en", "latitude", "longitude", "province", "province_zh", "province_en"],
    ).set_index("code")
    published = list(
        AssessmentResult.objects.filter(
            assessment__in=published_results_visible_to(user).filter(
                city__in=[row[0] for row in members], period=period, framework=framework, kind=kind
            )
        )
        .order_by("assessment__city_id")
        .values_list(
            "assessment_id",
            "assessment__city_id",
            "assessment__is_demo",
            "stage",
            "scores",
            "computed_at",
            "normalised",
        )
    )
    codes = [row[1] for row in published]
    scores = _table([row[4] for row in published], codes, tree.aggregate_codes)
    normalised = _table([row[6] for row in published], codes, tree.indicator_codes)
    stages = pd.Series([row[3] for row in published], index=scores.index, dtype="str", name="stage")
    ids = {row[1]: row[0] for row in published}
    raw = raw_answers(list(ids.values()), codes, tree.indicator_codes)
    key = _version(
        region.code if region else ",".join(city_codes or []),
        period,
        framework,
        kind,
        [(row[0], row[5]) for row in published],
    )
    return RegionSnapshot(
        region=region,
        framework=framework,
        period=period,
        kind=kind,
        tree=tree,
        cities=cities,
        scores=scores,
        normalised=normalised,
        stages=stages,
        raw=raw,
        assessment_ids=ids,
        key=key,
        is_demo=any(row[2] for row in published),
    )


def snapshot_version(
    *,
    region: Region,
    period: int,
    framework: Framework,
    user: AbstractBaseUser | AnonymousUser,
    kind: str = Assessment.Kind.CONSULTANT,
) -> str:
    """What `region_snapshot(...).key` would be, in one light query: to look up cached pages."""
    published = (
        AssessmentResult.objects.filter(
            assessment__in=published_results_visible_to(user).filter(
                city__regions=region, period=period, framework=framework, kind=kind
            )
        )
        .order_by("assessment__city_id")
        .values_list("assessment_id", "computed_at")
    )
    return _version(region.code, period, framework, kind, list(published))


def city_history_version(
    *, city: City, user: AbstractBaseUser | AnonymousUser, kind: str = Assessment.Kind.CONSULTANT
) -> str:
    """Every published result of the city in every period and version, and when each was scored.

    A city report's trend reads the whole history (re-expressing earlier versions), so its stored file must
    not outlive a change to any of it.
    """
    published = (
        AssessmentResult.objects.filter(assessment__in=published_results_visible_to(user).filter(city=city, kind=kind))
        .order_by("assessment_id")
        .values_list("assessment_id", "computed_at")
    )
    return "|".join([city.code, kind, *_stamps(list(published))])


def _version(scope: str, period: int, framework: Framework, kind: str, results: list[tuple[int, dt.datetime]]) -> str:
    """Which results, scored when: changes whenever any published result of the scope does."""
    return "|".join([scope, str(period), str(framework.pk), kind, *_stamps(results)])


def _stamps(results: list[tuple[int, dt.datetime]]) -> list[str]:
    """Each result as "assessment id@scoring time": a version string changes when any is scored again."""
    return [f"{assessment_id}@{computed_at.timestamp():.6f}" for assessment_id, computed_at in results]


def _table(stored: list[dict], city_codes: list[str], node_codes: tuple[str, ...]) -> pd.DataFrame:
    """Stored {node: score or None} per city as a city × node frame; None is NaN."""
    return pd.DataFrame(
        [[np.nan if row.get(code) is None else float(row[code]) for code in node_codes] for row in stored],
        index=pd.Index(city_codes, dtype="str", name="city"),
        columns=list(node_codes),
        dtype=float,
    )


def _rank_interval(ranks: pd.DataFrame, city_code: str) -> RankInterval | None:
    if city_code not in ranks.index:
        return None
    row = ranks.loc[city_code]
    values = [float(row["rank_p05"]), float(row["rank_median"]), float(row["rank_p95"])]
    if any(math.isnan(value) for value in values):
        return None
    return RankInterval(*values)


def index_code(snapshot: RegionSnapshot) -> str:
    """The root of the framework tree: the composite index."""
    return snapshot.tree.root


def region_results(
    *,
    region: Region,
    period: int,
    framework: Framework,
    user: AbstractBaseUser | AnonymousUser,
    kind: str = Assessment.Kind.CONSULTANT,
    monte_carlo_runs: int | None = None,
    seed: int | None = None,
) -> RegionResults:
    """The region's published results, ranked by the stored index score.

    Rank: highest first, ties share the lowest rank. ``monte_carlo_runs=0``
    leaves the rank intervals out; None (and a None seed) use the framework version's method.
    """
    method = framework.method_parameters()
    monte_carlo_runs = method.runs if monte_carlo_runs is None else monte_carlo_runs
    seed = method.seed if seed is None else seed
    snapshot = region_snapshot(region=region, period=period, framework=framework, user=user, kind=kind)
    header = dict(
        region_code=region.code,
        period=period,
        framework_code=framework.code,
        framework_version=framework.version,
        kind=kind,
        monte_carlo_runs=monte_carlo_runs,
        seed=seed,
    )
    if snapshot.is_empty:
        return RegionResults(ranked_cities=0, **header)
    index = snapshot.scores[index_code(snapshot)].to_numpy(dtype=float)
    ranks = scoring.rank_descending(index)
    intervals = monte_carlo_ranks(snapshot, monte_carlo_runs, seed)
    rows = []
    for position, code in enumerate(snapshot.scored_codes):
        scores = snapshot.scores.loc[code]
        rows.append(
            CityResult(
                city_code=code,
                city_name_zh=str(snapshot.cities.loc[code, "name_zh"]),
                city_name_en=str(snapshot.cities.loc[code, "name_en"]),
                stage=str(snapshot.stages[code]),
                index_score=None if math.isnan(index[position]) else float(index[position]),
                scores={node: None if math.isnan(value) else float(value) for node, value in scores.items()},
                rank=None if math.isnan(ranks[position]) else int(ranks[position]),
                rank_interval=_rank_interval(intervals, code) if len(intervals) else None,
            )
        )
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.city_code))
    return RegionResults(ranked_cities=int((~np.isnan(ranks)).sum()), rows=rows, **header)


def city_results(*, city: City, user: AbstractBaseUser | AnonymousUser) -> list[PeriodResult]:
    """The city's published results the user may see, oldest period first."""
    rows = (
        published_results_visible_to(user)
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


def result_periods(
    *, region: Region, framework: Framework, user: AbstractBaseUser | AnonymousUser, kind: str
) -> list[int]:
    """The periods with at least one published result in the region, latest first."""
    return _periods(published_results_visible_to(user).filter(city__regions=region, framework=framework, kind=kind))


def earlier_snapshot_version(
    *,
    region: Region,
    period: int,
    framework: Framework,
    user: AbstractBaseUser | AnonymousUser,
    kind: str = Assessment.Kind.CONSULTANT,
) -> str | None:
    """The snapshot version of the period a page compares ``period`` with, to key cached pages and reports.

    The latest earlier period of the same version; in a version's first period, the previous version's latest
    (the movers and σ-convergence re-express it, selectors/crosswalk.py). None when there is nothing before.
    """
    for version in (framework, framework.previous):
        if version is None:
            break
        earlier = [p for p in result_periods(region=region, framework=version, user=user, kind=kind) if p < period]
        if earlier:
            return snapshot_version(region=region, period=max(earlier), framework=version, user=user, kind=kind)
    return None


def _periods(results: QuerySet[Assessment]) -> list[int]:
    return sorted(set(results.filter(result__isnull=False).values_list("period", flat=True)), reverse=True)


# Which period a page opens on when none is asked for.
#
# The first city published in a new year must not empty every other page nor
# stand alone at "1 / 1": a region's ranking opens on the latest period in
# which at least half of its members, and at least three of them (all of them
# in a region of fewer), have a published result. Three is the fewest for
# which a median, and so the plane's quadrants and the radar's "region
# median", says anything; half keeps "5 / 9" a rank among most of the region,
# not among the few published first. Newer periods stay one click away, with
# their coverage.
RANKED_PERIOD_MIN_SHARE = 0.5
RANKED_PERIOD_MIN_CITIES = 3


@dataclass(frozen=True)
class PeriodCoverage:
    """How many of the cities in scope (a region's members, or cities compared) have a published result."""

    period: int
    published: int
    cities: int

    @property
    def is_complete(self) -> bool:
        return self.cities > 0 and self.published >= self.cities

    @property
    def is_ranked(self) -> bool:
        """Enough published cities for a ranking to mean something (see RANKED_PERIOD_MIN_SHARE)."""
        needed = max(math.ceil(self.cities * RANKED_PERIOD_MIN_SHARE), min(RANKED_PERIOD_MIN_CITIES, self.cities))
        return self.cities > 0 and self.published >= needed


def _coverage(results: QuerySet[Assessment], in_scope: Q, cities: int) -> list[PeriodCoverage]:
    """Per period with any of ``results``: how many cities in scope have one; latest first. One query."""
    rows = (
        results.filter(result__isnull=False)
        .values("period")
        .annotate(published=Count("city", filter=in_scope, distinct=True))
        .order_by("-period")
    )
    return [PeriodCoverage(row["period"], row["published"], cities) for row in rows]


def region_period_coverage(
    *, region: Region, framework: Framework, user: AbstractBaseUser | AnonymousUser, kind: str
) -> list[PeriodCoverage]:
    """The periods with a published result in the region, latest first, with how many members have one."""
    results = published_results_visible_to(user).filter(city__regions=region, framework=framework, kind=kind)
    return _coverage(results, Q(), region.memberships.count())


def cities_period_coverage(
    *, city_codes: list[str], framework: Framework, user: AbstractBaseUser | AnonymousUser, kind: str
) -> list[PeriodCoverage]:
    """Every period with a published result, latest first, with how many of ``city_codes`` have one.

    Without cities, how many cities of all have one.
    """
    results = published_results_visible_to(user).filter(framework=framework, kind=kind)
    if not city_codes:
        return _coverage(results, Q(), City.objects.count())
    return _coverage(results, Q(city__in=city_codes), len(set(city_codes)))


def _most_published(coverage: list[PeriodCoverage]) -> int | None:
    """The period with the most cities published, the latest of equals."""
    best = max(coverage, key=lambda item: (item.published, item.period), default=None)
    return None if best is None or best.published == 0 else best.period


def default_ranked_period(coverage: list[PeriodCoverage]) -> int | None:
    """The latest period with enough published cities to rank; else the one with the most."""
    return next((item.period for item in coverage if item.is_ranked), None) or _most_published(coverage)


def default_compared_period(coverage: list[PeriodCoverage]) -> int | None:
    """The latest period in which every city compared is published; else the one with the most of them."""
    return next((item.period for item in coverage if item.is_complete), None) or _most_published(coverage)


def city_periods(*, city: City, framework: Framework, user: AbstractBaseUser | AnonymousUser, kind: str) -> list[int]:
    """The periods with a published result of the city, latest first: its dashboard opens on the first."""
    return _periods(published_results_visible_to(user).filter(city=city, framework=framework, kind=kind))


@dataclass(frozen=True)
class DataCoverage:
    """How well one assessment's answers are documented."""

    answered: int
    with_evidence: int
    evidence_required: int
    evidence_required_met: int
    by_quality: dict[str, int]


def data_coverage(assessment_id: int) -> DataCoverage:
    """Answers, evidence and data-quality grades of one assessment, in two queries."""
    rows = list(
        Response.objects.filter(assessment_id=assessment_id)
        .annotate(evidence_count=Count("evidence"))
        .values_list("level", "value", "not_applicable", "quality", "evidence_count", "indicator__evidence_required")
    )
    answered = [row for row in rows if row[2] or row[0] is not None or row[1] is not None]
    by_quality = {grade: 0 for grade, _label in Response.Quality.choices}
    for row in answered:
        if row[3] in by_quality:
            by_quality[row[3]] += 1
    required = [row for row in rows if row[5]]
    return DataCoverage(
        answered=len(answered),
        with_evidence=sum(1 for row in rows if row[4]),
        evidence_required=len(required),
        evidence_required_met=sum(1 for row in required if row[4]),
        by_quality=by_quality,
    )
