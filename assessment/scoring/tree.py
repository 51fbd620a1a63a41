"""The framework tree: indicators, the aggregates above them, and the stage ladder.

A framework is a tree.  Indicators are its leaves (level 1); every other node
is an aggregate (a dimension, a half, the index) whose score is computed from
its children.  Each node carries a weight relative to its siblings, so only
the ratios of sibling weights matter:

    w_i* = w_i / sum(w_j for j in siblings(i) and present)           [1]

and an indicator's effective weight in the root is the product of w* along its
path to the root (see `explain.py`).  Weights are dimensionless and >= 0.

Each indicator states how its raw values are read:

* ``direction`` +1 (higher is better) or -1 (lower is better);
* ``type``: ``level`` (maturity level, goalposts 0..5 unless given),
  ``binary`` (0/1, goalposts 0..1 unless given), ``quantitative`` (a value in
  the indicator's own unit) or ``count`` (a whole number);
* goalposts ``lower`` < ``upper`` in raw units, the values that normalise to
  0 and 100 (for direction -1: to 100 and 0);
* ``target`` in raw units, for distance-to-target normalisation;
* ``critical``: the indicator can block a stage on its own (see
  `stage_ladder.py`).

The stage ladder is a list of rungs from the lowest up.  A rung names the
nodes it requires, the threshold each must reach (default 60 of 100) and the
floor below which no critical indicator under them may fall (default 40);
all of them come from the framework's data, the defaults only fill gaps.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray

from assessment.scoring.errors import Problem, ScoringInputError

__all__ = [
    "DEFAULT_CRITICAL_FLOOR",
    "DEFAULT_THRESHOLD",
    "INDICATOR_TYPES",
    "FrameworkTree",
    "IndicatorSpec",
    "IndicatorType",
    "Node",
    "Rung",
    "StageLadder",
    "is_weight",
    "parent_cycles",
]

IndicatorType = Literal["level", "quantitative", "count", "binary"]
INDICATOR_TYPES: tuple[str, ...] = get_args(IndicatorType)

DEFAULT_THRESHOLD = 60.0
DEFAULT_CRITICAL_FLOOR = 40.0

# Goalposts implied by the type itself; quantities and counts have no natural ones.
_TYPE_GOALPOSTS: dict[str, tuple[float, float]] = {"level": (0.0, 5.0), "binary": (0.0, 1.0)}


# Controllability, from the city's own hand outward (framework schema: indicator.control).
CONTROLS = ("city", "region", "province")


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """A leaf of the framework: one measured indicator."""

    code: str
    parent: str
    weight: float = 1.0
    direction: int = 1
    type: IndicatorType = "quantitative"
    lower: float | None = None
    upper: float | None = None
    target: float | None = None
    critical: bool = False
    name: str = ""
    level: int = 1
    # The data column this indicator is divided by before scoring (COINr iMeta's Denominator); None: none.
    denominator: str | None = None
    # Who must act for it to move (CONTROLS, the framework's controllability): the gap plan prefers,
    # between equally effective steps, the one the city can take alone.
    control: str = "city"

    @property
    def goalposts(self) -> tuple[float, float] | None:
        """Lower and upper goalposts in raw units, the type's own if none are given."""
        if self.lower is not None and self.upper is not None:
            return (self.lower, self.upper)
        return _TYPE_GOALPOSTS.get(self.type)


@dataclass(frozen=True, slots=True)
class Node:
    """An aggregate node (dimension, half, index).

    ``level`` may be left out: it is then one above the highest of its children.
    """

    code: str
    parent: str | None = None
    level: int | None = None
    weight: float = 1.0
    name: str = ""


