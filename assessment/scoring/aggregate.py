"""Aggregation: each aggregate's score from its children, level by level.

For an aggregate with children c, weights w_c >= 0 and scores v_c (points),
over the children P that are present (not missing):

    W = sum(w_c for c in P)
    arithmetic  A = sum(w_c * v_c) / W
    geometric   A = exp(sum(w_c * ln v_c) / W)       (= 0 if some present v_c = 0)
    harmonic    A = W / sum(w_c / v_c)               (= 0 if some present v_c = 0)

A missing child is skipped and the weights of the present ones renormalised
(not counted as zero); the aggregate is missing only when all its children
are, or when the present children carry no weight.  With a data-availability
threshold t in (0, 1], the aggregate is also missing when W / sum(w_c) < t
(the share of the children's weight that is present).  Geometric and harmonic
means need scores >= 0; normalise to [1, 100] to keep zeros from flattening
the mean.  The result is in the children's unit (points).

The method is chosen per aggregate level.  Levels are processed from the
lowest up and every level is a matrix product over the units x children
score matrix with a missing-value mask, so units and Monte Carlo runs are
never looped over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

import numpy as np
from numpy.typing import NDArray

from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.tree import FrameworkTree

__all__ = [
    "AGGREGATION_METHODS",
    "AggregationMethod",
    "AggregationPlan",
    "LevelPlan",
    "NegativeScoreError",
    "aggregate_level",
    "aggregate_tree",
    "parse_aggregation",
]

AggregationMethod = Literal["arithmetic", "geometric", "harmonic"]
AGGREGATION_METHODS: tuple[str, ...] = get_args(AggregationMethod)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


class NegativeScoreError(ValueError):
    """A geometric or harmonic mean met a negative child score."""

    def __init__(self, cells: list[tuple[int, int]]) -> None:
        super().__init__("geometric and harmonic means need scores >= 0")
        self.cells = cells


@dataclass(frozen=True, eq=False)
class LevelPlan:
    """One aggregate level: which node columns feed which aggregates.

    Children are sorted by parent so each parent's children are the slice
    ``child_columns[bounds[p]:bounds[p + 1]]``.
    """

    level: int
    parent_codes: tuple[str, ...]
    parent_columns: IntArray
    child_columns: IntArray
    child_parent: IntArray
    bounds: IntArray
    assignment: FloatArray

    @property
    def n_parents(self) -> int:
        return len(self.parent_codes)


@dataclass(frozen=True, eq=False)
class AggregationPlan:
    """The tree compiled to index arrays over the node matrix (columns = ``tree.codes``)."""

    codes: tuple[str, ...]
    n_indicators: int
    levels: tuple[LevelPlan, ...]

    @classmethod
    def from_tree(cls, tree: FrameworkTree) -> AggregationPlan:
        column = {code: position for position, code in enumerate(tree.codes)}
        levels: list[LevelPlan] = []
        for level in tree.aggregate_levels:
            parents = [code for code in tree.aggregate_codes if tree.level_of(code) == level]
            children: list[int] = []
            child_parent: list[int] = []
            bounds = [0]
            for position, parent in enumerate(parents):
                kids = tree.children_of[parent]
                children.extend(column[kid] for kid in kids)
                child_parent.extend([position] * len(kids))
                bounds.append(len(children))
            assignment = np.zeros((len(children), len(parents)))
            assignment[np.arange(len(children)), child_parent] = 1.0
            levels.append(
                LevelPlan(
                    level=level,
                    parent_codes=tuple(parents),
                    parent_columns=np.array([column[code] for code in parents], dtype=np.intp),
                    child_columns=np.array(children, dtype=np.intp),
                    child_parent=np.array(child_parent, dtype=np.intp),
                    bounds=np.array(bounds, dtype=np.intp),
                    assignment=assignment,
                )
            )
        return cls(codes=tree.codes, n_indicators=len(tree.indicators), levels=tuple(levels))


def parse_aggregation(aggregation: str | Sequence[str], n_levels: int) -> tuple[AggregationMethod, ...]:
    """One method per aggregate level, lowest first, from a name or a list (or "a,b,c")."""
    names = aggregation.split(",") if isinstance(aggregation, str) else list(aggregation)
    names = [name.strip().lower() for name in names]
    problems = [
        Problem(
            None,
            "aggregation",
            f"unknown method '{name}'; use one of {', '.join(AGGREGATION_METHODS)}",
        )
        for name in names
        if name not in AGGREGATION_METHODS
    ]
    if len(names) == 1:
        names = names * n_levels
    elif len(names) != n_levels:
        problems.append(
            Problem(
                None,
                "aggregation",
                f"give one method or one per aggregate level ({n_levels}), not {len(names)}",
            )
        )
    if problems:
        raise ScoringInputError(problems)
    return tuple(cast(AggregationMethod, name) for name in names)


def aggregate_level(
    children: FloatArray,
    weights: FloatArray,
    plan: LevelPlan,
    method: AggregationMethod,
    availability_threshold: float | None = None,
    present: NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Scores of one level's aggregates from their children's scores.

    ``children`` is (units, c) or (runs, units, c); ``weights`` is (c,) or,
    for a Monte Carlo, (runs, c).  Returns (units, p) or (runs, units, p).
    ``present``: which children have a score, (units, c), when the caller
    knows it is the same in every run (the Monte Carlo's raters move answers,
    never remove them): the weight present is then summed once per run, not
    per run and unit.  Raises `NegativeScoreError` when a geometric or
    harmonic mean meets a negative score.
    """
    if present is None:
        present = ~np.isnan(children)
    if method == "arithmetic":
        transformed = np.where(present, children, 0.0)
    else:
        negative = present & (children < 0)
        if negative.any():
            cells = [(int(index[-2]), int(index[-1])) for index in np.argwhere(negative)[:50]]
            raise NegativeScoreError(cells)
        usable = present & (children > 0)
        with np.errstate(divide="ignore"):
            if method == "geometric":
                transformed = np.where(usable, np.log(np.where(usable, children, 1.0)), 0.0)
            else:
                transformed = np.where(usable, 1.0 / np.where(usable, children, 1.0), 0.0)
    mask = present.astype(np.float64)
    numerator = _weighted_sums(transformed, weights, plan)
    present_weight = _weighted_sums(mask, weights, plan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            scores = numerator / present_weight
        elif method == "geometric":
            scores = np.exp(numerator / present_weight)
        else:
            scores = present_weight / numerator
        if method != "arithmetic":
            zero = (present & (children == 0)).astype(np.float64)
            has_zero = _weighted_sums(zero, weights, plan) > 0
            scores = np.where(has_zero, 0.0, scores)
        scores = np.where(present_weight > 0, scores, np.nan)
        if availability_threshold is not None:
            total = _total_weight(weights, plan)
            share = present_weight / total
            scores = np.where(share >= availability_threshold - 1e-12, scores, np.nan)
    result: FloatArray = scores
    return result


def _weighted_sums(values: FloatArray, weights: FloatArray, plan: LevelPlan) -> FloatArray:
    """sum over each parent's children of w_c * values_c, as matrix products."""
    if weights.ndim == 1:
        product: FloatArray = values @ (plan.assignment * weights[:, None])
        return product
    if values.ndim == 3:
        # Per-run values and weights: scale, then sum children into parents.
        scaled: FloatArray = (values * weights[:, None, :]) @ plan.assignment
        return scaled
    # Shared values, per-run weights: one (units x k) @ (k x runs) product per parent
    # keeps the work at units x children x runs instead of materialising that cube.
    runs = weights.shape[0]
    out = np.empty((runs, values.shape[0], plan.n_parents))
    for parent in range(plan.n_parents):
        start, stop = plan.bounds[parent], plan.bounds[parent + 1]
        out[:, :, parent] = (values[:, start:stop] @ weights[:, start:stop].T).T
    return out


def _total_weight(weights: FloatArray, plan: LevelPlan) -> FloatArray:
    total: FloatArray = weights @ plan.assignment
    if weights.ndim == 2:
        return total[:, None, :]
    return total


def aggregate_tree(
    node_values: FloatArray,
    node_weights: FloatArray,
    plan: AggregationPlan,
    methods: Sequence[AggregationMethod],
    availability_threshold: float | None = None,
) -> FloatArray:
    """Fill the aggregate columns of ``node_values`` (..., units, nodes), lowest level first.

    ``node_values`` must hold the normalised indicators in its first
    ``plan.n_indicators`` columns; it is modified in place and returned.
    ``node_weights`` is (nodes,) or (runs, nodes).  A `NegativeScoreError`
    names (unit row, node column) cells.
    """
    for level, method in zip(plan.levels, methods, strict=True):
        children = node_values[..., level.child_columns]
        weights = node_weights[..., level.child_columns]
        try:
            node_values[..., level.parent_columns] = aggregate_level(
                children, weights, level, method, availability_threshold
            )
        except NegativeScoreError as error:
            # Report node columns, not positions within this level's children.
            cells = [(unit, int(level.child_columns[child])) for unit, child in error.cells]
            raise NegativeScoreError(cells) from None
    return node_values
