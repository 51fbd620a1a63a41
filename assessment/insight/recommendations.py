"""What a city should do first: a short ranked list of recommendations, each with an action, an owner and a horizon.

Pure Python: no Django. The adapter `assessment/selectors/recommendations.py` reads
the framework, the published snapshot, the gap plan and the agreements into the
plain rows below; `recommend` ranks them.

Triggers, in order of priority (an indicator appears once, under its first trigger)
------------------------------------------------------------------------------------
1. ``blocks_stage``: the steps of the least-effort plan to the next rung of the
   stage ladder (`assessment/scoring/stage_gap.py`), in the plan's order. They come
   first because nothing else moves the city's stage.
2. ``critical``: any critical indicator below the framework's critical floor (it
   blocks its rung whatever the other scores are), lowest score first.
3. ``far_below_best``: an indicator at least ``FAR_BELOW_BEST_LEVELS`` levels below
   the region's best answer (level indicators), or at least ``FAR_BELOW_BEST_POINTS``
   (= FAR_BELOW_BEST_LEVELS x POINTS_PER_LEVEL) normalised points below the region's
   best score (any indicator); largest gap first.
4. ``low_contribution``: the largest weighted shortfall, e x (100 - s), where e is
   the indicator's effective weight in the index (product of the normalised weights
   on its path, COINr's effective weights; `scoring.explain.effective_weights`) and s
   its normalised score. Under the weighted arithmetic mean it is the number of index
   points the indicator would add if raised to the top, so it ranks where a point of
   effort adds most to the index. This trigger is absolute: it fires for a city that
   leads its region too (an indicator at level 3 is 40 points short whatever the
   others do), so a leading city still gets concrete items.
The list stops at ``MAX_RECOMMENDATIONS`` items; ``priority`` numbers them from 1.

Each item
---------
* ``action``: the framework's own words for the NEXT level (the descriptor action of
  current level + 1 for a level indicator, else the indicator's general action), even
  when the plan asks for more than one level: a reader acts one level at a time.
* ``horizon``: ``this_year`` when the city controls the indicator alone and the item
  asks at most ``THIS_YEAR_STEPS`` step (one level, or ``POINTS_PER_LEVEL`` =
  SCORE_RANGE / `scoring.stage_gap.STEPS_PER_RANGE` normalised points for a quantity,
  the stage gap's step of effort); otherwise
  ``plan_period`` (more than one level, or it needs partner cities or the province).
* ``partner`` (cross-boundary indicators whose value derives from agreements in some
  domains, and in some modes when the rule names them): first an agreement in force in
  the city's regions, in one of those domains and, when the indicator names modes, of
  one of those modes, that the city is not a party of (leads and members are parties,
  observers are not), the one with most parties first ("join ..."); else the city with
  the strongest physical flow to this one that shares no agreement in force with it in
  those domains ("sign with ..."). The flows are the pair flows F_ij of the dual-space
  gap (`cities/dual_space.py`: gravity, or imported flows when the data cover the
  region), the same the report's dual-space chapter draws; a pair without flow is no
  candidate.

Sentences: the engine writes no number itself. ``Wording.points`` says a number of
points and ``Wording.now`` an answer with its score (and the region's best); the
adapter passes the dashboards' helpers (`assessment.dashboards.labels`), so an item
reads as the rest of the report.

Levers, as the source article's closing section defines them, plus one block for the
city's own foundations:
* ``foundations`` (W1 B1 W2 B2 W3): the in-city waves and breakthroughs, what the city
  builds inside its boundary before it can connect across it.
* ``concept`` (发展理念与顶层设计): X1, regional coordination and positioning, is the
  article's lever 1 in its own words (the city as a node of 多维拉通和协同, 上下拉通、
  左右协同 interfaces, its place in regional division of labour). X5, flows of production
  factors, goes here too: the article names the conflict as one of concept (管理理念落后于
  发展理念: governance built on the administrative territory against a city-region model
  built on the flow of factors), and enterprise services, talent, science and finance
  across cities are the city-region development concept put into practice.
* ``resources`` (关键数字资源): X2 mutual recognition and service interworking, X3 shared
  digital resources and open interfaces, X4 joint operations: the article's lever 2
  names national general resources through open standard interfaces, regional
  professional data joined to city platforms, and services shared by the cities of a
  cluster (public transport, education, culture and tourism, medical care, logistics).
* ``governance`` (数字空间治理): X6, security, data ownership, digital wealth, privacy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from assessment.scoring.stage_gap import STEPS_PER_RANGE, TOP_LEVEL

LEVERS = ("foundations", "concept", "resources", "governance")
TRIGGERS = ("blocks_stage", "critical", "far_below_best", "low_contribution")
HORIZONS = ("this_year", "plan_period")
CONTROLS = ("city", "region", "province")

# The list a reader gets: at most this many items.
MAX_RECOMMENDATIONS = 6
# Normalised scores run 0-100 (the goalposts' default scale, scoring/normalise.py).
SCORE_RANGE = 100.0
# One step of effort: one level, or a level's share of the range (scoring/stage_gap.py): 20 points.
POINTS_PER_LEVEL = SCORE_RANGE / STEPS_PER_RANGE
# "Far below the region's best": this many levels, or as many levels' worth of normalised points.
FAR_BELOW_BEST_LEVELS = 2
FAR_BELOW_BEST_POINTS = FAR_BELOW_BEST_LEVELS * POINTS_PER_LEVEL
# An item the city controls alone and that asks at most this many steps is for this year.
THIS_YEAR_STEPS = 1.0
_TOLERANCE = 1e-9

# The lever acting on each DSMF dimension (see the module docstring).
LEVER_OF = {
    "W1": "foundations",
    "B1": "foundations",
    "W2": "foundations",
    "B2": "foundations",
    "W3": "foundations",
    "X1": "concept",
    "X5": "concept",
    "X2": "resources",
    "X3": "resources",
    "X4": "resources",
    "X6": "governance",
}


@dataclass(frozen=True)
class IndicatorFacts:
    """One indicator of one city, as the engine needs it (scores normalised 0-100)."""

    code: str
    name: str
    dimension: str
    in_city: bool
    is_level: bool
    critical: bool
    effective_weight: float
    score: float | None
    best_score: float | None
    level: int | None
    best_level: int | None
    current: str  # the city's answer in words ("level 2", "45 %")
    best: str  # the region's best answer in words
    next_target: str  # one step up in words: the next level, or the caller's target for a quantity
    next_score: float | None  # the normalised score of next_target
    actions: Mapping[int, str] = field(default_factory=dict)  # level -> what to do to reach it
    levels: Mapping[int, str] = field(default_factory=dict)  # level -> the level in words (level indicators)
    # level -> its normalised score (level indicators; from the indicator's goalposts), for the floor's level
    level_scores: Mapping[int, float] = field(default_factory=dict)
    action: str = ""  # the general action
    lead_agency: str = ""
    control: str = "city"
    domains: tuple[str, ...] = ()  # agreement domains the value derives from
    modes: tuple[str, ...] = ()  # agreement modes the value derives from (none: any mode)


@dataclass(frozen=True)
class Blocker:
    """One step of the gap plan to the next stage (`stage_gap.Improvement`), in words."""

    indicator: str
    critical_floor: bool
    target: str
    target_level: int | None
    target_score: float | None


@dataclass(frozen=True)
class AgreementOffer:
    """An agreement in force in one of the city's regions; ``parties`` are leads and members."""

    title: str
    domain: str
    parties: frozenset[str]
    mode: str = ""


