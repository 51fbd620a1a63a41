"""Reads a city's recommendations: the framework's guidance, the published snapshot, the gap plan and the agreements.

The rules are in the pure `assessment.insight.recommendations`; this adapter only
reads their plain rows and the sentences in the reader's language. The city report
and the city dashboard call `city_recommendations`; the regional synthesis calls it
per city.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.dashboards.labels import (
    answer_text,
    answer_with_score_text,
    domain_in_sentence,
    points_text,
    stage_labels,
)
from assessment.insight.recommendations import (
    SCORE_RANGE,
    AgreementOffer,
    Blocker,
    IndicatorFacts,
    PartnerData,
    Recommendation,
    Wording,
    recommend,
)
from assessment.models import Assessment, Indicator
from assessment.scoring.stage_gap import TOP_LEVEL
from cities.dual_space import DualSpace
from cities.models import Agreement, City
from cities.network import select_agreements
from cities.selectors import agreement_edges, regions_of_city

if TYPE_CHECKING:
    from assessment.dashboards.panels import RegionView

# Quantities other than counts are shown to one decimal, as the dashboards show numbers (labels.display_number).
QUANTITY_DIGITS = 1


def _now(answer: str, score: float | None, best: str | None) -> str:
    """The answer with its score (and the region's best), as the dashboards say it; it opens a sentence."""
    return str(capfirst(answer_with_score_text(answer, score, best)))


def wording() -> Wording:
    """The items' sentences in the active language, with the dashboards' number formatters (labels)."""
    return Wording(
        points=points_text,
        now=_now,
        blocks_threshold=_("Step {step} of the plan to reach {stage}"),
        blocks_floor=_("Critical indicator below the floor of {floor}: blocks {stage}"),
        critical=_("Critical indicator below the floor of {floor}"),
        low_contribution=_("{now}; at the top it would add up to {points} to the index"),
        partner_join=_("Join “{agreement}”"),
        partner_sign=_("Sign an agreement on {domains} with {city}"),
        raise_to=_("Raise it to {target}"),
        separator=_(", "),
        missing=_("no answer"),
    )


def partner_data(city: City, on: dt.date, space: DualSpace) -> PartnerData:
    """Agreements in force in the city's regions, the cities it is bound with per domain, and its pair flows.

    The flows are ``space``'s pair flows F_ij (`cities.selectors.region_dual_space`
    for the region shown, gravity or imported flows), the same the dual-space
    chapter draws, so "sign with" names a city the reader finds there.
    """
    regions = regions_of_city(city)
    members = set(City.objects.filter(memberships__region__in=regions).values_list("code", flat=True).distinct()) | {
        city.code
    }
    # The same edges as the network and the dual space: leads and members are parties, observers are not.
    edges = {edge.agreement_id: edge for edge in agreement_edges(city_codes=members)}
    in_force = {edge.agreement_id for edge in select_agreements(edges.values(), on=on)}
    offers = [
        AgreementOffer(
            title=agreement.title,
            domain=agreement.domain,
            parties=frozenset(edges[agreement.key].parties),
            mode=edges[agreement.key].mode,
        )
        for agreement in Agreement.objects.filter(
            key__in=in_force, region__in=[region.code for region in regions]
        ).order_by("key")
    ]
    bound: dict[str, set[str]] = {}
    for key in in_force:
        edge = edges[key]
        if city.code in edge.parties:
            bound.setdefault(edge.domain, set()).update(code for code in edge.parties if code != city.code)
    flows = {pair.partner_of(city.code): pair.flow for pair in space.pairs if city.code in pair.pair}
    return PartnerData(
        offers=offers,
        flows=flows,
        bound={domain: frozenset(codes) for domain, codes in bound.items()},
        names={item.code: item.name_distinct for item in City.objects.filter(code__in=members)},
        # Named inside the partner sentence ("Sign an agreement on talent with Nantong").
        domain_names={value: domain_in_sentence(str(label)) for value, label in Agreement.Domain.choices},
    )


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _level(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def quantity_shown(indicator: Indicator, value: float | None, *, target: bool = False) -> float | None:
    """A quantity at the indicator's display precision: counts whole, other quantities to one decimal.

    The gap plan's targets are computed to the hundredth ("38.6% → 49.52%"); a
    target is rounded towards the better side, so the figure printed still
    reaches what the gap plan asks. Levels and yes/no answers pass unchanged.
    """
    if value is None or indicator.type not in (Indicator.Type.QUANTITATIVE, Indicator.Type.COUNT):
        return value
    digits = 0 if indicator.type == Indicator.Type.COUNT else QUANTITY_DIGITS
    if not target:
        return round(value, digits)
    scale = 10**digits
    # The tolerance keeps float noise (49.500000001) from adding a step.
    if indicator.direction == Indicator.Direction.LOWER_IS_BETTER:
        return math.floor(value * scale + 1e-9) / scale
    return math.ceil(value * scale - 1e-9) / scale


def level_score(indicator: Indicator, level: int) -> float:
    """A level's normalised score: its place between the indicator's goalposts, on the 0-100 scale.

    Goalposts normalisation (`scoring.normalise`), the maturity framework's own:
    n = clip((x - L) / (U - L), 0, 1) x 100, mirrored when lower is better.
    Without goalposts the levels span 0 to `scoring.stage_gap.TOP_LEVEL`.
    """
    lower, upper = indicator.lower, indicator.upper
    if lower is None or upper is None or upper <= lower:
        lower, upper = 0.0, float(TOP_LEVEL)
    share = (level - lower) / (upper - lower)
    if indicator.direction == Indicator.Direction.LOWER_IS_BETTER:
        share = 1.0 - share
    return SCORE_RANGE * min(1.0, max(0.0, share))


def city_recommendations(view: RegionView, city_code: str) -> list[Recommendation]:
    """The city's ranked recommendations in the region shown; [] when it has no published result there.

    The partners' flows are the view's dual-space gap (`RegionView.dual_space`, read once per view).
    """
    snapshot = view.snapshot
    if snapshot is None or city_code not in snapshot.normalised.index:
        return []
    on = view.reference_date
    space = view.dual_space
    framework = view.filters.framework
    structure = view.structure
    in_city_dimensions = set(structure.dimensions_of.get(structure.halves[0], ())) if structure.halves else set()
    dimension_of = {
        code: dimension for dimension in structure.dimensions for code in structure.indicators_of[dimension]
    }
    weights = scoring.effective_weights(snapshot.tree, view.filters.weights or None)
    indicators = {
        indicator.node.code: indicator
        for indicator in Indicator.objects.filter(node__framework=framework)
        .select_related("node")
        .prefetch_related("levels")
    }
    normalised = snapshot.normalised
    raw = snapshot.raw
    facts = []
    for code in normalised.columns:
        indicator = indicators.get(code)
        if indicator is None or code not in dimension_of:
            continue
        column = normalised[code]
        score = _number(column.get(city_code))
        best_city = column.idxmax() if column.notna().any() else None
        best_score = _number(column.max()) if best_city is not None else None
        value = _number(raw.at[city_code, code]) if code in raw.columns else None
        best_value = _number(raw.at[best_city, code]) if best_city is not None and code in raw.columns else None
        is_level = indicator.type == Indicator.Type.LEVEL
        level = _level(value) if is_level else None
        descriptors = {descriptor.level: descriptor for descriptor in indicator.levels.all()}
        if is_level:
            next_level = min((level or 0) + 1, TOP_LEVEL)
            next_target, next_score = answer_text(indicator, next_level), level_score(indicator, next_level)
        elif best_score is not None and score is not None and best_score > score and best_value is not None:
            next_target, next_score = answer_text(indicator, quantity_shown(indicator, best_value)), best_score
        else:
            top = indicator.upper if indicator.direction == Indicator.Direction.HIGHER_IS_BETTER else indicator.lower
            next_target, next_score = (answer_text(indicator, top) if top is not None else ""), SCORE_RANGE
        actions = {
            # The framework's action for the level; its descriptor when no action is written yet.
            target: indicator.action_towards(target) or descriptors[target].text
            for target in range(1, TOP_LEVEL + 1)
            if target in descriptors
        }
        facts.append(
            IndicatorFacts(
                code=code,
                name=indicator.node.name,
                dimension=dimension_of[code],
                in_city=dimension_of[code] in in_city_dimensions,
                is_level=is_level,
                critical=indicator.critical,
                effective_weight=float(weights.get(code, 0.0)),
                score=score,
                best_score=best_score,
                level=level,
                best_level=_level(best_value) if is_level else None,
                current=answer_text(indicator, quantity_shown(indicator, value)),
                best=answer_text(indicator, quantity_shown(indicator, best_value)),
                next_target=next_target,
                next_score=next_score,
                actions=actions,
                levels={target: answer_text(indicator, target) for target in descriptors} if is_level else {},
                level_scores={target: level_score(indicator, target) for target in descriptors} if is_level else {},
                action=indicator.action,
                lead_agency=indicator.get_lead_agency_display() if indicator.lead_agency else "",
                control=indicator.control or Indicator.Control.CITY,
                domains=tuple((indicator.derived_from or {}).get("domains", ())),
                modes=tuple((indicator.derived_from or {}).get("modes", ())),
            )
        )
    assessment = Assessment.objects.select_related("result").get(pk=snapshot.assessment_ids[city_code])
    gap = getattr(assessment, "result", None)
    gap = (gap.gap or {}) if gap is not None else {}
    blockers = []
    for step in gap.get("improvements", []):
        indicator = indicators.get(step["indicator"])
        if indicator is None:
            continue
        to_raw = _number(step.get("to_raw"))
        blockers.append(
            Blocker(
                indicator=step["indicator"],
                critical_floor=step.get("reason") == "critical_floor",
                target=answer_text(indicator, quantity_shown(indicator, to_raw, target=True)),
                target_level=_level(to_raw) if indicator.type == Indicator.Type.LEVEL else None,
                target_score=_number(step.get("to_normalised")),
            )
        )
    next_stage = gap.get("next_stage")
    city = City.objects.get(code=city_code)
    return recommend(
        city=city_code,
        indicators=facts,
        blockers=blockers,
        next_stage=stage_labels(framework).get(next_stage, next_stage) if next_stage else None,
        critical_floor=float(framework.critical_floor),
        partners=partner_data(city, on, space),
        wording=wording(),
    )