@dataclass(frozen=True, slots=True)
class Rung:
    """One rung of the stage ladder and what it takes to reach it."""

    code: str
    requires: tuple[str, ...]
    threshold: float = DEFAULT_THRESHOLD
    critical_floor: float = DEFAULT_CRITICAL_FLOOR
    name: str = ""
    # Critical indicators outside the required nodes that must also reach the floor from this rung up:
    # cybersecurity gates a city from its first shared data (S1+), not only when its dimension is required.
    gates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageLadder:
    """Rungs from the lowest up; a unit reaching none is at ``base_stage``."""

    rungs: tuple[Rung, ...]
    base_stage: str = "S0"

    @property
    def stages(self) -> tuple[str, ...]:
        """Every stage code from the base up."""
        return (self.base_stage, *(rung.code for rung in self.rungs))

    @classmethod
    def from_records(cls, rungs: Iterable[Rung | Mapping[str, Any]], *, base_stage: str = "S0") -> StageLadder:
        """Build from `Rung`s or mappings with the same keys (``requires`` any iterable)."""
        built: list[Rung] = []
        problems: list[Problem] = []
        for position, record in enumerate(rungs, start=1):
            if isinstance(record, Rung):
                built.append(record)
                continue
            values = _known_keys(record, Rung, position, problems)
            if values is None:
                continue
            for key in ("requires", "gates"):
                listed = values.get(key, ())
                values[key] = (listed,) if isinstance(listed, str) else tuple(listed)
            for key in ("threshold", "critical_floor"):
                if key in values and values[key] is None:
                    del values[key]
                elif key in values:
                    values[key] = _as_float(values[key])
            built.append(Rung(**values))
        if problems:
            raise ScoringInputError(problems)
        return cls(rungs=tuple(built), base_stage=base_stage)


