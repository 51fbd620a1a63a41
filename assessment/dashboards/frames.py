"""What the dashboards show, computed from a region's published results: pandas tables, no ORM, no HTML.

Pure Python: no Django.

Each function takes plain tables (cities x nodes, indexed by city code) as
the selectors return them in `assessment.selectors.results.RegionSnapshot`
and returns plain tables. `assessment.dashboards.figures` draws them;
`assessment.dashboards.panels` shows them as tables and downloads, so a
chart, its table view and its CSV are one frame and cannot disagree.

The in-city × cross-boundary plane: x is the score of the index's first half (in-city
maturity, IC in DSMF), y of its second (cross-boundary readiness, XB). Its
quadrants are cut at the stage threshold (`Rung.threshold`, the framework's
``stage_threshold``), an absolute bar, not at the region's medians (a median
puts half of any region below it, whatever its level):

    only y reaches | both reach
    ---------------+---------------
    neither        | only x reaches

What the bar means on each axis is read from the ladder (`axis_thresholds`):
in DSMF, S1-S3 require each in-city dimension to reach it, S4 the
cross-boundary half as a whole. A half scored as a mean of its dimensions is
below the threshold only if one of them is, so a city left of the line cannot
be on S3, while one right of it may still have a dimension below it.

Movers: a change is shown to `MOVE_DIGITS` decimals; one that rounds to 0
there is neither a rise nor a fall (a chart of "falls" of 0.0 says something
moved when nothing did).

What-if weights are in `assessment.dashboards.what_if`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assessment import scoring
from assessment.scoring.stage_ladder import TOLERANCE

QUADRANTS = ("both", "x_only", "y_only", "neither")
MOVE_DIGITS = 1  # decimals a change of the index is shown with; one that rounds to 0 there did not move
MOVERS_SHOWN = 5  # the biggest rises, and the biggest falls, a movers chart lists


@dataclass(frozen=True)
class Structure:
    """The parts of a framework tree the dashboards name: index, halves, dimensions."""

    index: str
    halves: tuple[str, ...]
    dimensions: tuple[str, ...]
    dimensions_of: Mapping[str, tuple[str, ...]]
    indicators_of: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, tree: scoring.FrameworkTree) -> "Structure":
        children = tree.children_of
        indicators = set(tree.indicator_codes)
        halves = tuple(code for code in children.get(tree.root, ()) if code not in indicators)
        dimensions_of = {
            half: tuple(code for code in children.get(half, ()) if code not in indicators) for half in halves
        }
        dimensions = tuple(code for half in halves for code in dimensions_of[half])
        indicators_of = {dimension: tuple(tree.indicators_under.get(dimension, ())) for dimension in dimensions}
        return cls(
            index=tree.root,
            halves=halves,
            dimensions=dimensions,
            dimensions_of=dimensions_of,
            indicators_of=indicators_of,
        )

    @property
    def plane_axes(self) -> tuple[str, str] | None:
        """(x, y): the first two halves, or None when the index has fewer than two."""
        return (self.halves[0], self.halves[1]) if len(self.halves) >= 2 else None

    @property
    def adjustable(self) -> tuple[str, ...]:
        """The nodes a what-if slider can weigh: halves and dimensions."""
        return self.halves + self.dimensions


def ranking(
    scores: pd.DataFrame,
    stages: pd.Series,
    index: str,
    intervals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per scored city, best first: index, rank (ties share the lowest), stage, interval, stage share.

    ``stage_share``: the share of the Monte Carlo's draws that keep the city on its stage.
    """
    frame = pd.DataFrame(index=scores.index)
    frame["index"] = scores[index] if index in scores else np.nan
    frame["rank"] = scoring.rank_descending(frame["index"].to_numpy(dtype=float))
    frame["stage"] = stages.reindex(frame.index)
    for column in ("rank_p05", "rank_median", "rank_p95", "stage_share"):
        frame[column] = (
            intervals[column].reindex(frame.index).astype(float)
            if intervals is not None and column in intervals
            else np.nan
        )
    return frame.sort_values(["rank", "index"], ascending=[True, False], na_position="last")


def plane(scores: pd.DataFrame, axes: tuple[str, str], threshold: float) -> tuple[pd.DataFrame, float, float]:
    """Each city's (x, y), its quadrant against the stage ``threshold``, and the region's two medians.

    On the threshold counts as reaching it, as on the ladder (`stage_ladder.TOLERANCE`).
    """
    x_code, y_code = axes
    frame = pd.DataFrame({"x": scores[x_code], "y": scores[y_code]}, index=scores.index).dropna()
    if frame.empty:
        return frame.assign(quadrant=pd.Series(dtype="str")), float("nan"), float("nan")
    x_median, y_median = float(frame["x"].median()), float(frame["y"].median())
    bar = threshold - TOLERANCE
    high_x, high_y = frame["x"] >= bar, frame["y"] >= bar
    frame["quadrant"] = np.select(
        [high_x & high_y, high_x & ~high_y, ~high_x & high_y],
        ["both", "x_only", "y_only"],
        default="neither",
    )
    return frame, x_median, y_median


@dataclass(frozen=True)
class AxisThreshold:
    """What the stage ladder asks of one axis of the plane.

    ``nodes``: the nodes at or under the axis that rungs require (the axis
    itself, or its dimensions); ``rungs``: the rungs requiring them, lowest
    first; ``whole``: the axis itself is required, not only nodes under it.
    """

    axis: str
    threshold: float
    nodes: tuple[str, ...]
    rungs: tuple[str, ...]

    @property
    def whole(self) -> bool:
        return self.nodes == (self.axis,)


