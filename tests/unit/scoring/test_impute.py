import numpy as np
import pandas as pd
import pytest

from assessment.scoring import ScoringInputError, ScoringOptions, score
from assessment.scoring.impute import impute

from .frameworks import dual_space_tree, random_raw


def test_group_mean_fills_from_the_same_group_and_flags_it():
    raw = pd.DataFrame({"x": [1.0, 3.0, np.nan, np.nan, 10.0]}, index=list("abcde"))
    groups = pd.Series({"a": "YRD", "b": "YRD", "c": "YRD", "d": "JJJ", "e": "PRD"})
    filled, flags = impute(raw, ["group_mean"], groups=groups)
    assert filled["x"].tolist()[:3] == [1.0, 3.0, 2.0]
    assert np.isnan(filled.loc["d", "x"])
    assert flags.loc["c", "x"] == "group_mean"
    assert flags["x"].isna().tolist() == [True, True, False, True, True]


def test_previous_period_then_group_mean_in_order():
    raw = pd.DataFrame({"x": [np.nan, np.nan, 4.0]}, index=list("abc"))
    previous = pd.DataFrame({"x": [7.0, np.nan]}, index=list("ab"))
    groups = pd.Series({"a": "g", "b": "g", "c": "g"})
    filled, flags = impute(raw, ["previous_period", "group_mean"], groups=groups, previous=previous)
    assert filled["x"].tolist() == [7.0, 5.5, 4.0]
    assert flags["x"].tolist()[:2] == ["previous_period", "group_mean"]


def test_imputation_needs_its_inputs():
    raw = pd.DataFrame({"x": [1.0]})
    with pytest.raises(ScoringInputError) as error:
        impute(raw, ["group_mean", "previous_period", "median"])
    assert {problem.column for problem in error.value.problems} == {
        "groups",
        "previous",
        "imputation",
    }


def test_engine_flags_imputed_cells_in_the_result():
    tree = dual_space_tree()
    raw = random_raw(6, seed=1)
    raw.loc["310000", "W1.1"] = np.nan
    groups = pd.Series("YRD", index=raw.index)
    result = score(tree, raw, ScoringOptions(imputation=("group_mean",)), groups=groups)
    assert result.imputed.loc["310000", "W1.1"] == "group_mean"
    assert int(result.imputed.notna().sum().sum()) == 1
    assert result.raw.loc["310000", "W1.1"] == pytest.approx(raw["W1.1"].mean())
    assert result.group_ranks is not None


def test_regression_recovers_a_linear_relation_from_the_fully_measured_indicators():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=30), rng.normal(size=30)
    c = 2.0 + 3.0 * a - 1.5 * b
    raw = pd.DataFrame({"a": a, "b": b, "c": c})
    raw.loc[[3, 7, 11], "c"] = np.nan
    filled, flags = impute(raw, ["regression"])
    np.testing.assert_allclose(filled["c"], c, atol=1e-9)
    assert list(flags["c"].dropna().index) == [3, 7, 11] and set(flags["c"].dropna()) == {"regression"}
    assert flags[["a", "b"]].isna().all().all()


def test_regression_leaves_a_gap_when_too_few_units_have_the_indicator():
    raw = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0], "c": [1.0, np.nan, np.nan, 2.0]})
    filled, _flags = impute(raw, ["regression"])
    assert filled["c"].isna().sum() == 2
