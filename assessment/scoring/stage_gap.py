"""The least-effort gap from a unit's stage to the next rung of the ladder.

Pure Python: no Django.  Which rung a unit reaches is `stage_ladder.py`.
Scores here are normalised points on the 0-100 scale (goalposts by default).

Gap to the next rung (the lowest rung not reached)
--------------------------------------------------
The gap lists raw-value and normalised targets, e.g. level 3 -> 4 or
55% -> 70%, that together reach the rung, chosen to need the least effort.

*Effort* is measured in steps of one maturity level.  For a level indicator
one step is one level (3 -> 4), whatever its normalisation.  For any other
indicator one step is one fifth of its normalised range (20 points on the
0-100 scale, what one level spans on a 0-5 level indicator), and effort is
proportional: 10 normalised points are half a step; a yes/no indicator going
from no to yes is five steps (its whole range, like a level indicator going
from 0 to 5).  The framework carries no cost data, and its goalposts are set
so that each indicator's range runs from absent to leading; measuring effort
as the share of that range to be covered treats every indicator alike and
makes the order of improvements follow the weights, as the framework asks.

The improvements are built greedily.  First every critical indicator under
the rung's nodes that is below the floor (or missing) is raised to the floor:
these are mandatory.  Then, while some required node is below its
threshold, every candidate indicator under a failing node is advanced by one
step (a whole level; for a quantity or count one step, or the fraction of a
step that closes the gap) and the step that adds most points to the failing
nodes, capped at what they still lack, per unit of effort is taken.  For
weighted arithmetic aggregation that is the indicator with the largest
effective weight in the node, moved as far as needed, then the next: the
least-effort solution of the linear problem.  Between steps that do equally
well (within equal weights, the usual case) the plan takes first the one the
city can take alone, then one that needs the region, then one that needs the
province (the indicator's controllability, ``IndicatorSpec.control``), so
the plan leads with what the city itself can do.  Each indicator appears once in
the result with its overall raw and normalised change, in the order first
chosen.  Counts are rounded up to whole numbers, levels move in whole levels.
Missing indicators (other than critical ones) are not candidates; rank and
percentile normalisations have no raw inverse and are skipped too.

One period at a time: with ``steps_per_period`` (the version's method
parameter ``gap_steps_per_period``), no indicator is planned to move more
than that many steps, so the plan spreads over several indicators instead of
pushing one from level 1 to 5 in a single cycle, which no city does. A rung
that cannot be reached within the cap is marked not reachable with a note,
and the improvements are what one period can do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assessment.scoring.aggregate import AggregationMethod, AggregationPlan, aggregate_tree
from assessment.scoring.normalise import FittedNormalisation
from assessment.scoring.stage_ladder import TOLERANCE, LadderPlan
from assessment.scoring.tree import CONTROLS, FrameworkTree

__all__ = [
    "STEPS_PER_RANGE",
    "TOP_LEVEL",
    "GapContext",
    "Improvement",
    "Shortfall",
    "StageGap",
    "gap_to_next_rung",
    "gaps_table",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

# Maturity levels run 0..TOP_LEVEL (the framework's level descriptors).
TOP_LEVEL = 5
# One step of effort is one level's share of an indicator's normalised range (see the module docstring):
# a fifth, 20 points on the 0-100 scale. The recommendations (assessment/insight) read both from here.
STEPS_PER_RANGE = float(TOP_LEVEL)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A required node below the next rung's threshold."""

    node: str
    score: float
    threshold: float


@dataclass(frozen=True, slots=True)
class Improvement:
    """One indicator to raise, in raw units and normalised points.

    ``gain`` is the points it adds to the rung's failing nodes (capped at
    what they lacked); ``effort`` is in steps (see the module docstring).
    ``from_raw`` is None when the value was missing.
    """

    indicator: str
    node: str
    reason: Literal["critical_floor", "threshold"]
    from_raw: float | None
    to_raw: float
    from_normalised: float | None
    to_normalised: float
    effort: float
    gain: float

    @property
    def gain_per_effort(self) -> float:
        return self.gain / self.effort if self.effort > 0 else math.inf