@dataclass(frozen=True)
class PartnerData:
    """What the partner rule reads: agreements to join, flows and who the city is bound with per domain."""

    offers: Sequence[AgreementOffer] = ()
    flows: Mapping[str, float] = field(default_factory=dict)  # other city -> pair flow F_ij (cities/dual_space.py)
    bound: Mapping[str, frozenset[str]] = field(default_factory=dict)  # domain -> cities bound with the city
    names: Mapping[str, str] = field(default_factory=dict)
    domain_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Wording:
    """The sentences of the items in the reader's language: the adapter translates them and passes the formatters.

    ``points(value)`` says a number of points ("34.8 points"); ``now(answer, score,
    best)`` an answer with its score and, when given, the region's best ("Now level 2
    (40 points); the region's best is level 4"). The engine formats no number itself.
    """

    points: Callable[[float | None], str]
    now: Callable[[str, float | None, str | None], str]
    blocks_threshold: str = "Step {step} of the plan to reach {stage}"
    blocks_floor: str = "Critical indicator below the floor of {floor}: blocks {stage}"
    critical: str = "Critical indicator below the floor of {floor}"
    low_contribution: str = "{now}; at the top it would add up to {points} to the index"
    partner_join: str = "Join “{agreement}”"
    partner_sign: str = "Sign an agreement on {domains} with {city}"
    raise_to: str = "Raise it to {target}"
    separator: str = ", "
    missing: str = "no answer"


