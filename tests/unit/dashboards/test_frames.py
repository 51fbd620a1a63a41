"""The dashboards' tables on small hand-made frames: ranking, plane, movers, peers. No database, no Django."""

import math

import numpy as np
import pandas as pd
import pytest

from assessment.dashboards import frames, what_if

NAN = float("nan")


def scores(**cities: tuple[float, float, float]) -> pd.DataFrame:
    """Cities x nodes: the index I and its two halves IC and XB."""
    return pd.DataFrame.from_dict(cities, orient="index", columns=["I", "IC", "XB"])


# Ranking


def test_the_ranking_puts_the_highest_index_first_and_ties_share_the_lowest_rank():
    table = scores(a=(50, 0, 0), b=(70, 0, 0), c=(50, 0, 0), d=(40, 0, 0))
    stages = pd.Series({"a": "S1", "b": "S2", "c": "S1", "d": "S0"})

    ranking = frames.ranking(table, stages, "I")

    assert list(ranking.index) == ["b", "a", "c", "d"]
    assert ranking["rank"].tolist() == [1, 2, 2, 4]
    assert ranking["stage"].tolist() == ["S2", "S1", "S1", "S0"]


def test_a_city_without_an_index_has_no_rank_and_comes_last():
    table = scores(a=(NAN, 10, 10), b=(30, 0, 0), c=(60, 0, 0))

    ranking = frames.ranking(table, pd.Series({"b": "S1", "c": "S2"}), "I")

    assert list(ranking.index) == ["c", "b", "a"]
    assert ranking.loc[["c", "b"], "rank"].tolist() == [1, 2]
    assert math.isnan(ranking.loc["a", "rank"])
    assert pd.isna(ranking.loc["a", "stage"])


def test_the_ranking_carries_the_rank_intervals_it_is_given_and_nan_without_them():
    table = scores(a=(50, 0, 0), b=(70, 0, 0))
    intervals = pd.DataFrame(
        {"rank_p05": [1.0, 1.0], "rank_median": [1.5, 1.5], "rank_p95": [2.0, 2.0]}, index=["b", "a"]
    )

    with_intervals = frames.ranking(table, pd.Series(dtype="str"), "I", intervals)
    without = frames.ranking(table, pd.Series(dtype="str"), "I")

    assert with_intervals.loc["a", "rank_p95"] == 2.0
    assert without[["rank_p05", "rank_median", "rank_p95"]].isna().all().all()


def test_nothing_to_rank_when_no_city_has_an_index():
    assert frames.nothing_to_rank(frames.ranking(scores(a=(NAN, 1, 1)), pd.Series(dtype="str"), "I"))
    assert not frames.nothing_to_rank(frames.ranking(scores(a=(5, 1, 1)), pd.Series(dtype="str"), "I"))
    assert not frames.nothing_to_rank(pd.DataFrame(columns=["index"]))


def test_the_nearest_in_rank_are_the_cities_ranked_next_to_the_city():
    ranking = frames.ranking(scores(a=(90, 0, 0), b=(80, 0, 0), c=(70, 0, 0), d=(60, 0, 0)), pd.Series(), "I")

    assert frames.nearest_in_rank(ranking, "c", 2) == ["b", "d"]
    assert frames.nearest_in_rank(ranking, "a", 2) == ["b", "c"]
    assert frames.nearest_in_rank(ranking, "z", 2) == []


# The in-city × cross-boundary plane


def test_the_plane_cuts_its_quadrants_at_the_stage_threshold_not_at_the_medians():
    # Every city is above 60 on both halves: a median cut would still call half of them behind.
    table = scores(a=(0, 90, 90), b=(0, 80, 70), c=(0, 70, 80), d=(0, 65, 65), e=(0, 85, 75))

    plane, x_median, y_median = frames.plane(table, ("IC", "XB"), 60.0)

    assert (x_median, y_median) == (80.0, 75.0)
    assert set(plane["quadrant"]) == {"both"}


def test_the_plane_s_quadrants_say_which_half_reaches_the_threshold():
    table = scores(a=(0, 80, 80), b=(0, 80, 20), c=(0, 20, 80), d=(0, 20, 20), e=(0, 60, 60))

    plane, _x, _y = frames.plane(table, ("IC", "XB"), 60.0)

    assert plane["quadrant"].to_dict() == {
        "a": "both",
        "b": "x_only",
        "c": "y_only",
        "d": "neither",
        # On the threshold reaches it, as on the ladder.
        "e": "both",
    }


