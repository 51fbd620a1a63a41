"""Explanations: why a unit scores what it scores.

Effective weight of node i in ancestor A (dimensionless), the product of
sibling-normalised weights on the path from i up to A:

    e(i, A) = prod over nodes j on the path i .. below A of w_j / sum(w_k, k in siblings(j))

Over the indicators under A the e(i, A) sum to 1; ``effective_weights``
gives e(i, root), the nominal weights with every child present.  For a unit
with missing data, the sums run over the present siblings only (as the
aggregation does), so its weights again sum to 1 over its present indicators.

Contribution of indicator i to ancestor A for unit u (points):

    c(u, i, A) = e_u(i, A) * n(u, i)

With arithmetic aggregation on every level between i and A the
contributions sum exactly to A's score.  With geometric or harmonic
aggregation there is no additive split; the weighted shares e_u(i, A) * n(u, i)
are then rescaled to sum to A's score, which keeps their order and
proportions and is labelled as such (``exact`` = False).

Strengths and weaknesses of a unit relative to a peer group: per indicator,
difference d = n(u, i) - mean(n(v, i) for v in peers, v != u) in points; the
largest positive d are strengths, the most negative weaknesses.

Change between two periods, per unit and node: later - earlier, in points,
and the change in rank (positive = moved up).  Only goalposts scores are
comparable across periods: other normalisations depend on the compared set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assessment.scoring.engine import ScoreResult
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.ranks import rank_frame
from assessment.scoring.tree import FrameworkTree

__all__ = [
    "StrengthsAndWeaknesses",
    "change_between_periods",
    "contributions",
    "effective_weights",
    "strengths_and_weaknesses",
]


def effective_weights(tree: FrameworkTree, weights: Mapping[str, float] | None = None) -> pd.Series:
    """e(i, root) for every node (indicators first); the indicators' values sum to 1."""
    weight_of = {**tree.weight_of, **(weights or {})}
    sibling_total = {
        parent: sum(weight_of[child] for child in children) for parent, children in tree.children_of.items()
    }
    effective: dict[str, float] = {}
    for code in tree.codes:
        value = 1.0
        current = code
        parent = tree.parent_of[current]
        while parent is not None:
            total = sibling_total[parent]
            value *= weight_of[current] / total if total > 0 else 0.0
            current, parent = parent, tree.parent_of[parent]
        effective[code] = value
    return pd.Series(effective, name="effective_weight")