@dataclass(frozen=True)
class Recommendation:
    """One thing to do, ranked: ``priority`` 1 is the first."""

    indicator: str
    name: str
    dimension: str
    lever: str
    trigger: str
    why: str
    current: str
    target: str
    action: str
    lead_agency: str
    control: str
    horizon: str
    partner: str | None
    priority: int


def lever_of(facts: IndicatorFacts) -> str:
    """The article's lever for an indicator's dimension; an unknown dimension goes by its half."""
    return LEVER_OF.get(facts.dimension, "foundations" if facts.in_city else "resources")


def horizon(control: str, steps: float) -> str:
    """This year when the city acts alone and the item is at most one step; else within the plan period."""
    return "this_year" if control == "city" and steps <= THIS_YEAR_STEPS + _TOLERANCE else "plan_period"


def partner(facts: IndicatorFacts, city: str, data: PartnerData, wording: Wording) -> str | None:
    """The agreement to join, else the city to sign with, for a cross-boundary indicator with domains."""
    if facts.in_city or not facts.domains:
        return None
    offers = [
        offer
        for offer in data.offers
        if offer.domain in facts.domains
        and (not facts.modes or offer.mode in facts.modes)
        and city not in offer.parties
        and offer.parties
    ]
    if offers:
        best = min(offers, key=lambda offer: (-len(offer.parties), offer.title))
        return wording.partner_join.format(agreement=best.title)
    bound: set[str] = set()
    for domain in facts.domains:
        bound |= data.bound.get(domain, frozenset())
    candidates = sorted(
        (code for code, flow in data.flows.items() if flow > 0 and code != city and code not in bound),
        key=lambda code: (-data.flows[code], code),
    )
    if not candidates:
        return None
    domains = wording.separator.join(data.domain_names.get(domain, domain) for domain in facts.domains)
    return wording.partner_sign.format(city=data.names.get(candidates[0], candidates[0]), domains=domains)


def _steps(facts: IndicatorFacts, target_level: int | None, target_score: float | None) -> float:
    if facts.is_level and target_level is not None:
        return float(target_level - (facts.level or 0))
    if target_score is None:
        return THIS_YEAR_STEPS
    return (target_score - (facts.score or 0.0)) / POINTS_PER_LEVEL


def _next_action(facts: IndicatorFacts, target: str, wording: Wording) -> str:
    """The framework's action for the next level, else its general action, else "raise it to" the item's target."""
    action = facts.actions.get((facts.level or 0) + 1, "") if facts.is_level else ""
    return action or facts.action or wording.raise_to.format(target=target)


def _floor_target(facts: IndicatorFacts, critical_floor: float) -> tuple[str, float]:
    """The answer that reaches the critical floor, and the steps to it (a quantity: one step up)."""
    if facts.is_level:
        reaching = [level for level, score in facts.level_scores.items() if score >= critical_floor - _TOLERANCE]
        if reaching:
            level = min(reaching)
        else:  # no goalposts given: the default 0-TOP_LEVEL scale
            level = min(TOP_LEVEL, math.ceil(critical_floor / POINTS_PER_LEVEL - _TOLERANCE))
        return facts.levels.get(level, facts.next_target), float(level - (facts.level or 0))
    return facts.next_target, _next_steps(facts)