def test_the_threshold_of_each_plane_axis_is_what_the_ladder_asks_of_it():
    from assessment.scoring import FrameworkTree

    indicators = [
        {"code": code, "parent": parent, "type": "level"} for code, parent in (("w1", "W1"), ("b1", "B1"), ("x1", "X1"))
    ]
    aggregates = [
        {"code": "I", "parent": None},
        {"code": "IC", "parent": "I"},
        {"code": "XB", "parent": "I"},
        {"code": "W1", "parent": "IC"},
        {"code": "B1", "parent": "IC"},
        {"code": "X1", "parent": "XB"},
    ]
    rungs = [
        {"code": "S1", "requires": ("W1",), "threshold": 60.0},
        {"code": "S2", "requires": ("B1",), "threshold": 60.0},
        {"code": "S3", "requires": ("XB",), "threshold": 60.0},
    ]
    tree = FrameworkTree.from_records(indicators, aggregates, rungs)

    bars = frames.axis_thresholds(tree, ("IC", "XB"))

    assert bars["IC"] == frames.AxisThreshold("IC", 60.0, ("W1", "B1"), ("S1", "S2"))
    assert not bars["IC"].whole
    assert bars["XB"] == frames.AxisThreshold("XB", 60.0, ("XB",), ("S3",))
    assert bars["XB"].whole


def test_a_city_missing_a_half_is_left_off_the_plane_and_out_of_its_medians():
    table = scores(a=(0, 10, 10), b=(0, 30, 30), c=(0, NAN, 90))

    plane, x_median, y_median = frames.plane(table, ("IC", "XB"), 60.0)

    assert list(plane.index) == ["a", "b"]
    assert (x_median, y_median) == (20.0, 20.0)


def test_a_plane_without_cities_has_no_medians():
    plane, x_median, y_median = frames.plane(scores(a=(0, NAN, NAN)), ("IC", "XB"), 60.0)

    assert plane.empty
    assert math.isnan(x_median) and math.isnan(y_median)


# Movers and stages


def test_movers_are_the_cities_scored_in_both_periods_biggest_rise_first():
    now = scores(a=(60, 0, 0), b=(40, 0, 0), c=(55, 0, 0), d=(NAN, 0, 0))
    before = scores(a=(50, 0, 0), b=(45, 0, 0), d=(30, 0, 0), e=(70, 0, 0))

    moved = frames.movers(now, before, "I", pd.Series({"a": "S2", "b": "S1"}), pd.Series({"a": "S1", "b": "S1"}))

    # c is new, e is gone and d has no index now: none of them moved.
    assert list(moved.index) == ["a", "b"]
    assert moved["change"].tolist() == [10.0, -5.0]
    assert moved.loc["a", ["stage_before", "stage_now"]].tolist() == ["S1", "S2"]


def test_an_unchanged_city_is_never_a_fall_nor_a_rise():
    # d moved by 0.04: the table shows 0.0, so the chart must not list it as a fall.
    now = scores(a=(60, 0, 0), b=(40, 0, 0), c=(50, 0, 0), d=(49.96, 0, 0), e=(30.05, 0, 0))
    before = scores(a=(50, 0, 0), b=(45, 0, 0), c=(50, 0, 0), d=(50, 0, 0), e=(30, 0, 0))
    stages = pd.Series("S1", index=list("abcde"))

    moved = frames.movers(now, before, "I", stages, stages)
    shown = frames.biggest_moves(moved)

    assert moved["direction"].to_dict() == {"a": "rise", "e": "rise", "c": "unchanged", "d": "unchanged", "b": "fall"}
    assert list(shown.index) == ["a", "e", "b"]
    assert (shown.loc[shown["direction"] == "fall", "change"] < 0).all()


def test_a_region_where_nothing_moved_has_no_movers_to_show():
    now = scores(a=(60, 0, 0), b=(40.02, 0, 0))
    before = scores(a=(60, 0, 0), b=(40, 0, 0))
    stages = pd.Series("S1", index=["a", "b"])

    moved = frames.movers(now, before, "I", stages, stages)

    assert set(moved["direction"]) == {"unchanged"}
    assert frames.biggest_moves(moved).empty


def test_the_biggest_moves_are_the_few_biggest_rises_and_falls_biggest_fall_last():
    changes = {f"c{i}": float(i) for i in range(-7, 8)}
    now = scores(**{code: (50 + change, 0, 0) for code, change in changes.items()})
    before = scores(**{code: (50, 0, 0) for code in changes})
    stages = pd.Series("S1", index=list(changes))

    shown = frames.biggest_moves(frames.movers(now, before, "I", stages, stages), 3)

    assert shown["change"].tolist() == [7.0, 6.0, 5.0, -5.0, -6.0, -7.0]