def axis_thresholds(tree: scoring.FrameworkTree, axes: tuple[str, str]) -> dict[str, AxisThreshold]:
    """Per plane axis that some rung requires: the threshold, the nodes and the rungs (none: no line)."""
    if tree.ladder is None:
        return {}
    found: dict[str, AxisThreshold] = {}
    for axis in axes:
        nodes: list[str] = []
        rungs: list[str] = []
        thresholds: set[float] = set()
        for rung in tree.ladder.rungs:
            under = [code for code in rung.requires if code == axis or axis in tree.ancestors(code)]
            if under:
                rungs.append(rung.code)
                nodes += [code for code in under if code not in nodes]
                thresholds.add(rung.threshold)
        # One framework-wide stage threshold: rungs of one axis asking different bars would need a line each.
        if rungs and len(thresholds) == 1:
            found[axis] = AxisThreshold(axis, thresholds.pop(), tuple(nodes), tuple(rungs))
    return found


def stage_distribution(stages: pd.Series, ladder: Sequence[str]) -> pd.Series:
    """How many cities stand on each rung, every rung listed (zeros included), lowest first."""
    counts = stages.value_counts()
    return pd.Series([int(counts.get(stage, 0)) for stage in ladder], index=list(ladder), name="cities")


def movers(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    index: str,
    stages_now: pd.Series,
    stages_before: pd.Series,
    intervals_now: pd.DataFrame | None = None,
    intervals_before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cities scored in both periods, by the change of their index, biggest rise first.

    ``direction``: "rise", "fall", or "unchanged" when the change rounds to 0 at
    `MOVE_DIGITS` decimals (as `labels.display_number` shows it).
    ``significant``: whether the change exceeds the uncertainty (`_beyond_uncertainty`).
    """
    both = current.index.intersection(previous.index)
    frame = pd.DataFrame(
        {
            "before": previous.loc[both, index],
            "now": current.loc[both, index],
            "stage_before": stages_before.reindex(both),
            "stage_now": stages_now.reindex(both),
        },
        index=both,
    ).dropna(subset=["before", "now"])
    frame["change"] = frame["now"] - frame["before"]
    # Python's round, as the tables show it: numpy's rounds 0.05 to 0.0 where the table prints 0.1.
    shown = frame["change"].map(lambda change: round(float(change), MOVE_DIGITS))
    frame["direction"] = np.select([shown > 0, shown < 0], ["rise", "fall"], default="unchanged")
    frame["significant"] = _beyond_uncertainty(both_intervals=(intervals_now, intervals_before), index=frame.index)
    return frame.sort_values("change", ascending=False)


def biggest_moves(frame: pd.DataFrame, count: int = MOVERS_SHOWN) -> pd.DataFrame:
    """The ``count`` biggest rises and the ``count`` biggest falls of `movers`, biggest rise first, biggest fall last.

    An unchanged city is in neither: with no rise and no fall the frame is empty.
    """
    rises = frame[frame["direction"] == "rise"].head(count)
    falls = frame[frame["direction"] == "fall"].tail(count)
    return pd.concat([rises, falls])


def _beyond_uncertainty(both_intervals: tuple[pd.DataFrame | None, pd.DataFrame | None], index: pd.Index) -> pd.Series:
    """True where the two periods' score intervals do not overlap; missing where an interval is unknown.

    The methodology's rule: a change between periods is significant only when it
    exceeds the uncertainty, i.e. the Monte Carlo score intervals of the two periods
    are disjoint.
    """
    now, before = both_intervals
    if now is None or before is None or "score_low" not in now or "score_low" not in before:
        return pd.Series(pd.NA, index=index, dtype="boolean")
    now, before = now.reindex(index), before.reindex(index)
    disjoint = (now["score_low"] > before["score_high"]) | (now["score_high"] < before["score_low"])
    known = now["score_low"].notna() & before["score_low"].notna()
    return disjoint.astype("boolean").where(known, pd.NA)


def peers(scores: pd.DataFrame, city: str, codes: Sequence[str]) -> pd.DataFrame:
    """Per node: the city's score, the region's median and best, and the city's distance to the median."""
    present = [code for code in codes if code in scores]
    frame = pd.DataFrame(
        {
            "city": scores.loc[city, present] if city in scores.index else np.nan,
            "median": scores[present].median(),
            "best": scores[present].max(),
        },
        index=present,
    )
    frame["versus_median"] = frame["city"] - frame["median"]
    return frame


def strengths_and_weaknesses(frame: pd.DataFrame, count: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``count`` nodes furthest above and furthest below the region's median."""
    known = frame.dropna(subset=["versus_median"])
    strengths = known[known["versus_median"] > 0].sort_values("versus_median", ascending=False)
    weaknesses = known[known["versus_median"] < 0].sort_values("versus_median")
    return strengths.head(count), weaknesses.head(count)


def nothing_to_rank(ranking: pd.DataFrame) -> bool:
    """No city has an index: the weights leave every half, or every dimension under it, at 0.

    A chart drawn from it would show empty axes with no rank at all.
    """
    return not ranking.empty and bool(ranking["index"].isna().all())


def nearest_in_rank(ranking: pd.DataFrame, city: str, count: int) -> list[str]:
    """The ``count`` cities ranked closest to ``city``: the natural peers to compare with."""
    order = list(ranking.index)
    if city not in order:
        return []
    position = order.index(city)
    return sorted((code for code in order if code != city), key=lambda code: abs(order.index(code) - position))[:count]