def _far_below_best(facts: IndicatorFacts) -> bool:
    if facts.score is None or facts.best_score is None:
        return False
    if facts.is_level and facts.level is not None and facts.best_level is not None:
        if facts.best_level - facts.level >= FAR_BELOW_BEST_LEVELS:
            return True
    return facts.best_score - facts.score >= FAR_BELOW_BEST_POINTS - _TOLERANCE


def weighted_shortfall(facts: IndicatorFacts) -> float:
    """e x (100 - s): the index points the indicator would add at the top (weighted arithmetic mean)."""
    return facts.effective_weight * (SCORE_RANGE - (facts.score or 0.0))


def recommend(
    *,
    city: str,
    indicators: Sequence[IndicatorFacts],
    blockers: Sequence[Blocker],
    next_stage: str | None,
    critical_floor: float,
    wording: Wording,
    partners: PartnerData | None = None,
    limit: int = MAX_RECOMMENDATIONS,
) -> list[Recommendation]:
    """The city's ranked recommendations (see the module docstring for the rules)."""
    partners = partners or PartnerData()
    by_code = {facts.code: facts for facts in indicators}
    chosen: list[tuple[IndicatorFacts, str, str, str, float]] = []  # facts, trigger, why, target, steps
    seen: set[str] = set()

    def take(facts: IndicatorFacts, trigger: str, why: str, target: str, steps: float) -> None:
        if facts.code not in seen:
            seen.add(facts.code)
            chosen.append((facts, trigger, why, target, steps))

    stage = next_stage or ""
    for number, step in enumerate(blockers, start=1):
        facts = by_code.get(step.indicator)
        if facts is None:
            continue
        why = (
            wording.blocks_floor.format(floor=wording.points(critical_floor), stage=stage)
            if step.critical_floor
            else wording.blocks_threshold.format(step=number, stage=stage)
        )
        take(facts, "blocks_stage", why, step.target, _steps(facts, step.target_level, step.target_score))

    below_floor = [
        facts
        for facts in indicators
        if facts.critical and (facts.score is None or facts.score < critical_floor - _TOLERANCE)
    ]
    for facts in sorted(below_floor, key=lambda f: (f.score or 0.0, f.code)):
        why = wording.critical.format(floor=wording.points(critical_floor))
        take(facts, "critical", why, *_floor_target(facts, critical_floor))

    far = [facts for facts in indicators if _far_below_best(facts)]
    for facts in sorted(far, key=lambda f: (-((f.best_score or 0.0) - (f.score or 0.0)), -f.effective_weight, f.code)):
        why = wording.now(facts.current or wording.missing, facts.score, facts.best)
        take(facts, "far_below_best", why, facts.next_target, _next_steps(facts))

    short = [facts for facts in indicators if facts.score is not None and facts.score < SCORE_RANGE - _TOLERANCE]
    for facts in sorted(short, key=lambda f: (-weighted_shortfall(f), f.code)):
        why = wording.low_contribution.format(
            now=wording.now(facts.current or wording.missing, facts.score, None),
            points=wording.points(weighted_shortfall(facts)),
        )
        take(facts, "low_contribution", why, facts.next_target, _next_steps(facts))

    return [
        Recommendation(
            indicator=facts.code,
            name=facts.name,
            dimension=facts.dimension,
            lever=lever_of(facts),
            trigger=trigger,
            why=why,
            current=facts.current or wording.missing,
            target=target,
            action=_next_action(facts, target, wording),
            lead_agency=facts.lead_agency,
            control=facts.control,
            horizon=horizon(facts.control, steps),
            partner=partner(facts, city, partners, wording),
            priority=priority,
        )
        for priority, (facts, trigger, why, target, steps) in enumerate(chosen[:limit], start=1)
    ]


def _next_steps(facts: IndicatorFacts) -> float:
    if facts.is_level:
        return 1.0
    return _steps(facts, None, facts.next_score)


def by_lever(items: Sequence[Recommendation]) -> list[tuple[str, list[Recommendation]]]:
    """The items in blocks by lever, in the article's order; a lever with none is left out."""
    return [
        (lever, [item for item in items if item.lever == lever])
        for lever in LEVERS
        if any(item.lever == lever for item in items)
    ]
