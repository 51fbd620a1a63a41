"""Demo assessments for the reference cities, made through the workflow services.

Every number is invented. It is plausible because it comes from two latent
traits per city drawn from a fixed seed, never from the city's real record;
every assessment is flagged ``is_demo`` and the pages that show it say so.

Latent traits (dimensionless, about mean 0 over the 54 reference cities):

* in-city digital maturity
  m = 0.5·(ln P − 15.45)/0.68 + rank + 0.35·(λ − 118.35)/2.0 + ε_m,
  ε_m ~ N(0, 0.35). P is the 2020 census population and λ the longitude
  (the eastern tilt: the coast is further along); 15.45/0.68 and
  118.35/2.0, the mean and spread of ln P and λ over the 54 reference
  cities, are fixed here so a city's numbers never depend on which other
  cities are loaded. rank comes from the level column: +0.9 for a
  municipality, +0.6 for a sub-provincial city, and +0.35 for the two
  provincial capitals listed as prefectures (Hefei, Shijiazhuang).
  Shanghai and Hangzhou come out near the top, small Anhui and Hebei
  cities near the bottom.
* cross-boundary readiness  x = 0.6·m/0.9 + 0.8·ε_x + region,
  ε_x ~ N(0, 1), 0.9 being the spread of m, so x correlates with m at
  about 0.6; region is +0.6 for the nine G60 corridor cities (310000,
  330400, 330100, 330700, 320500, 330500, 341800, 340200, 340100), +0.25
  elsewhere in the Yangtze River Delta, −0.15 in Beijing-Tianjin-Hebei.

Randomness: every draw comes from ``numpy.random.default_rng([2025, …])``,
the fixed seed 2025 followed by the city code (and the indicator or year
where the draw belongs to one), so the same city always gets the same
numbers, whichever cities are loaded and in whatever order.

Indicator attainment p = σ(k·(t + c_d + δ_i + Δ)), σ the logistic
function. For W1, B1, W2, B2, W3: t = m, k = 1.3 and the dimension offset
c_d falls wave by wave (W1 +1.65, B1 +1.1, W2 +0.7, B2 +0.2, W3 −0.7), so
earlier rungs of the stage ladder are easier and cities spread over S0…S4
with most in the middle. For X1…X6: t = x, k = 1.0, c_d = −1.2 (the third
breakthrough is under way: few cities are far along). δ_i ~ N(0, 0.55) is
the indicator's own noise for that city, the same every year. Δ is the
gain since 2024: 0 in 2024, and each later year adds N(0.18, 0.08), at
least 0.04, except in one city-year in seven, which stalls. Since δ_i is
fixed and Δ only grows, a 2025 answer is the 2024 answer plus a little.

Answers: a level is round(5p). A value is lower + q·(upper − lower) with
q = p + N(0, 0.05) (also fixed per city and indicator), so it sometimes
lands beyond a goalpost, then clipped to what the unit allows: shares to
99.5 % where the goalpost is 100 % (else 100 %), counts of a closed list
(upper goalpost ≤ 10) to the list, other counts to ≥ 0. Shares and
densities are rounded to one decimal, counts to whole numbers; a binary is
1 when p ≥ 0.5. The data-quality grade and the confidence lean on p
(better-run cities document better). Where agreements propose a value
(derived indicators), the demo consultant accepts it when it rests on at
least one agreement and the latent answer is within one step of it, and
otherwise keeps the latent answer with a justification, as the form
requires. Required evidence is a note (``Evidence(kind="note")``), never
a file.

Writing: one transaction per assessment. Answers are written in bulk,
each checked with ``response_clean`` and recorded in the history as the
demo consultant (measured: ``response_save`` costs about 0.75 s per
assessment, 85 s for all of them; the bulk path about 0.13 s).
``through_services=True`` writes them with ``response_save`` and
``evidence_add`` instead, and a test checks that both paths store the same
rows. Creating, starting 2025 from 2024, submitting, reviewing, approving
(which scores and stores the result) and publishing always go through the
services.
"""

