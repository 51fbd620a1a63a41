"""The surge test on a three-city case worked out by hand.

Three cities on the equator, at longitudes 0, 1 and 2 degrees, so that
d(A,B) = d(B,C) = x and d(A,C) = 2x (x is about 111.2 km; it cancels out).

    P_A = 2,000,000    P_B = 1,000,000    P_C = 4,000,000

From A: w_AB ∝ P_B / x² = 1e6/x²,  w_AC ∝ P_C / (2x)² = 1e6/x²  → 1/2 and 1/2.
From B: w_BA ∝ 2e6/x²,  w_BC ∝ 4e6/x²                           → 1/3 and 2/3.

A shock moves 10% of A (200,000) and 10% of B (100,000): 300,000 movers.
    A→B 100,000   A→C 100,000   B→A 33,333.3   B→C 66,666.7
Pairs (both directions added):
    {A,B} 133,333.3   {A,C} 100,000   {B,C} 66,666.7

With only A–B covered: coverage = 133,333.3 / 300,000 = 4/9.
The best new agreement is A–C (the uncovered pair with most movers):
coverage becomes (133,333.3 + 100,000) / 300,000 = 7/9.
"""

import pytest

from cities.surge import CityPoint, haversine_km, surge_test

A = CityPoint("A", 2_000_000, 0.0, 0.0)
B = CityPoint("B", 1_000_000, 0.0, 1.0)
C = CityPoint("C", 4_000_000, 0.0, 2.0)
SHOCKS = {"A": 0.10, "B": 0.10}


def test_three_city_coverage_matches_the_hand_computation():
    result = surge_test([A, B, C], SHOCKS, [("B", "A")])
    assert result.total_movers == pytest.approx(300_000)
    assert result.coverage == pytest.approx(4 / 9)
    flows = {flow.pair: flow for flow in result.pairs}
    assert flows[("A", "B")].movers == pytest.approx(400_000 / 3)
    assert flows[("A", "C")].movers == pytest.approx(100_000)
    assert flows[("B", "C")].movers == pytest.approx(200_000 / 3)
    assert flows[("A", "B")].covered and not flows[("A", "C")].covered
    assert [flow.pair for flow in result.pairs] == [("A", "B"), ("A", "C"), ("B", "C")]


def test_the_best_new_agreement_is_the_uncovered_pair_with_most_movers():
    result = surge_test([A, B, C], SHOCKS, [("A", "B")])
    assert result.best_new_pair == ("A", "C")
    assert result.coverage_with_best_new_pair == pytest.approx(7 / 9)
    assert result.gain == pytest.approx(3 / 9)


def test_ties_between_new_agreements_go_to_the_first_codes():
    # From B alone, A and C are equally far; with equal populations movers split evenly.
    twins = [CityPoint("A", 1e6, 0, 0), CityPoint("B", 1e6, 0, 1), CityPoint("C", 1e6, 0, 2)]
    result = surge_test(twins, {"B": 0.5}, [])
    assert result.coverage == 0
    assert result.best_new_pair == ("A", "B")


def test_full_coverage_leaves_no_new_agreement_to_suggest():
    result = surge_test([A, B, C], SHOCKS, [("A", "B"), ("A", "C"), ("B", "C")])
    assert result.coverage == pytest.approx(1.0)
    assert result.best_new_pair is None


def test_nobody_moving_gives_no_coverage_figure():
    assert surge_test([A, B, C], {}, []).coverage is None


def test_a_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        surge_test([A, B, C], {"A": 1.5}, [])


def test_haversine_shanghai_to_hangzhou_is_about_165_km():
    assert haversine_km(31.2323, 121.4692, 30.2741, 120.1551) == pytest.approx(165, abs=5)