def contributions(result: ScoreResult, units: Iterable[str] | None = None) -> pd.DataFrame:
    """Long table: unit, ancestor, indicator, effective_weight, value, contribution, exact."""
    tree = result.tree
    prepared = result.prepared
    plan = prepared.plan
    node_values = result.node_values
    weights = result.weights.to_numpy(dtype=np.float64)
    column = {code: position for position, code in enumerate(tree.codes)}
    chosen = _unit_rows(result, units)
    values = node_values[chosen]
    present = ~np.isnan(values)
    # Sibling-normalised weight of every node, per unit, over present siblings.
    local = np.zeros_like(values)
    for level in plan.levels:
        child_weights = weights[level.child_columns] * present[:, level.child_columns]
        totals = child_weights @ level.assignment
        with np.errstate(invalid="ignore", divide="ignore"):
            local[:, level.child_columns] = child_weights / totals[:, level.child_parent]
    local = np.nan_to_num(local)
    method_of_level = dict(zip((level.level for level in plan.levels), prepared.methods, strict=True))

    frames = []
    for ancestor in tree.aggregate_codes:
        indicators = tree.indicators_under[ancestor]
        path_weight = np.ones((len(chosen), len(indicators)))
        for position, code in enumerate(indicators):
            current = code
            while current != ancestor:
                path_weight[:, position] *= local[:, column[current]]
                parent = tree.parent_of[current]
                assert parent is not None
                current = parent
        levels_below = {
            tree.level_of(code) for code in tree.aggregate_codes if ancestor in (code, *tree.ancestors(code))
        }
        exact = all(method_of_level[number] == "arithmetic" for number in levels_below)
        indicator_values = values[:, [column[code] for code in indicators]]
        share = path_weight * np.nan_to_num(indicator_values)
        if not exact:
            total = share.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = share / total * values[:, [column[ancestor]]]
        frames.append(
            pd.DataFrame(
                {
                    "unit": np.repeat(prepared.units[chosen].astype("str").to_numpy(), len(indicators)),
                    "ancestor": ancestor,
                    "indicator": np.tile(np.array(indicators, dtype=object), len(chosen)),
                    "effective_weight": path_weight.ravel(),
                    "value": indicator_values.ravel(),
                    "contribution": np.where(np.isnan(indicator_values), np.nan, share).ravel(),
                    "exact": exact,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _unit_rows(result: ScoreResult, units: Iterable[str] | None) -> np.ndarray:
    index = result.prepared.units
    if units is None:
        return np.arange(len(index))
    wanted = list(units)
    labels = [str(unit) for unit in index]
    missing = [unit for unit in wanted if str(unit) not in labels]
    if missing:
        raise ScoringInputError(Problem(str(unit), None, "unknown unit") for unit in missing)
    return np.array([labels.index(str(unit)) for unit in wanted], dtype=np.intp)


@dataclass(frozen=True, eq=False)
class StrengthsAndWeaknesses:
    """Indicators where a unit is furthest above (strengths) and below (weaknesses) its peers."""

    unit: str
    peers: tuple[str, ...]
    table: pd.DataFrame
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame


def strengths_and_weaknesses(
    result: ScoreResult, unit: str, peers: Iterable[str] | None = None, top: int = 5
) -> StrengthsAndWeaknesses:
    """Compare ``unit`` with ``peers`` (default: every other unit), indicator by indicator.

    ``table`` has, per indicator: value, peer_mean, difference (points) and
    rank_among_peers (1 = best among the unit and its peers).
    """
    normalised = result.normalised
    labels = [str(label) for label in normalised.index]
    peer_list = (
        [str(peer) for peer in peers] if peers is not None else [label for label in labels if label != str(unit)]
    )
    unknown = [label for label in [str(unit), *peer_list] if label not in labels]
    if unknown:
        raise ScoringInputError(Problem(label, None, "unknown unit") for label in unknown)
    frame = normalised.set_axis(labels, axis=0)
    peer_values = frame.loc[[peer for peer in peer_list if peer != str(unit)]]
    own = frame.loc[str(unit)]
    group = frame.loc[list(dict.fromkeys([str(unit), *peer_list]))]
    table = pd.DataFrame(
        {
            "value": own,
            "peer_mean": peer_values.mean(axis=0),
            "difference": own - peer_values.mean(axis=0),
            "rank_among_peers": rank_frame(group).loc[str(unit)],
        }
    )
    table.index.name = "indicator"
    ordered = table.dropna(subset=["difference"]).sort_values("difference", ascending=False, kind="stable")
    strengths = ordered.loc[ordered["difference"] > 0].head(top)
    weaknesses = ordered.loc[ordered["difference"] < 0].iloc[::-1].head(top)
    return StrengthsAndWeaknesses(str(unit), tuple(peer_list), table, strengths, weaknesses)


def change_between_periods(earlier: ScoreResult, later: ScoreResult) -> pd.DataFrame:
    """Long table per unit and node: earlier, later, change (points), rank change (up = positive).

    Units and nodes present in both periods only.
    """
    before = earlier.scores
    after = later.scores
    units = [unit for unit in after.index if unit in before.index]
    nodes = [code for code in after.columns if code in before.columns]
    before = before.loc[units, nodes]
    after = after.loc[units, nodes]
    rank_before = earlier.ranks.reindex(index=units, columns=nodes)
    rank_after = later.ranks.reindex(index=units, columns=nodes)
    table = pd.DataFrame(
        {
            "unit": np.repeat(np.array([str(unit) for unit in units], dtype=object), len(nodes)),
            "node": np.tile(np.array(nodes, dtype=object), len(units)),
            "earlier": before.to_numpy().ravel(),
            "later": after.to_numpy().ravel(),
            "change": (after - before).to_numpy().ravel(),
            "earlier_rank": rank_before.to_numpy().ravel(),
            "later_rank": rank_after.to_numpy().ravel(),
            "rank_change": (rank_before - rank_after).to_numpy().ravel(),
        }
    )
    return table