import math
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.demo_accounts import demo_accounts_ensure
from assessment.derived_indicators import DerivedProposal, derived_proposal
from assessment.models import Assessment, AssessmentResult, Evidence, Framework, Indicator, Response
from assessment.selectors.derived import reference_date
from assessment.services import assessments as services
from assessment.services.evidence import evidence_add
from cities.models import City, RegionMembership
from cities.selectors import agreement_edges

SEED = 2025
FRAMEWORK = ("DSMF", "1.0")
PUBLISHED_PERIODS = (2024, 2025)
WORKFLOW_PERIOD = 2026
# Hangzhou and both Suzhous (苏州, 宿州) are partly filled drafts; Shanghai and Hefei in review.
DRAFT_CITIES = ("330100", "320500", "341300")
IN_REVIEW_CITIES = ("310000", "340100")
DRAFT_SHARE = (0.7, 0.5, 0.35)
CONSULTANT, REVIEWER = "consultant", "reviewer"

SOURCE = "示例数据 / demo data"
EVIDENCE_NOTE = (
    "示例数据：虚构的佐证说明，不对应任何真实文件。"
    " / Demo data: an invented evidence note; no real document lies behind it."
)
OVERRIDE_REASON_ABOVE = (
    "示例数据：协议记录之外另有证据支持更高的答案。"
    " / Demo data: evidence beyond the recorded agreements supports a higher answer."
)
OVERRIDE_REASON_BELOW = (
    "示例数据：已记录的协议只满足指标描述的一部分要求。"
    " / Demo data: the recorded agreements meet only part of what the descriptor asks."
)
REVIEW_NOTE = "示例数据：请核对该指标的数据来源。/ Demo data: please check the source of this value."