@dataclass(frozen=True, slots=True)
class StageGap:
    """What a unit needs to reach the next rung; ``next_stage`` is None at the top."""

    unit: str
    stage: str
    next_stage: str | None
    reachable: bool
    shortfalls: tuple[Shortfall, ...]
    improvements: tuple[Improvement, ...]
    note: str = ""

    @property
    def total_effort(self) -> float:
        return sum(item.effort for item in self.improvements)


@dataclass(frozen=True, eq=False)
class GapContext:
    """Everything fixed across units that the gap search needs."""

    tree: FrameworkTree
    fitted: FittedNormalisation
    plan: AggregationPlan
    ladder: LadderPlan
    node_weights: FloatArray
    methods: Sequence[AggregationMethod]
    availability_threshold: float | None
    effort_unit: FloatArray
    normalised_cap: FloatArray
    steps_per_period: float | None = None
    # Per indicator column: 0 the city alone can move it, 1 it needs the region, 2 the province (tree.CONTROLS).
    control_rank: FloatArray | None = None

    @classmethod
    def build(
        cls,
        *,
        tree: FrameworkTree,
        fitted: FittedNormalisation,
        plan: AggregationPlan,
        ladder: LadderPlan,
        node_weights: FloatArray,
        methods: Sequence[AggregationMethod],
        availability_threshold: float | None,
        normalised: FloatArray,
        steps_per_period: float | None = None,
    ) -> GapContext:
        bounded = np.isin(np.array(fitted.methods), ["minmax", "goalposts", "distance_to_target"])
        with np.errstate(all="ignore"):
            observed_high = np.nanmax(np.where(np.isnan(normalised), -np.inf, normalised), axis=0)
            observed_low = np.nanmin(np.where(np.isnan(normalised), np.inf, normalised), axis=0)
        scale_range = np.where(bounded, fitted.width, observed_high - observed_low)
        scale_range = np.where(np.isfinite(scale_range) & (scale_range > 0), scale_range, STEPS_PER_RANGE)
        cap = np.where(
            np.isfinite(fitted.clip_high),
            fitted.clip_high,
            np.where(bounded, fitted.base + fitted.width, observed_high),
        )
        return cls(
            tree=tree,
            fitted=fitted,
            plan=plan,
            ladder=ladder,
            node_weights=node_weights,
            methods=methods,
            availability_threshold=availability_threshold,
            effort_unit=scale_range / STEPS_PER_RANGE,
            normalised_cap=cap,
            steps_per_period=steps_per_period,
            control_rank=np.array(
                [CONTROLS.index(spec.control) if spec.control in CONTROLS else 0 for spec in tree.indicators],
                dtype=np.float64,
            ),
        )

    def node_values(self, normalised_rows: FloatArray) -> FloatArray:
        """(rows, nodes) scores for a batch of normalised indicator rows."""
        rows = normalised_rows.shape[0]
        values = np.empty((rows, len(self.plan.codes)))
        values[:, : self.plan.n_indicators] = normalised_rows
        return aggregate_tree(values, self.node_weights, self.plan, self.methods, self.availability_threshold)


@dataclass
class _Candidate:
    column: int
    raw: float
    normalised: float
    effort: float


