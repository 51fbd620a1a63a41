import numpy as np
import pytest

from assessment.scoring import (
    ScoringOptions,
    change_between_periods,
    contributions,
    effective_weights,
    score,
    strengths_and_weaknesses,
)

from .frameworks import dual_space_tree, random_raw


def test_effective_weights_are_products_of_sibling_shares_and_sum_to_one():
    tree = dual_space_tree(weights={"IC": 3.0, "W1.1": 2.0})
    weights = effective_weights(tree)
    assert weights["W1.1"] == pytest.approx(3 / 4 * 1 / 5 * 2 / 4)
    assert weights["X2.2"] == pytest.approx(1 / 4 * 1 / 2 * 1 / 2)
    assert weights[list(tree.indicator_codes)].sum() == pytest.approx(1.0)
    assert weights["DSMI"] == 1.0


def test_contributions_add_up_to_every_aggregate_under_arithmetic_means():
    tree = dual_space_tree(weights={"W1.1": 2.0, "XB": 0.5})
    result = score(tree, random_raw(8, seed=2, missing_share=0.15))
    table = contributions(result)
    assert table["exact"].all()
    totals = table.groupby(["unit", "ancestor"])["contribution"].sum(min_count=1).unstack()
    expected = result.aggregates.loc[totals.index, totals.columns]
    np.testing.assert_allclose(totals.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-9)
    weight_sums = table.dropna(subset=["value"]).groupby(["unit", "ancestor"])["effective_weight"].sum()
    np.testing.assert_allclose(weight_sums.to_numpy(), 1.0)


def test_contributions_under_geometric_means_are_scaled_shares():
    result = score(
        dual_space_tree(),
        random_raw(4, seed=3),
        ScoringOptions(normalisation="minmax:1,100", aggregation=["geometric", "arithmetic", "arithmetic"]),
    )
    table = contributions(result, units=["310000"])
    assert not table["exact"].any()
    totals = table.groupby("ancestor")["contribution"].sum()
    np.testing.assert_allclose(totals.to_numpy(), result.aggregates.loc["310000", totals.index].to_numpy())


def test_strengths_and_weaknesses_compare_with_the_peer_mean():
    result = score(dual_space_tree(), random_raw(10, seed=4))
    peers = ["310100", "310200", "310300"]
    found = strengths_and_weaknesses(result, "310000", peers=peers, top=3)
    normalised = result.normalised
    expected = normalised.loc["310000"] - normalised.loc[peers].mean()
    np.testing.assert_allclose(found.table["difference"].to_numpy(), expected.to_numpy())
    assert (found.strengths["difference"] > 0).all() and len(found.strengths) <= 3
    assert (found.weaknesses["difference"] < 0).all()
    assert len(found.strengths) > 0 and found.strengths.index[0] == expected.idxmax()


def test_change_between_periods_per_unit_and_node():
    tree = dual_space_tree()
    earlier_raw = random_raw(5, seed=6)
    later_raw = earlier_raw.copy()
    later_raw.loc["310000", "W1.2"] = 5.0
    earlier = score(tree, earlier_raw)
    later = score(tree, later_raw)
    table = change_between_periods(earlier, later).set_index(["unit", "node"])
    w1 = table.loc[("310000", "W1")]
    assert w1["change"] == pytest.approx(later.aggregates.loc["310000", "W1"] - earlier.aggregates.loc["310000", "W1"])
    assert w1["change"] >= 0
    assert table.loc[("310100", "W1"), "change"] == 0
    assert w1["rank_change"] >= 0
