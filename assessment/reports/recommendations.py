"""Recommendations from a city's own gaps, arranged by the source article's three levers.

The article closes with three levers for the dual-space city:

1. development concept and top-level design (发展理念与顶层设计): the city as
   a node of connection and coordination, not an information island; policy,
   norms and top-level design;
2. key digital resources (关键数字资源): national general resources through
   open standard interfaces, regional professional data resources joined to
   city platforms, shared cluster services;
3. digital-space governance (数字空间治理): security, data ownership, digital
   wealth, privacy.

Each DSMF dimension is assigned to the lever that acts on it (`LEVER_OF`).
A recommendation is never canned text: it names the city's weakest
dimensions in that lever (its score against the region's median and best),
and the indicators there with the lowest scores, from their answer to the
answer of the region's best. A lever with no dimension below the median says
so. Pure Python: the caller gives plain rows.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

LEVERS = ("concept", "resources", "governance")

# The lever acting on each DSMF dimension (see the module docstring).
LEVER_OF = {
    "W2": "concept",  # joined-up government: a design decision of the city
    "B2": "concept",  # collaboration and service aggregation across departments
    "W3": "concept",  # coordinated city operation
    "X1": "concept",  # regional coordination and positioning (上下拉通、左右协同)
    "W1": "resources",  # digital foundations
    "B1": "resources",  # connection of data, systems and business
    "X2": "resources",  # mutual recognition: shared services across cities
    "X3": "resources",  # shared digital resources and open interfaces
    "X4": "resources",  # joint operations and service elasticity
    "X5": "resources",  # flows of production factors
    "X6": "governance",  # digital-space governance
}


@dataclass(frozen=True)
class DimensionStanding:
    code: str
    name: str
    score: float | None
    median: float | None
    best: float | None


@dataclass(frozen=True)
class IndicatorStanding:
    code: str
    dimension: str
    name: str
    score: float | None  # normalised 0-100
    answer: str  # as the city answered, with unit
    best_answer: str  # the region's best answer, with unit


@dataclass(frozen=True)
class Action:
    dimension: DimensionStanding
    indicators: tuple[IndicatorStanding, ...]


@dataclass
class LeverAdvice:
    lever: str
    actions: list[Action] = field(default_factory=list)
    dimensions_on_track: list[DimensionStanding] = field(default_factory=list)


def advice_by_lever(
    dimensions: Sequence[DimensionStanding],
    indicators: Sequence[IndicatorStanding],
    per_lever: int = 2,
    per_dimension: int = 2,
) -> list[LeverAdvice]:
    """Per lever: its dimensions below the region's median, weakest first, each with its weakest indicators."""
    by_dimension: dict[str, list[IndicatorStanding]] = {}
    for indicator in indicators:
        by_dimension.setdefault(indicator.dimension, []).append(indicator)
    advice = {lever: LeverAdvice(lever) for lever in LEVERS}
    for dimension in dimensions:
        lever = LEVER_OF.get(dimension.code)
        if lever is None:
            continue
        is_behind = dimension.score is not None and dimension.median is not None and dimension.score < dimension.median
        if not is_behind:
            advice[lever].dimensions_on_track.append(dimension)
    for lever in LEVERS:
        behind = [d for d in dimensions if LEVER_OF.get(d.code) == lever and d not in advice[lever].dimensions_on_track]
        behind.sort(key=lambda d: (d.score or 0) - (d.median or 0))
        for dimension in behind[:per_lever]:
            weakest = sorted(
                (i for i in by_dimension.get(dimension.code, []) if i.score is not None and i.score < 100),
                key=lambda i: i.score or 0,
            )[:per_dimension]
            advice[lever].actions.append(Action(dimension, tuple(weakest)))
    return [advice[lever] for lever in LEVERS]


def headline(steps: Sequence[Mapping[str, object]], advice: Sequence[LeverAdvice]) -> tuple[str, str] | None:
    """The one thing to do first: the first step to the next stage, else the weakest dimension.

    Returns (kind, code): ("step", indicator code) or ("dimension", code).
    """
    if steps:
        return "step", str(steps[0]["code"])
    weakest = [action.dimension for lever in advice for action in lever.actions]
    if weakest:
        worst = min(weakest, key=lambda d: (d.score or 0) - (d.median or 0))
        return "dimension", worst.code
    return None
