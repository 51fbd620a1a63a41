"""Weighted kappa against values worked out by hand (assessment/scoring/agreement.py)."""

import math

import pytest

from assessment.scoring.agreement import (
    SUBSTANTIAL_AGREEMENT,
    agreement_by_group,
    group_agreement,
    weighted_kappa,
)


def test_full_agreement_is_one_and_a_single_shared_level_is_undefined():
    assert weighted_kappa([(0, 0), (2, 2), (5, 5)]) == pytest.approx(1.0)
    assert math.isnan(weighted_kappa([(3, 3), (3, 3)]))
    assert math.isnan(weighted_kappa([]))


@pytest.mark.parametrize(("weights", "expected"), [("linear", 2 / 3), ("quadratic", 0.8)])
def test_three_pairs_worked_by_hand(weights, expected):
    # Pairs (1,1), (2,3), (3,3) over levels 0-5. Linear: observed disagreement (1/5)(1/3) = 1/15;
    # by chance sum p_i q_j |i-j|/5 = 4/45 + 3/45 + 2/45 = 1/5; kappa = 1 - (1/15)/(1/5) = 2/3.
    # Quadratic: observed (1/25)(1/3) = 1/75; by chance 8/225 + 3/225 + 4/225 = 1/15; kappa = 1 - 1/5 = 0.8.
    assert weighted_kappa([(1, 1), (2, 3), (3, 3)], weights) == pytest.approx(expected)


def test_systematic_disagreement_is_below_chance():
    # The raters mirror each other (one's high is the other's low): worse than chance.
    # Observed disagreement 4/5 = 0.8, by chance 2.25/5 = 0.45: kappa = 1 - 0.8/0.45 = -7/9.
    assert weighted_kappa([(0, 5), (5, 0), (1, 4), (4, 1)]) == pytest.approx(-7 / 9)


def test_groups_skip_what_either_rater_left_open_and_list_the_differences_largest_first():
    first = {"W1.3": 2, "W1.4": 3, "W1.5": None, "B1.3": 4, "B1.5": 1}
    second = {"W1.3": 4, "W1.4": 3, "W1.5": 2, "B1.3": 4, "B1.5": 2}
    groups = {"W1.3": "W1", "W1.4": "W1", "W1.5": "W1", "B1.3": "B1", "B1.5": "B1"}
    w1, b1, overall = agreement_by_group(first, second, groups, overall="all")
    assert (w1.group, w1.pairs, w1.exact, w1.within_one) == ("W1", 2, 0.5, 0.5)
    assert [(d.indicator, d.first, d.second) for d in w1.differences] == [("W1.3", 2, 4)]
    assert (b1.pairs, b1.within_one) == (2, 1.0)
    assert overall.group == "all" and overall.pairs == 4
    assert [d.indicator for d in overall.differences] == ["W1.3", "B1.5"]
    assert overall.kappa == pytest.approx(weighted_kappa([(2, 4), (3, 3), (4, 4), (1, 2)]))


def test_the_floor_flags_low_kappa_and_undefined_kappa_with_a_difference():
    assert group_agreement("x", [("a", 1, 1), ("b", 2, 2), ("c", 4, 4)]).below_floor is False
    low = group_agreement("x", [("a", 0, 3), ("b", 3, 0), ("c", 2, 2)])
    assert low.kappa < SUBSTANTIAL_AGREEMENT and low.below_floor
    assert group_agreement("x", [("a", 3, 3)]).below_floor is False