def gap_to_next_rung(context: GapContext, unit: str, raw: FloatArray, normalised: FloatArray, stage: int) -> StageGap:
    """The improvements that take one unit (raw and normalised indicator rows) up one rung."""
    ladder = context.ladder
    stages = ladder.stages
    if stage >= len(ladder.rung_codes):
        return StageGap(unit, stages[stage], None, True, (), ())
    tree = context.tree
    rung = tree.ladder.rungs[stage] if tree.ladder is not None else None
    assert rung is not None
    required = ladder.required_columns[stage]
    threshold = float(ladder.thresholds[stage])
    floor = float(ladder.floors[stage])
    codes = tree.codes
    current_raw = raw.astype(np.float64, copy=True)
    current = normalised.astype(np.float64, copy=True)
    node_of = _required_node_of(tree, rung.requires)
    for gated in ladder.critical_columns[stage]:
        # A gate outside the required nodes (stage_ladder: gates) is reported under its own dimension.
        node_of.setdefault(codes[gated], tree.parent_of[codes[gated]] or codes[gated])
    before = context.node_values(current[None, :])[0]
    shortfalls = tuple(
        Shortfall(codes[column], float(before[column]), threshold)
        for column in required
        if not before[column] >= threshold - TOLERANCE
    )
    steps: list[Improvement] = []
    reachable = True
    notes: list[str] = []
    # Effort already planned per indicator, for the cap of steps per period (module docstring).
    spent: dict[int, float] = {}

    for column in ladder.critical_columns[stage]:
        if current[column] >= floor - TOLERANCE:
            continue
        target = _raise_to(context, int(column), current_raw[column], floor)
        if target is None:
            reachable = False
            notes.append(f"{codes[column]} cannot reach the critical floor {floor:g}")
            continue
        to_raw, to_normalised = target
        from_raw = None if math.isnan(current_raw[column]) else float(current_raw[column])
        from_normalised = None if math.isnan(current[column]) else float(current[column])
        start = context.fitted.base[column] if from_normalised is None else from_normalised
        steps.append(
            Improvement(
                indicator=codes[column],
                node=node_of[codes[column]],
                reason="critical_floor",
                from_raw=from_raw,
                to_raw=to_raw,
                from_normalised=from_normalised,
                to_normalised=to_normalised,
                effort=_effort(context, int(column), from_raw, to_raw, start, to_normalised),
                gain=0.0,
            )
        )
        current_raw[column] = to_raw
        current[column] = to_normalised
        spent[int(column)] = steps[-1].effort

    candidates_under = {
        int(column): np.array([codes.index(code) for code in tree.indicators_under[codes[column]]], dtype=np.intp)
        for column in required
    }
    scores = context.node_values(current[None, :])[0]
    # Bounded: each pass advances one indicator by at least a step or closes the gap.
    for _ in range(10_000):
        deficits = threshold - scores[required]
        failing = deficits > TOLERANCE
        if not failing.any():
            break
        if np.isnan(deficits).any():
            reachable = False
            notes.append("a required node has no data")
            break
        pool = np.unique(np.concatenate([candidates_under[int(c)] for c in required[failing]]))
        candidates = [
            candidate
            for column in pool
            if (candidate := _next_step(context, int(column), current_raw[column], current[column])) is not None
            and _within_period(context, candidate, spent)
        ]
        if not candidates:
            reachable = False
            notes.append(
                "the rung needs more than one period: no indicator may move more than "
                f"{context.steps_per_period:g} steps in one"
                if context.steps_per_period is not None
                and any(_next_step(context, int(c), current_raw[c], current[c]) is not None for c in pool)
                else "every indicator that could help is at its best value or missing"
            )
            break
        trial = np.repeat(current[None, :], len(candidates), axis=0)
        for row, candidate in enumerate(candidates):
            trial[row, candidate.column] = candidate.normalised
        trial_scores = context.node_values(trial)[:, required]
        raw_gain = np.clip(trial_scores - scores[required], 0.0, None)
        capped_gain = np.minimum(raw_gain, np.where(failing, deficits, 0.0)).sum(axis=1)
        linear_gain = np.where(failing, raw_gain, 0.0).sum(axis=1)
        continuous = np.array([_is_continuous(tree, codes[c.column]) for c in candidates])
        efforts = np.array([c.effort for c in candidates])
        # A continuous step can be shortened to exactly what is lacking, so it is
        # judged by its rate; a level step is judged by what it really closes.
        rate = np.where(continuous, linear_gain, capped_gain) / efforts
        if not (rate > TOLERANCE).any():
            reachable = False
            notes.append("no single step raises a failing node")
            break
        best = _most_controllable_best(context, candidates, rate)
        chosen = candidates[best]
        if continuous[best] and np.all(trial_scores[best][failing] >= threshold - TOLERANCE):
            chosen = _shortest_closing_step(context, chosen, current, current_raw, required, threshold)
        from_raw = float(current_raw[chosen.column])
        from_normalised = float(current[chosen.column])
        current_raw[chosen.column] = chosen.raw
        current[chosen.column] = chosen.normalised
        spent[chosen.column] = spent.get(chosen.column, 0.0) + chosen.effort
        new_scores = context.node_values(current[None, :])[0]
        gain = float(
            np.minimum(
                np.clip(new_scores[required] - scores[required], 0.0, None),
                np.where(failing, deficits, 0.0),
            ).sum()
        )
        scores = new_scores
        code = codes[chosen.column]
        steps.append(
            Improvement(
                indicator=code,
                node=node_of[code],
                reason="threshold",
                from_raw=from_raw,
                to_raw=chosen.raw,
                from_normalised=from_normalised,
                to_normalised=chosen.normalised,
                effort=chosen.effort,
                gain=gain,
            )
        )
    return StageGap(
        unit=unit,
        stage=stages[stage],
        next_stage=stages[stage + 1],
        reachable=reachable,
        shortfalls=shortfalls,
        improvements=_merge(steps),
        note="; ".join(notes),
    )


