"""Peer-group rules and positions (cities/peer_groups.py), on hand-made data."""

import math

import pytest

from cities.peer_groups import PEER_GROUP_MINIMUM, RATINGS, PeerRule, peer_position, rating_for


def test_a_category_rule_admits_its_values_and_a_band_is_half_open():
    level = PeerRule("level", values=("municipality", "sub_provincial"))
    assert level.admits({"level": "sub_provincial"}) and not level.admits({"level": "prefecture"})
    band = PeerRule("population", minimum=5_000_000, maximum=10_000_000)
    assert band.admits({"population": 5_000_000}) and not band.admits({"population": 10_000_000})
    assert not band.admits({"population": None}) and not band.admits({}) and not band.admits({"population": math.nan})
    open_top = PeerRule("gdp_per_head", minimum=150_000)
    assert open_top.admits({"gdp_per_head": 180_000.0}) and not open_top.admits({"gdp_per_head": "n/a"})


def test_ratings_run_from_aaa_for_the_top_tenth_to_d_for_the_bottom():
    assert rating_for(1.0) == "AAA" and rating_for(0.95) == "AAA" and rating_for(0.85) == "AA"
    assert rating_for(0.0) == "D" and rating_for(0.05) == "D" and len(RATINGS) == 10


def test_a_position_counts_ties_half_and_shares_the_best_rank():
    scores = {"a": 80.0, "b": 70.0, "c": 70.0, "d": 50.0, "e": 40.0, "f": math.nan}
    top = peer_position(scores, "a")
    assert (top.members_scored, top.rank, top.percentile, top.rating) == (5, 1, 1.0, "AAA")
    tied = peer_position(scores, "b")
    # Above d and e (2), tied with c (half): 2.5 of the 4 others.
    assert (tied.rank, tied.percentile, tied.rating) == (2, pytest.approx(0.625), "BBB")
    assert tied.median == 70.0 and tied.best == 80.0 and tied.shown
    assert peer_position(scores, "f") is None
    small = peer_position({"a": 1.0, "b": 2.0}, "a")
    assert small.members_scored < PEER_GROUP_MINIMUM and not small.shown
