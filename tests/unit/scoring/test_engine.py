import numpy as np
import pandas as pd
import pytest

from assessment.scoring import (
    ScoringInputError,
    ScoringOptions,
    prepare,
    rescore_with_weights,
    score,
)

from .frameworks import dual_space_tree, one_city, random_raw


def located(error: pytest.ExceptionInfo[ScoringInputError]) -> set[tuple[object, object]]:
    return {(problem.row, problem.column) for problem in error.value.problems}


def test_default_scoring_uses_goalposts_so_a_single_city_can_be_scored():
    result = score(dual_space_tree(), one_city(W1_1=75.0, W1_2=3))
    assert result.normalised.loc["320500", "W1.1"] == 75.0
    assert result.normalised.loc["320500", "W1.2"] == 60.0
    assert result.ranks.loc["320500", "DSMI"] == 1.0
    assert list(result.aggregates.columns) == [
        "W1",
        "B1",
        "W2",
        "B2",
        "W3",
        "X1",
        "X2",
        "IC",
        "XB",
        "DSMI",
    ]
    assert list(result.scores.columns[:2]) == ["W1.1", "W1.2"]


def test_every_aggregate_is_ranked_highest_first():
    result = score(dual_space_tree(), random_raw(20, seed=1))
    expected = result.aggregates.rank(ascending=False, method="min")
    pd.testing.assert_frame_equal(result.ranks, expected)


def test_rescoring_with_weights_equals_scoring_with_those_weights():
    tree = dual_space_tree()
    raw = random_raw(41, seed=2, missing_share=0.05)
    weights = {"W1": 3.0, "XB": 2.0, "W1.2": 0.5}
    direct = score(tree, raw, ScoringOptions(weights=weights))
    prepared = prepare(tree, raw)
    again = rescore_with_weights(prepared, weights)
    pd.testing.assert_frame_equal(direct.aggregates, again.aggregates)
    pd.testing.assert_series_equal(direct.stages, again.stages)
    assert again.weights["W1"] == 3.0 and again.weights["W2"] == 1.0


def test_unknown_or_negative_slider_weights_are_rejected():
    prepared = prepare(dual_space_tree(), random_raw(3))
    with pytest.raises(ScoringInputError) as error:
        rescore_with_weights(prepared, {"W9": 1.0, "W1": -2.0})
    assert located(error) == {("W9", "weight"), ("W1", "weight")}


def test_missing_columns_and_duplicate_units_are_reported():
    raw = random_raw(3).drop(columns=["W1.1", "X2.2"])
    raw.index = pd.Index(["310000", "310000", "320000"], name="uCode", dtype="str")
    with pytest.raises(ScoringInputError) as error:
        score(dual_space_tree(), raw)
    assert located(error) == {("310000", "uCode"), (None, "W1.1"), (None, "X2.2")}


def test_non_numeric_cells_name_the_unit_and_indicator():
    raw = random_raw(3).astype({"W1.1": "object"})
    raw.loc["310100", "W1.1"] = "about 40"
    with pytest.raises(ScoringInputError) as error:
        score(dual_space_tree(), raw)
    assert located(error) == {("310100", "W1.1")}
    assert "about 40" in str(error.value)


def test_values_must_suit_the_indicator_type():
    raw = random_raw(3)
    raw.loc["310000", "W1.2"] = 6.0
    raw.loc["310100", "W1.3"] = 2.5
    raw.loc["310000", "B1.2"] = 2.0
    raw.loc["310200", "B2.2"] = -1.0
    raw.loc["310200", "W1.1"] = np.inf
    with pytest.raises(ScoringInputError) as error:
        score(dual_space_tree(), raw)
    assert located(error) == {
        ("310000", "W1.2"),
        ("310100", "W1.3"),
        ("310000", "B1.2"),
        ("310200", "B2.2"),
        ("310200", "W1.1"),
    }


def test_a_constant_indicator_under_minmax_is_skipped_with_a_warning():
    raw = random_raw(5, seed=3)
    raw["W2.1"] = 3.0
    result = score(dual_space_tree(), raw, ScoringOptions(normalisation="minmax:0,100"))
    assert result.normalised["W2.1"].isna().all()
    np.testing.assert_allclose(result.aggregates["W2"], result.normalised["W2.2"])
    assert any("W2.1" in warning for warning in result.warnings)


def test_per_indicator_normalisation_overrides():
    raw = random_raw(6, seed=4)
    result = score(dual_space_tree(), raw, ScoringOptions(indicator_normalisation={"W1.1": "minmax:0,100"}))
    assert result.normalised["W1.1"].max() == pytest.approx(100.0)
    assert result.normalised["W1.2"].tolist() == (raw["W1.2"] * 20).tolist()


def test_the_gap_table_has_one_row_per_improvement():
    result = score(dual_space_tree(), random_raw(10, seed=5))
    table = result.gap_table
    assert set(table["unit"]) <= set(result.normalised.index)
    assert table.groupby("unit")["order"].apply(lambda order: list(order) == list(range(1, len(order) + 1))).all()


def test_missing_values_pass_through_and_ranks_stay_missing():
    raw = random_raw(4, seed=6)
    raw.loc["310000", :] = np.nan
    result = score(dual_space_tree(), raw)
    assert result.aggregates.loc["310000"].isna().all()
    assert result.ranks.loc["310000"].isna().all()
    assert result.stages["310000"] == "S0"