def _as_float(value: Any) -> Any:
    return float(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value


def _known_keys(record: Mapping[str, Any], kind: type, position: int, problems: list[Problem]) -> dict[str, Any] | None:
    allowed = {f.name for f in fields(kind)}
    unknown = sorted(set(record) - allowed)
    if unknown:
        problems.append(Problem(position, ", ".join(unknown), f"unknown field for {kind.__name__}"))
        return None
    if "code" not in record:
        problems.append(Problem(position, "code", "missing"))
        return None
    return {key: _as_float(value) for key, value in record.items()}


@dataclass(frozen=True)
class FrameworkTree:
    """A validated framework: indicators, aggregates and an optional stage ladder.

    Construction checks the whole tree and raises one `ScoringInputError`
    listing every problem (row = node code, column = field).
    """

    indicators: tuple[IndicatorSpec, ...]
    aggregates: tuple[Node, ...]
    ladder: StageLadder | None = None
    _levels: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "aggregates", tuple(self.aggregates))
        object.__setattr__(self, "_levels", {})
        problems = self._validate()
        if problems:
            raise ScoringInputError(problems)

    # Construction -----------------------------------------------------------

    @classmethod
    def from_records(
        cls,
        indicators: Iterable[IndicatorSpec | Mapping[str, Any]],
        aggregates: Iterable[Node | Mapping[str, Any]],
        rungs: Iterable[Rung | Mapping[str, Any]] | None = None,
        *,
        base_stage: str = "S0",
    ) -> FrameworkTree:
        """Build from dataclasses or plain mappings keyed by the dataclass fields.

        Mapping values may be `Decimal` (as read from a database); ``None``
        for weight, direction, threshold or floor means "use the default".
        """
        problems: list[Problem] = []
        built_indicators: list[IndicatorSpec] = []
        for position, record in enumerate(indicators, start=1):
            if isinstance(record, IndicatorSpec):
                built_indicators.append(record)
                continue
            values = _known_keys(record, IndicatorSpec, position, problems)
            if values is None:
                continue
            for key in ("weight", "direction", "type", "critical", "name", "level", "control"):
                if key in values and values[key] is None:
                    del values[key]
            if "direction" in values and isinstance(values["direction"], float):
                values["direction"] = int(values["direction"])
            built_indicators.append(IndicatorSpec(**values))
        built_aggregates: list[Node] = []
        for position, node_record in enumerate(aggregates, start=1):
            if isinstance(node_record, Node):
                built_aggregates.append(node_record)
                continue
            node_values = _known_keys(node_record, Node, position, problems)
            if node_values is None:
                continue
            for key in ("weight", "name"):
                if key in node_values and node_values[key] is None:
                    del node_values[key]
            if isinstance(node_values.get("level"), float):
                node_values["level"] = int(node_values["level"])
            built_aggregates.append(Node(**node_values))
        ladder = None
        if rungs is not None:
            try:
                ladder = StageLadder.from_records(rungs, base_stage=base_stage)
            except ScoringInputError as error:
                problems.extend(error.problems)
        if problems:
            raise ScoringInputError(problems)
        return cls(tuple(built_indicators), tuple(built_aggregates), ladder)

    def with_weights(self, weights: Mapping[str, float]) -> FrameworkTree:
        """Return a copy whose node weights are replaced by ``weights`` (by code)."""
        unknown = sorted(set(weights) - set(self.codes))
        if unknown:
            raise ScoringInputError(Problem(code, "weight", "unknown node code") for code in unknown)
        indicators = tuple(
            replace(spec, weight=float(weights[spec.code])) if spec.code in weights else spec
            for spec in self.indicators
        )
        aggregates = tuple(
            replace(node, weight=float(weights[node.code])) if node.code in weights else node
            for node in self.aggregates
        )
        return FrameworkTree(indicators, aggregates, self.ladder)

    # Queries ----------------------------------------------------------------

    @cached_property
    def indicator_codes(self) -> tuple[str, ...]:
        """Indicator codes in the order given."""
        return tuple(spec.code for spec in self.indicators)

    @cached_property
    def aggregate_codes(self) -> tuple[str, ...]:
        """Aggregate codes from the lowest level up, in the order given within a level."""
        return tuple(node.code for node in sorted(self.aggregates, key=lambda node: self._levels[node.code]))

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """Every node code: indicators, then aggregates from the lowest level up."""
        return self.indicator_codes + self.aggregate_codes

    @cached_property
    def root(self) -> str:
        """The code of the single top aggregate (the index)."""
        return next(node.code for node in self.aggregates if node.parent is None)

    @cached_property
    def aggregate_levels(self) -> tuple[int, ...]:
        """Distinct aggregate levels, lowest first (the order of per-level aggregation)."""
        return tuple(sorted({self._levels[node.code] for node in self.aggregates}))

    @cached_property
    def indicator_by_code(self) -> dict[str, IndicatorSpec]:
        return {spec.code: spec for spec in self.indicators}

    @cached_property
    def aggregate_by_code(self) -> dict[str, Node]:
        return {node.code: node for node in self.aggregates}

    @cached_property
    def parent_of(self) -> dict[str, str | None]:
        parents: dict[str, str | None] = {spec.code: spec.parent for spec in self.indicators}
        parents.update({node.code: node.parent for node in self.aggregates})
        return parents

    @cached_property
    def weight_of(self) -> dict[str, float]:
        weights = {spec.code: float(spec.weight) for spec in self.indicators}
        weights.update({node.code: float(node.weight) for node in self.aggregates})
        return weights

    @cached_property
    def children_of(self) -> dict[str, tuple[str, ...]]:
        children: dict[str, list[str]] = {node.code: [] for node in self.aggregates}
        for code in self.codes:
            parent = self.parent_of[code]
            if parent is not None:
                children[parent].append(code)
        return {code: tuple(kids) for code, kids in children.items()}

    def level_of(self, code: str) -> int:
        """The level of a node: 1 for indicators, the given or derived level otherwise."""
        return self._levels[code]

    def ancestors(self, code: str) -> tuple[str, ...]:
        """The aggregates above ``code``, nearest first."""
        chain: list[str] = []
        parent = self.parent_of[code]
        while parent is not None:
            chain.append(parent)
            parent = self.parent_of[parent]
        return tuple(chain)

    @cached_property
    def indicator_arrays(self) -> IndicatorArrays:
        """Per-indicator attributes as numpy arrays (indicator order), for vectorised code."""
        goalposts = [spec.goalposts or (math.nan, math.nan) for spec in self.indicators]
        return IndicatorArrays(
            direction=np.array([spec.direction for spec in self.indicators], dtype=np.float64),
            lower=np.array([low for low, _ in goalposts], dtype=np.float64),
            upper=np.array([high for _, high in goalposts], dtype=np.float64),
            target=np.array(
                [math.nan if spec.target is None else spec.target for spec in self.indicators],
                dtype=np.float64,
            ),
            kind=np.array([spec.type for spec in self.indicators]),
        )

    @cached_property
    def indicators_under(self) -> dict[str, tuple[str, ...]]:
        """For every node, the indicators at or below it, in indicator order."""
        under: dict[str, list[str]] = {code: [] for code in self.codes}
        for code in self.indicator_codes:
            under[code].append(code)
            for ancestor in self.ancestors(code):
                under[ancestor].append(code)
        return {code: tuple(found) for code, found in under.items()}

    # Validation ---------------------------------------------------------------

    def _validate(self) -> list[Problem]:
        problems: list[Problem] = []
        aggregate_codes = {node.code for node in self.aggregates}
        seen: set[str] = set()
        for code in [spec.code for spec in self.indicators] + [n.code for n in self.aggregates]:
            if not isinstance(code, str) or not code.strip():
                problems.append(Problem(repr(code), "code", "a code must be a non-empty string"))
            elif code in seen:
                problems.append(Problem(code, "code", "duplicate code"))
            seen.add(code)
        for spec in self.indicators:
            problems.extend(_indicator_problems(spec, aggregate_codes))
        for node in self.aggregates:
            if not is_weight(node.weight):
                problems.append(Problem(node.code, "weight", f"must be a number >= 0, not {node.weight!r}"))
            if node.parent is not None and node.parent not in aggregate_codes:
                problems.append(Problem(node.code, "parent", f"unknown parent '{node.parent}'"))
            if node.level is not None and (not isinstance(node.level, int) or node.level < 2):
                problems.append(Problem(node.code, "level", "an aggregate's level must be an integer >= 2"))
        if problems:
            return problems
        roots = [node.code for node in self.aggregates if node.parent is None]
        if len(roots) != 1:
            found = ", ".join(roots) if roots else "none"
            problems.append(
                Problem(
                    None,
                    "parent",
                    f"the framework needs exactly one root aggregate (found: {found})",
                )
            )
        children: dict[str, list[str]] = {code: [] for code in aggregate_codes}
        for spec in self.indicators:
            children[spec.parent].append(spec.code)
        for node in self.aggregates:
            if node.parent is not None:
                children[node.parent].append(node.code)
        for code, kids in children.items():
            if not kids:
                problems.append(Problem(code, "parent", "an aggregate needs at least one child"))
        if problems:
            return problems
        for cycle in parent_cycles({node.code: node.parent for node in self.aggregates})[:1]:
            problems.append(Problem(min(cycle), "parent", "the parents form a cycle"))
        if problems:
            return problems
        problems.extend(self._resolve_levels(children))
        if self.ladder is not None and not problems:
            problems.extend(self._ladder_problems())
        return problems

    def _resolve_levels(self, children: dict[str, list[str]]) -> list[Problem]:
        problems: list[Problem] = []
        levels = self._levels
        for spec in self.indicators:
            levels[spec.code] = 1
        given = {node.code: node.level for node in self.aggregates}

        # The parents form no cycle here (checked by parent_cycles before).
        def resolve(code: str) -> int:
            if code in levels:
                return levels[code]
            highest_child = max(resolve(child) for child in children[code])
            level = given[code]
            if level is None:
                level = highest_child + 1
            elif level <= highest_child:
                problems.append(
                    Problem(
                        code,
                        "level",
                        f"level {level} is not above its children (level {highest_child})",
                    )
                )
            levels[code] = level
            return level

        for node in self.aggregates:
            resolve(node.code)
        return problems

    def _ladder_problems(self) -> list[Problem]:
        assert self.ladder is not None
        problems: list[Problem] = []
        known = set(self.codes)
        stage_codes = [self.ladder.base_stage] + [rung.code for rung in self.ladder.rungs]
        duplicates = sorted({code for code in stage_codes if stage_codes.count(code) > 1})
        for code in duplicates:
            problems.append(Problem(code, "code", "duplicate stage code"))
        for rung in self.ladder.rungs:
            if not rung.requires:
                problems.append(Problem(rung.code, "requires", "a rung must require at least one node"))
            for required in rung.requires:
                if required not in known:
                    problems.append(Problem(rung.code, "requires", f"unknown node '{required}'"))
            for gate in rung.gates:
                spec = self.indicator_by_code.get(gate)
                if spec is None:
                    problems.append(Problem(rung.code, "gates", f"'{gate}' is not an indicator"))
                elif not spec.critical:
                    problems.append(Problem(rung.code, "gates", f"'{gate}' gates a rung but is not critical"))
            for name in ("threshold", "critical_floor"):
                value = getattr(rung, name)
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                    problems.append(Problem(rung.code, name, f"must be a finite number, not {value!r}"))
        return problems


