"""Demo assessments for every reference city, made through the real services.

The numbers are invented but plausible. Each city gets two latent traits
from a fixed seed:

* in-city maturity  m = 0.45·z(log population) + 0.35·z(longitude)
  + 0.9 for municipalities, 0.6 for sub-provincial cities + noise N(0, 0.5);
* cross-boundary readiness  x = 0.6·m + noise N(0, 0.6) + 0.5 in the G60
  corridor, 0.2 elsewhere in the Yangtze River Delta, −0.2 in
  Beijing-Tianjin-Hebei.

An indicator's attainment p ∈ (0, 1) is the logistic of the city's trait
plus a dimension offset (earlier waves are easier: W1 +0.9 … W3 −0.3,
cross-boundary dimensions −0.4) plus indicator noise N(0, 0.6). A level
answer is round(5p), a value lower + p·(upper − lower) rounded to one
decimal, a count rounded to a whole number. 2025 adds a small improvement
to most cities, so larger, more digital cities tend to score higher, with
spread. Every assessment is flagged ``is_demo`` and labelled on every page.
"""

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from assessment.accounts import demo_accounts_ensure
from assessment.models import Assessment, Evidence, Framework, Indicator, Response
from assessment.services import assessments as services
from cities.models import City

SEED = 2025
PUBLISHED_PERIODS = (2024, 2025)
EXTRA_PERIOD = 2026
G60 = {"310000", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100"}
DIMENSION_OFFSET = {"W1": 0.9, "B1": 0.6, "W2": 0.35, "B2": 0.1, "W3": -0.3}
CROSS_BOUNDARY_OFFSET = -0.4
SOURCE = "示例数据 / demo data"


@dataclass
class DemoSummary:
    created: int = 0
    skipped: int = 0
    stages: dict[int, Counter] = field(default_factory=dict)


@dataclass(frozen=True)
class CityTraits:
    in_city: float
    cross_boundary: float


def city_traits(cities: list[City]) -> dict[str, CityTraits]:
    """The two latent traits per city, from the fixed seed (independent of which cities are loaded)."""
    everyone = list(City.objects.order_by("code"))
    rng = np.random.default_rng(SEED)
    noise_m = rng.normal(0, 0.5, len(everyone))
    noise_x = rng.normal(0, 0.6, len(everyone))
    log_population = np.array([math.log(c.population or 3_000_000) for c in everyone])
    longitude = np.array([float(c.longitude) for c in everyone])

    def z(values: np.ndarray) -> np.ndarray:
        return (values - values.mean()) / (values.std() or 1)

    bonus = np.array(
        [0.9 if c.level == City.Level.MUNICIPALITY else 0.6 if c.level == City.Level.SUB_PROVINCIAL else 0.0 for c in everyone]
    )
    in_city = 0.45 * z(log_population) + 0.35 * z(longitude) + bonus + noise_m
    memberships = {c.code: set(c.regions.values_list("code", flat=True)) for c in everyone}
    traits = {}
    for position, city in enumerate(everyone):
        regions = memberships[city.code]
        region_bonus = 0.5 if city.code in G60 else 0.2 if "YRD" in regions else -0.2 if "JJJ" in regions else 0.0
        traits[city.code] = CityTraits(
            in_city=float(in_city[position]),
            cross_boundary=float(0.6 * in_city[position] + noise_x[position] + region_bonus),
        )
    return {city.code: traits[city.code] for city in cities}


def _answer(indicator: Indicator, attainment: float) -> dict:
    if indicator.type == Indicator.Type.LEVEL:
        return {"level": int(round(5 * attainment))}
    lower, upper = indicator.lower or 0.0, indicator.upper or 1.0
    value = lower + attainment * (upper - lower)
    if indicator.type in (Indicator.Type.COUNT, Indicator.Type.BINARY):
        value = float(round(value))
    else:
        value = round(value, 1)
    return {"value": value, "value_year": None}


def _attainments(assessment: Assessment, traits: CityTraits, period: int) -> dict[int, float]:
    # One stream per city and period, so loading a subset reproduces the same numbers.
    rng = np.random.default_rng([SEED, int(assessment.city_id), period])
    improvement = 0.0 if period == PUBLISHED_PERIODS[0] else max(0.0, rng.normal(0.12, 0.1))
    values = {}
    responses = assessment.responses.select_related("indicator__node__parent").order_by("indicator__node__code")
    for response in responses:
        dimension = response.indicator.node.parent.code
        if dimension in DIMENSION_OFFSET:
            base = traits.in_city + DIMENSION_OFFSET[dimension]
        else:
            base = traits.cross_boundary + CROSS_BOUNDARY_OFFSET
        score = base + improvement + rng.normal(0, 0.6)
        values[response.pk] = min(1.0, max(0.0, 1 / (1 + math.exp(-1.6 * score))))
    return values


def _fill(assessment: Assessment, traits: CityTraits, period: int, consultant, share: float = 1.0) -> None:
    attainments = _attainments(assessment, traits, period)
    rng = np.random.default_rng([SEED, int(assessment.city_id), period, 7])
    evidence, changed = [], []
    for response in assessment.responses.select_related("indicator__node").order_by("indicator__node__code"):
        if share < 1.0 and rng.random() > share:
            continue
        indicator = response.indicator
        values = {
            **_answer(indicator, attainments[response.pk]),
            "source": SOURCE,
            "quality": str(rng.choice(["A", "B", "B", "C", "D"])),
            "confidence": str(rng.choice(["high", "medium", "medium", "low"])),
        }
        if indicator.type != Indicator.Type.LEVEL:
            values["value_year"] = period - 1
        # The same rules as response_save, in one bulk write: a fresh demo
        # assessment has no concurrent editor, and history is still recorded.
        services.response_clean(indicator, {**services.response_values(response), **values})
        for name, value in values.items():
            setattr(response, name, value)
        response.to_confirm = False
        response.version += 1
        response.updated_by = consultant
        changed.append(response)
        if indicator.evidence_required:
            evidence.append(Evidence(response=response, kind=Evidence.Kind.NOTE, note=SOURCE, uploaded_by=consultant))
    fields = [*services.RESPONSE_FIELDS, "to_confirm", "version", "updated_by"]
    for response in changed:
        Response.objects.filter(pk=response.pk).update(**{name: getattr(response, name) for name in fields})
    Response.history.bulk_history_create(changed, default_user=consultant)
    existing = set(Evidence.objects.filter(response__assessment=assessment).values_list("response_id", flat=True))
    Evidence.objects.bulk_create([item for item in evidence if item.response_id not in existing])


def _publish(assessment: Assessment, consultant, reviewer) -> Assessment:
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_start_review(assessment=assessment, user=reviewer)
    services.assessment_approve(assessment=assessment, user=reviewer)
    return services.assessment_publish(assessment=assessment, user=reviewer)


def demo_reset() -> int:
    """Delete the demo assessments (and only those); newest revisions first."""
    demo = Assessment.objects.filter(is_demo=True)
    count = demo.count()
    while demo.exists():
        demo.filter(replaced_by__isnull=True).delete()
    return count


def demo_load(*, city_codes: list[str] | None = None) -> DemoSummary:
    """Create whatever demo assessments are missing; existing ones are left alone."""
    framework = Framework.objects.get(code="DSMF", version="1.0")
    demo_accounts_ensure(password=settings.DEMO_PASSWORD)
    users = get_user_model().objects
    consultant, reviewer = users.get(username="consultant"), users.get(username="reviewer")
    cities = list(City.objects.filter(code__in=city_codes) if city_codes else City.objects.all())
    cities.sort(key=lambda c: c.code)
    traits = city_traits(cities)
    summary = DemoSummary(stages={period: Counter() for period in PUBLISHED_PERIODS})
    existing = {
        (a.city_id, a.period): a
        for a in Assessment.objects.filter(kind=Assessment.Kind.CONSULTANT, revision=1).select_related("result")
    }
    for city in cities:
        previous = None
        for period in PUBLISHED_PERIODS:
            found = existing.get((city.code, period))
            if found is not None:
                summary.skipped += 1
                previous = found
                if hasattr(found, "result"):
                    summary.stages[period][found.result.stage] += 1
                continue
            with transaction.atomic():
                if previous is not None and previous.status == Assessment.Status.PUBLISHED:
                    assessment = services.assessment_start_from_previous(
                        previous=previous, period=period, consultants=[consultant], reviewer=reviewer
                    )
                else:
                    assessment = services.assessment_create(
                        city=city, framework=framework, period=period, consultants=[consultant], reviewer=reviewer, is_demo=True
                    )
                _fill(assessment, traits[city.code], period, consultant)
                assessment = _publish(assessment, consultant, reviewer)
            summary.created += 1
            summary.stages[period][assessment.result.stage] += 1
            previous = assessment
    _load_extras(cities, traits, framework, consultant, reviewer, existing, summary)
    return summary


def _load_extras(cities, traits, framework, consultant, reviewer, existing, summary) -> None:
    """A few 2026 assessments in draft and in review, so the workflow pages have work to show."""
    codes = [c.code for c in cities]
    plan = [(code, "draft") for code in ("330100", "320500", "341300") if code in codes]
    plan += [(code, "in_review") for code in ("310000", "340100") if code in codes]
    by_code = {c.code: c for c in cities}
    for code, target in plan:
        if (code, EXTRA_PERIOD) in existing:
            summary.skipped += 1
            continue
        with transaction.atomic():
            assessment = services.assessment_create(
                city=by_code[code], framework=framework, period=EXTRA_PERIOD, consultants=[consultant], reviewer=reviewer, is_demo=True
            )
            _fill(assessment, traits[code], EXTRA_PERIOD, consultant, share=0.6 if target == "draft" else 1.0)
            if target == "in_review":
                services.assessment_submit(assessment=assessment, user=consultant)
                services.assessment_start_review(assessment=assessment, user=reviewer)
        summary.created += 1