def test_the_stage_distribution_lists_every_rung_lowest_first_zeros_included():
    counts = frames.stage_distribution(pd.Series(["S1", "S3", "S1"]), ["S0", "S1", "S2", "S3"])

    assert counts.to_dict() == {"S0": 0, "S1": 2, "S2": 0, "S3": 1}


# Peers


def test_peers_compare_the_city_with_the_regions_median_and_best_per_node():
    table = pd.DataFrame({"D1": [10.0, 20.0, 60.0], "D2": [50.0, 40.0, 30.0]}, index=["a", "b", "c"])

    peers = frames.peers(table, "a", ["D1", "D2", "D9"])

    # D9 is not scored in the region: it is left out.
    assert list(peers.index) == ["D1", "D2"]
    assert peers.loc["D1"].tolist() == [10.0, 20.0, 60.0, -10.0]
    assert peers.loc["D2"].tolist() == [50.0, 40.0, 50.0, 10.0]


def test_a_city_missing_a_dimension_has_no_distance_to_the_median_there():
    table = pd.DataFrame({"D1": [NAN, 20.0, 60.0], "D2": [50.0, 40.0, 30.0]}, index=["a", "b", "c"])

    peers = frames.peers(table, "a", ["D1", "D2"])
    strengths, weaknesses = frames.strengths_and_weaknesses(peers)

    # The region's median and best leave the missing score out.
    assert peers.loc["D1", "median"] == 40.0
    assert math.isnan(peers.loc["D1", "versus_median"])
    assert list(strengths.index) == ["D2"]
    assert weaknesses.empty


def test_strengths_and_weaknesses_are_the_furthest_above_and_below_the_median():
    peers = pd.DataFrame({"versus_median": [5.0, -1.0, 12.0, 0.0, -7.0, 3.0]}, index=list("pqrstu"))

    strengths, weaknesses = frames.strengths_and_weaknesses(peers, count=2)

    assert list(strengths.index) == ["r", "p"]
    assert list(weaknesses.index) == ["t", "q"]
    # At the median (s, 0) is neither.
    assert "s" not in strengths.index and "s" not in weaknesses.index


def test_a_city_not_in_the_region_has_no_scores_of_its_own():
    table = pd.DataFrame({"D1": [10.0, 30.0]}, index=["a", "b"])

    peers = frames.peers(table, "z", ["D1"])

    assert np.isnan(peers.loc["D1", "city"])
    assert peers.loc["D1", "median"] == 20.0


# What-if weights


@pytest.fixture
def structure() -> frames.Structure:
    return frames.Structure(
        index="I",
        halves=("IC", "XB"),
        dimensions=("D1", "D2"),
        dimensions_of={"IC": ("D1",), "XB": ("D2",)},
        indicators_of={"D1": ("i1",), "D2": ("i2",)},
    )


def test_what_if_weights_keep_the_adjustable_nodes_and_clip_to_the_bounds(structure):
    requested = {"IC": "2.5", "XB": "9", "D1": "-1", "D2": "abc", "i1": "2", "I": "2"}

    weights = what_if.clean_weights(requested, structure)

    assert weights == {"IC": 2.5, "XB": what_if.WEIGHT_MAX, "D1": what_if.WEIGHT_MIN}


def test_what_if_weights_ignore_what_is_not_a_finite_number(structure):
    assert what_if.clean_weights({"IC": "nan", "XB": "inf", "D1": ""}, structure) == {}


def test_a_move_counts_as_beyond_the_uncertainty_only_when_the_two_intervals_do_not_overlap():
    now = pd.DataFrame({"DSMI": [70.0, 52.0, 40.0]}, index=["a", "b", "c"])
    before = pd.DataFrame({"DSMI": [60.0, 50.0, 40.0]}, index=["a", "b", "c"])
    stages = pd.Series(["S3", "S2", "S1"], index=["a", "b", "c"])
    intervals_now = pd.DataFrame(
        {"score_low": [66.0, 49.0, 38.0], "score_high": [73.0, 55.0, 42.0]}, index=["a", "b", "c"]
    )
    intervals_before = pd.DataFrame(
        {"score_low": [57.0, 47.0, 38.0], "score_high": [63.0, 53.0, 42.0]}, index=["a", "b", "c"]
    )
    frame = frames.movers(now, before, "DSMI", stages, stages, intervals_now, intervals_before)
    assert frame.loc["a", "significant"]  # 66-73 against 57-63: disjoint
    assert not frame.loc["b", "significant"]  # a rise of 2 inside overlapping intervals
    assert not frame.loc["c", "significant"]
    unknown = frames.movers(now, before, "DSMI", stages, stages)
    assert unknown["significant"].isna().all()