@dataclass(frozen=True, eq=False)
class IndicatorArrays:
    """Indicator attributes side by side; goalposts and targets are NaN where absent."""

    direction: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    target: NDArray[np.float64]
    kind: NDArray[np.str_]


def parent_cycles[Key: Hashable](parent_of: Mapping[Key, Key | None]) -> list[list[Key]]:
    """Every cycle of a parent map, once each, as [a, b, ..., a] in the order first met.

    The one rule for "the parents form a cycle": the engine's tree, the
    framework document's checks and the admin's node form all ask it. Walking
    up from each node in turn, a walk that comes back to a node it passed
    closes a cycle; a parent outside the map ends the walk (that is another
    check: an unknown parent).
    """
    cycles: list[list[Key]] = []
    seen: set[frozenset[Key]] = set()
    for start in parent_of:
        path: list[Key] = []
        code: Key | None = start
        while code is not None and code in parent_of and code not in path:
            path.append(code)
            code = parent_of[code]
        if code is not None and code in path:
            cycle = path[path.index(code) :]
            if frozenset(cycle) not in seen:
                seen.add(frozenset(cycle))
                cycles.append([*cycle, code])
    return cycles


def is_weight(value: object) -> bool:
    """A weight the engine accepts: a finite number >= 0.

    A framework's own weights are > 0 (the exchange schema's
    ``exclusiveMinimum: 0``, checked by `assessment/framework/document.py`,
    and the database's ``node_weight_positive`` constraint). The engine also
    takes 0 on purpose: a what-if weight of 0 leaves a node out of its
    parent's mean, which is how a reader asks "what if this did not count".
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _is_finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _indicator_problems(spec: IndicatorSpec, aggregate_codes: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    code = spec.code
    if spec.parent not in aggregate_codes:
        problems.append(Problem(code, "parent", f"unknown parent '{spec.parent}'"))
    if not is_weight(spec.weight):
        problems.append(Problem(code, "weight", f"must be a number >= 0, not {spec.weight!r}"))
    if spec.direction not in (1, -1) or isinstance(spec.direction, bool):
        problems.append(Problem(code, "direction", f"must be 1 or -1, not {spec.direction!r}"))
    if spec.type not in INDICATOR_TYPES:
        problems.append(Problem(code, "type", f"must be one of {', '.join(INDICATOR_TYPES)}, not {spec.type!r}"))
    if spec.level != 1:
        problems.append(Problem(code, "level", "an indicator is at level 1"))
    if (spec.lower is None) != (spec.upper is None):
        problems.append(Problem(code, "lower" if spec.lower is None else "upper", "give both goalposts or neither"))
    for name in ("lower", "upper", "target"):
        value = getattr(spec, name)
        if value is not None and not _is_finite_number(value):
            problems.append(Problem(code, name, f"must be a finite number, not {value!r}"))
    if (
        _is_finite_number(spec.lower)
        and _is_finite_number(spec.upper)
        and spec.lower is not None
        and spec.upper is not None
        and not spec.lower < spec.upper
    ):
        problems.append(Problem(code, "upper", f"upper goalpost {spec.upper} must exceed lower {spec.lower}"))
    if not isinstance(spec.critical, bool):
        problems.append(Problem(code, "critical", f"must be true or false, not {spec.critical!r}"))
    return problems