LOG_POPULATION_MEAN, LOG_POPULATION_SPREAD = 15.45, 0.68
LONGITUDE_MEAN, LONGITUDE_SPREAD, LONGITUDE_WEIGHT = 118.35, 2.0, 0.35
MATURITY_SPREAD = 0.9
RANK_BONUS = {City.Level.MUNICIPALITY: 0.9, City.Level.SUB_PROVINCIAL: 0.6}
PROVINCIAL_CAPITALS = frozenset({"340100", "130100"})
CAPITAL_BONUS = 0.35
G60_CITIES = frozenset({"310000", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100"})
REGION_BONUS = {"G60": 0.6, "YRD": 0.25, "JJJ": -0.15}
CORRELATION = 0.6
DIMENSION_OFFSET = {"W1": 1.65, "B1": 1.1, "W2": 0.7, "B2": 0.2, "W3": -0.55}
CROSS_BOUNDARY_OFFSET = -1.8
STEEPNESS = 1.3
CROSS_BOUNDARY_STEEPNESS = 1.0
INDICATOR_NOISE = 0.55
VALUE_JITTER = 0.05
IMPROVEMENT_MEAN, IMPROVEMENT_SPREAD, IMPROVEMENT_MIN = 0.18, 0.08, 0.04
STALL_CHANCE = 1 / 7
# A count whose upper goalpost is this small counts the items of a closed list (X3.3, X3.4).
ENUMERATED_COUNT_MAX = 10


@dataclass(frozen=True)
class CityProfile:
    """What the latent model reads about a city: plain data, testable without a database."""

    code: str
    level: str
    population: int | None
    longitude: float | None
    regions: frozenset[str]


@dataclass(frozen=True)
class CityLatents:
    maturity: float
    cross_boundary: float


@dataclass
class DemoSummary:
    created: int = 0
    skipped: int = 0
    stages: dict[int, Counter[str]] = field(default_factory=dict)


def _stream(*keys: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *keys])


def _key(text: str) -> int:
    # crc32, not hash(): Python salts str hashes per process.
    return zlib.crc32(text.encode())


def city_latents(profile: CityProfile) -> CityLatents:
    """The city's two latent traits; the same for a city whatever else is loaded."""
    rng = _stream(int(profile.code))
    noise_maturity, noise_cross = rng.normal(0, 0.35), rng.normal(0, 1)
    population = profile.population or math.exp(LOG_POPULATION_MEAN)
    maturity = (
        0.5 * (math.log(population) - LOG_POPULATION_MEAN) / LOG_POPULATION_SPREAD
        + RANK_BONUS.get(profile.level, CAPITAL_BONUS if profile.code in PROVINCIAL_CAPITALS else 0.0)
        + LONGITUDE_WEIGHT * ((profile.longitude or LONGITUDE_MEAN) - LONGITUDE_MEAN) / LONGITUDE_SPREAD
        + noise_maturity
    )
    regions = profile.regions | ({"G60"} if profile.code in G60_CITIES else set())
    # The first listed region the city belongs to decides: a G60 city is also in the YRD.
    region = next((bonus for code, bonus in REGION_BONUS.items() if code in regions), 0.0)
    cross = CORRELATION * maturity / MATURITY_SPREAD + math.sqrt(1 - CORRELATION**2) * noise_cross + region
    return CityLatents(maturity=float(maturity), cross_boundary=float(cross))


def improvement_since_first(code: str, period: int) -> float:
    """The latent gain from the first published period up to ``period``."""
    gain = 0.0
    for year in range(PUBLISHED_PERIODS[0] + 1, period + 1):
        rng = _stream(int(code), year)
        stalls, step = rng.random() < STALL_CHANCE, rng.normal(IMPROVEMENT_MEAN, IMPROVEMENT_SPREAD)
        gain += 0.0 if stalls else max(IMPROVEMENT_MIN, float(step))
    return gain


def attainment(indicator_code: str, dimension: str, latents: CityLatents, code: str, period: int) -> float:
    own = _stream(int(code), _key(indicator_code)).normal(0, INDICATOR_NOISE)
    if dimension in DIMENSION_OFFSET:
        base, steepness = latents.maturity + DIMENSION_OFFSET[dimension], STEEPNESS
    else:
        base, steepness = latents.cross_boundary + CROSS_BOUNDARY_OFFSET, CROSS_BOUNDARY_STEEPNESS
    return 1 / (1 + math.exp(-steepness * (base + own + improvement_since_first(code, period))))


def _value_ceiling(indicator: Indicator) -> float | None:
    if indicator.unit_en == "%" or indicator.unit_zh == "%":
        return 100.0
    if (
        indicator.type == Indicator.Type.COUNT
        and indicator.upper is not None
        and indicator.upper <= ENUMERATED_COUNT_MAX
    ):
        return indicator.upper
    return None


def answer_from_attainment(indicator: Indicator, p: float, jitter: float) -> dict[str, Any]:
    """The level or value a consultant would record for attainment ``p`` (0-1)."""
    if indicator.type == Indicator.Type.LEVEL:
        return {"level": min(5, max(0, round(5 * p)))}
    if indicator.type == Indicator.Type.BINARY:
        return {"value": 1.0 if p >= 0.5 else 0.0}
    lower = indicator.lower if indicator.lower is not None else 0.0
    upper = indicator.upper if indicator.upper is not None else 1.0
    value = lower + (p + jitter) * (upper - lower)
    ceiling = _value_ceiling(indicator)
    if ceiling == 100.0 and upper == 100.0:
        # A share reported as exactly 100 % reads as a guess; keep the top answers just below.
        ceiling = 99.5
    value = max(0.0, value if ceiling is None else min(ceiling, value))
    if indicator.type == Indicator.Type.COUNT:
        return {"value": float(round(value))}
    return {"value": round(value, 1)}


def planned_answer(indicator: Indicator, latents: CityLatents, code: str, period: int) -> dict[str, Any]:
    """Every field of one demo answer, before the agreements are consulted."""
    p = attainment(indicator.node.code, indicator.node.parent.code, latents, code, period)
    # The jitter belongs to the city's indicator, not to the year: a value moves only by the gain.
    jitter = float(_stream(int(code), _key(indicator.node.code), 1).normal(0, VALUE_JITTER))
    values = answer_from_attainment(indicator, p, jitter)
    rng = _stream(int(code), _key(indicator.node.code), period)
    # Better-run cities document better: the grade and confidence lean on the same attainment.
    measured = indicator.type != Indicator.Type.LEVEL
    grades = ("A", "B", "C", "D") if measured else ("B", "C", "E", "E")
    position = min(3, max(0, int((1 - p) * 3 + rng.normal(0, 0.6))))
    values |= {
        "source": SOURCE,
        "quality": grades[position],
        "confidence": ("high", "medium", "medium", "low")[position],
        "not_applicable": False,
        "not_applicable_reason": "",
        "derived_override_reason": "",
        "comment": "",
    }
    if measured:
        values |= {"unit": indicator.unit_zh, "value_year": period - 1}
    else:
        values |= {"value": None}
    return values


def agree_with_proposal(
    indicator: Indicator, values: dict[str, Any], proposal: DerivedProposal | None
) -> dict[str, Any]:
    """Accept a close proposal that rests on an agreement; else justify the answer."""
    if proposal is None:
        return values
    field_name = "level" if indicator.type == Indicator.Type.LEVEL else "value"
    answer = values[field_name]
    if proposal.agreements and abs(answer - proposal.value) <= 1:
        answer = int(proposal.value) if field_name == "level" else proposal.value
    reason = (
        "" if answer == proposal.value else OVERRIDE_REASON_ABOVE if answer > proposal.value else OVERRIDE_REASON_BELOW
    )
    return values | {field_name: answer, "derived_override_reason": reason}


class _Proposals:
    """Agreement proposals for one city, read once (``derived_proposal_for`` reads per answer)."""

    def __init__(self, city_code: str) -> None:
        self.city = city_code
        regions = RegionMembership.objects.filter(city_id=city_code).values_list("region_id", flat=True)
        sizes = [RegionMembership.objects.filter(region_id=region).count() - 1 for region in regions]
        self.other_members = max(sizes, default=0)
        self.edges = agreement_edges(city_codes=[city_code])

    def for_indicator(self, indicator: Indicator, period: int) -> DerivedProposal | None:
        rule = indicator.derived_from
        if not rule or rule.get("source") != "agreements":
            return None
        return derived_proposal(
            indicator_type=indicator.type,
            rule=rule,
            city=self.city,
            edges=self.edges,
            on=reference_date(period),
            other_members=self.other_members,
        )


def city_profiles(cities: Iterable[City]) -> dict[str, CityProfile]:
    cities = list(cities)
    memberships: dict[str, set[str]] = {city.code: set() for city in cities}
    for city_id, region_id in RegionMembership.objects.filter(city__in=cities).values_list("city_id", "region_id"):
        memberships[city_id].add(region_id)
    return {
        city.code: CityProfile(
            code=city.code,
            level=city.level,
            population=city.population,
            longitude=None if city.longitude is None else float(city.longitude),
            regions=frozenset(memberships[city.code]),
        )
        for city in cities
    }


def _answer(
    assessment: Assessment,
    latents: CityLatents,
    consultant: AbstractBaseUser,
    proposals: _Proposals,
    *,
    share: float = 1.0,
    through_services: bool = False,
) -> None:
    """Answer the indicators (a share of them for a draft), with evidence where required."""
    code, period = assessment.city_id, assessment.period
    responses = assessment.responses.select_related("indicator__node__parent").order_by("indicator__node__code")
    picker = _stream(int(code), period, 1)
    plan = []
    for response in responses:
        if share < 1.0 and picker.random() > share:
            continue
        indicator = response.indicator
        proposal = proposals.for_indicator(indicator, period)
        values = agree_with_proposal(indicator, planned_answer(indicator, latents, code, period), proposal)
        plan.append(_Planned(response, values, proposal))
    if through_services:
        _write_through_services(plan, consultant)
    else:
        _write_in_bulk(assessment, plan, consultant)


@dataclass(frozen=True)
class _Planned:
    response: Response
    values: dict[str, Any]
    proposal: DerivedProposal | None


def _write_through_services(plan: list[_Planned], consultant: AbstractBaseUser) -> None:
    for item in plan:
        response = item.response
        saved = services.response_save(
            response=response, user=consultant, values=item.values, base_version=response.version
        )
        if response.indicator.evidence_required:
            evidence_add(response=saved, user=consultant, note=EVIDENCE_NOTE)


def _write_in_bulk(assessment: Assessment, plan: list[_Planned], consultant: AbstractBaseUser) -> None:
    """What ``response_save`` and ``evidence_add`` would write, in a handful of queries.

    A demo assessment is fresh and has one editor, so the stale-save check
    has nothing to guard; every other rule is applied to every answer.
    """
    if not services.can_edit(consultant, assessment):
        raise PermissionDenied(f"The demo consultant cannot edit {assessment}.")
    now = timezone.now()
    changed, evidence = [], []
    for item in plan:
        response, indicator = item.response, item.response.indicator
        services.response_clean(indicator, {**services.response_values(response), **item.values})
        for name, value in item.values.items():
            setattr(response, name, value)
        if item.proposal is not None:
            response.derived_value = item.proposal.value
            response.derived_agreements = list(item.proposal.agreements)
        response.to_confirm = False
        response.version += 1
        response.updated_by = consultant
        response.updated_at = now
        changed.append(response)
        if indicator.evidence_required:
            evidence.append(
                Evidence(
                    response=response,
                    kind=Evidence.Kind.NOTE,
                    note=EVIDENCE_NOTE,
                    uploaded_by=consultant,
                )
            )
    fields = [
        *services.RESPONSE_FIELDS,
        "derived_value",
        "derived_agreements",
        "to_confirm",
        "version",
        "updated_by",
        "updated_at",
    ]
    # One small UPDATE per answer: bulk_update's CASE expressions cost more here (0.7 s, measured).
    for response in changed:
        Response.objects.filter(pk=response.pk).update(**{name: getattr(response, name) for name in fields})
    Response.history.bulk_history_create(changed, default_user=consultant, default_date=now)
    created = Evidence.objects.bulk_create(evidence)
    Evidence.history.bulk_history_create(created, default_user=consultant, default_date=now)
    Assessment.objects.filter(pk=assessment.pk).update(version=F("version") + 1, updated_at=now)


def _published_demo(city: City, period: int) -> Assessment | None:
    """The demo assessment a new period starts from, if that period is published."""
    return Assessment.objects.filter(
        city=city,
        period=period,
        kind=Assessment.Kind.CONSULTANT,
        is_demo=True,
        status=Assessment.Status.PUBLISHED,
        replaced_by__isnull=True,
    ).first()


def _publish(assessment: Assessment, consultant: AbstractBaseUser, reviewer: AbstractBaseUser) -> Assessment:
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_start_review(assessment=assessment, user=reviewer)
    services.assessment_approve(assessment=assessment, user=reviewer)
    return services.assessment_publish(assessment=assessment, user=reviewer)


def demo_users() -> tuple[AbstractBaseUser, AbstractBaseUser]:
    users = get_user_model().objects
    if users.filter(username__in=(CONSULTANT, REVIEWER)).count() < 2:
        demo_accounts_ensure(password=settings.DEMO_PASSWORD)
    return users.get(username=CONSULTANT), users.get(username=REVIEWER)


def demo_reset(*, city_codes: list[str] | None = None) -> int:
    """Delete the demo assessments (of the given cities, else all), newest revisions first."""
    demo = Assessment.objects.filter(is_demo=True)
    if city_codes:
        demo = demo.filter(city_id__in=city_codes)
    count = demo.count()
    # A revision protects the assessment it replaces, so delete the chain from its newest end.
    while demo.filter(replaced_by__isnull=True).exists():
        demo.filter(replaced_by__isnull=True).delete()
    return count


def demo_load(*, city_codes: list[str] | None = None, through_services: bool = False) -> DemoSummary:
    """Create the missing demo assessments; one already there for a city, period and kind stays."""
    framework = Framework.objects.get(code=FRAMEWORK[0], version=FRAMEWORK[1])
    consultant, reviewer = demo_users()
    cities = City.objects.order_by("code")
    if city_codes:
        cities = cities.filter(code__in=city_codes)
    profiles = city_profiles(cities)
    kind = Assessment.Kind.CONSULTANT
    taken = set(Assessment.objects.filter(kind=kind, city__in=cities).values_list("city_id", "period").distinct())
    summary = DemoSummary()
    for city in cities:
        latents = city_latents(profiles[city.code])
        proposals = _Proposals(city.code)
        for period in PUBLISHED_PERIODS:
            if (city.code, period) in taken:
                summary.skipped += 1
                continue
            with transaction.atomic():
                previous = _published_demo(city, period - 1)
                if previous is not None:
                    assessment = services.assessment_start_from_previous(
                        previous=previous,
                        period=period,
                        consultants=[consultant],
                        reviewer=reviewer,
                    )
                else:
                    assessment = services.assessment_create(
                        city=city,
                        framework=framework,
                        period=period,
                        consultants=[consultant],
                        reviewer=reviewer,
                        kind=kind,
                        is_demo=True,
                    )
                _answer(assessment, latents, consultant, proposals, through_services=through_services)
                _publish(assessment, consultant, reviewer)
            summary.created += 1
        created, skipped = _load_workflow_examples(
            city, framework, latents, consultant, reviewer, proposals, taken, through_services
        )
        summary.created += created
        summary.skipped += skipped
    summary.stages = published_stages(city_codes=list(profiles))
    return summary


def _load_workflow_examples(
    city: City,
    framework: Framework,
    latents: CityLatents,
    consultant: AbstractBaseUser,
    reviewer: AbstractBaseUser,
    proposals: _Proposals,
    taken: set[tuple[str, int]],
    through_services: bool,
) -> tuple[int, int]:
    """A 2026 draft or an assessment in review, for the cities that show the workflow."""
    if city.code not in DRAFT_CITIES + IN_REVIEW_CITIES:
        return 0, 0
    if (city.code, WORKFLOW_PERIOD) in taken:
        return 0, 1
    with transaction.atomic():
        previous = _published_demo(city, WORKFLOW_PERIOD - 1)
        if city.code in DRAFT_CITIES or previous is None:
            assessment = services.assessment_create(
                city=city,
                framework=framework,
                period=WORKFLOW_PERIOD,
                consultants=[consultant],
                reviewer=reviewer,
                is_demo=True,
            )
        else:
            assessment = services.assessment_start_from_previous(
                previous=previous,
                period=WORKFLOW_PERIOD,
                consultants=[consultant],
                reviewer=reviewer,
            )
        if city.code in DRAFT_CITIES:
            share = DRAFT_SHARE[DRAFT_CITIES.index(city.code)]
            _answer(
                assessment,
                latents,
                consultant,
                proposals,
                share=share,
                through_services=through_services,
            )
            return 1, 0
        _answer(assessment, latents, consultant, proposals, through_services=through_services)
        services.assessment_submit(assessment=assessment, user=consultant)
        services.assessment_start_review(assessment=assessment, user=reviewer)
        asked_about = (
            assessment.responses.exclude(indicator__type=Indicator.Type.LEVEL).order_by("indicator__node__code").first()
        )
        if asked_about is not None:
            services.review_comment_add(
                response=asked_about,
                user=reviewer,
                body=REVIEW_NOTE,
                returns_indicator=city.code == IN_REVIEW_CITIES[-1],
            )
    return 1, 0


def published_stages(*, city_codes: list[str]) -> dict[int, Counter[str]]:
    """Stage counts of the current published demo results, per published period."""
    stages: dict[int, Counter[str]] = {period: Counter() for period in PUBLISHED_PERIODS}
    rows = AssessmentResult.objects.filter(
        assessment__is_demo=True,
        assessment__status=Assessment.Status.PUBLISHED,
        assessment__replaced_by__isnull=True,
        assessment__period__in=PUBLISHED_PERIODS,
        assessment__city_id__in=city_codes,
    ).values_list("assessment__period", "stage")
    for period, stage in rows:
        stages[period][stage] += 1
    return stages