def _most_controllable_best(context: GapContext, candidates: Sequence[_Candidate], rate: FloatArray) -> int:
    """The candidate with the best rate; between equal rates, the one the city controls most (module docstring)."""
    top = float(np.max(rate))
    tied = np.flatnonzero(rate >= top - TOLERANCE * max(1.0, abs(top)))
    if context.control_rank is None or len(tied) == 1:
        return int(tied[0])
    ranks = context.control_rank[[candidates[int(index)].column for index in tied]]
    return int(tied[int(np.argmin(ranks))])


def _required_node_of(tree: FrameworkTree, requires: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in requires:
        for code in tree.indicators_under[node]:
            found.setdefault(code, node)
    return found


def _is_continuous(tree: FrameworkTree, code: str) -> bool:
    return tree.indicator_by_code[code].type in ("quantitative", "count")


def _raw_domain(context: GapContext, column: int) -> tuple[float, float]:
    spec = context.tree.indicators[column]
    goalposts = spec.goalposts
    if goalposts is not None:
        return goalposts
    return (-math.inf, math.inf)


def _best_raw(context: GapContext, column: int) -> float:
    low, high = _raw_domain(context, column)
    return high if context.tree.indicators[column].direction == 1 else low


def _normalise_one(context: GapContext, column: int, raw_value: float) -> float:
    fitted = context.fitted
    with np.errstate(all="ignore"):
        value = (raw_value * fitted.direction[column] - fitted.origin[column]) / fitted.span[column]
        value = value * fitted.width[column] + fitted.base[column]
    return float(np.clip(value, fitted.clip_low[column], fitted.clip_high[column]))


def _invert_one(context: GapContext, column: int, normalised_value: float) -> float:
    fitted = context.fitted
    raw = (normalised_value - fitted.base[column]) / fitted.width[column] * fitted.span[column]
    return float((raw + fitted.origin[column]) * fitted.direction[column])


def _round_raw(context: GapContext, column: int, raw_value: float) -> float:
    """Levels and counts move in whole numbers, rounded towards better."""
    spec = context.tree.indicators[column]
    if spec.type in ("level", "count", "binary"):
        nudge = -TOLERANCE if spec.direction == 1 else TOLERANCE
        raw_value = math.ceil(raw_value + nudge) if spec.direction == 1 else math.floor(raw_value + nudge)
    low, high = _raw_domain(context, column)
    return float(min(max(raw_value, low), high))


def _effort(
    context: GapContext,
    column: int,
    from_raw: float | None,
    to_raw: float,
    from_normalised: float,
    to_normalised: float,
) -> float:
    spec = context.tree.indicators[column]
    if spec.type == "level":
        start = from_raw if from_raw is not None else _raw_domain(context, column)[0 if spec.direction == 1 else 1]
        return abs(to_raw - start)
    return abs(to_normalised - from_normalised) / float(context.effort_unit[column])


def _raise_to(context: GapContext, column: int, raw_value: float, floor: float) -> tuple[float, float] | None:
    """The least raw change that brings an indicator to ``floor`` points."""
    if not context.fitted.affine[column] or context.normalised_cap[column] < floor - TOLERANCE:
        return None
    target = _round_raw(context, column, _invert_one(context, column, floor))
    normalised = _normalise_one(context, column, target)
    spec = context.tree.indicators[column]
    if spec.type == "level":
        while normalised < floor - TOLERANCE and target != _best_raw(context, column):
            target += spec.direction
            normalised = _normalise_one(context, column, target)
    if normalised < floor - TOLERANCE:
        return None
    if not math.isnan(raw_value) and (target - raw_value) * spec.direction < 0:
        return None
    return target, normalised


def _within_period(context: GapContext, candidate: _Candidate, spent: dict[int, float]) -> bool:
    """Whether the step keeps its indicator within the steps one period allows (always, without a cap)."""
    if context.steps_per_period is None:
        return True
    return spent.get(candidate.column, 0.0) + candidate.effort <= context.steps_per_period + TOLERANCE


def _next_step(context: GapContext, column: int, raw_value: float, normalised_value: float) -> _Candidate | None:
    if math.isnan(raw_value) or math.isnan(normalised_value) or not context.fitted.affine[column]:
        return None
    spec = context.tree.indicators[column]
    cap = float(context.normalised_cap[column])
    if normalised_value >= cap - TOLERANCE:
        return None
    if spec.type == "level":
        target_raw = _round_raw(context, column, raw_value + spec.direction)
        if target_raw == raw_value:
            return None
        target = _normalise_one(context, column, target_raw)
        return _Candidate(column, target_raw, target, abs(target_raw - raw_value))
    if spec.type == "binary":
        target_raw = _best_raw(context, column)
        target = _normalise_one(context, column, target_raw)
    else:
        target = min(normalised_value + float(context.effort_unit[column]), cap)
        target_raw = _round_raw(context, column, _invert_one(context, column, target))
        target = min(_normalise_one(context, column, target_raw), cap)
    if target <= normalised_value + TOLERANCE:
        return None
    effort = (target - normalised_value) / float(context.effort_unit[column])
    return _Candidate(column, target_raw, target, effort)


def _shortest_closing_step(
    context: GapContext,
    chosen: _Candidate,
    current: FloatArray,
    current_raw: FloatArray,
    required: IntArray,
    threshold: float,
) -> _Candidate:
    """Shrink a continuous step to the smallest one that still closes the gap."""
    column = chosen.column
    low, high = float(current[column]), chosen.normalised
    for _ in range(3):
        grid = np.linspace(low, high, 33)
        trial = np.repeat(current[None, :], grid.size, axis=0)
        trial[:, column] = grid
        closes = np.all(context.node_values(trial)[:, required] >= threshold - TOLERANCE, axis=1)
        first = int(np.argmax(closes))
        high = float(grid[first])
        low = float(grid[max(first - 1, 0)])
    target_raw = _round_raw(context, column, _invert_one(context, column, high))
    target = _normalise_one(context, column, target_raw)
    if target < high - TOLERANCE:
        target_raw, target = chosen.raw, chosen.normalised
    effort = (target - float(current[column])) / float(context.effort_unit[column])
    return _Candidate(column, target_raw, target, effort)


def _merge(steps: list[Improvement]) -> tuple[Improvement, ...]:
    merged: dict[tuple[str, str], Improvement] = {}
    for step in steps:
        key = (step.indicator, step.reason)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = step
            continue
        merged[key] = Improvement(
            indicator=step.indicator,
            node=step.node,
            reason=step.reason,
            from_raw=earlier.from_raw,
            to_raw=step.to_raw,
            from_normalised=earlier.from_normalised,
            to_normalised=step.to_normalised,
            effort=earlier.effort + step.effort,
            gain=earlier.gain + step.gain,
        )
    ordered = sorted(merged.values(), key=lambda item: item.reason != "critical_floor")
    return tuple(ordered)


def gaps_table(gaps: Sequence[StageGap]) -> pd.DataFrame:
    """One row per improvement: unit, stage, next_stage, indicator, targets, effort, gain."""
    rows = [
        {
            "unit": gap.unit,
            "stage": gap.stage,
            "next_stage": gap.next_stage,
            "reachable": gap.reachable,
            "order": order,
            "indicator": item.indicator,
            "node": item.node,
            "reason": item.reason,
            "from_raw": item.from_raw,
            "to_raw": item.to_raw,
            "from_normalised": item.from_normalised,
            "to_normalised": item.to_normalised,
            "effort": item.effort,
            "gain": item.gain,
        }
        for gap in gaps
        for order, item in enumerate(gap.improvements, start=1)
    ]
    columns = [
        "unit",
        "stage",
        "next_stage",
        "reachable",
        "order",
        "indicator",
        "node",
        "reason",
        "from_raw",
        "to_raw",
        "from_normalised",
        "to_normalised",
        "effort",
        "gain",
    ]
    return pd.DataFrame(rows, columns=columns)
