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
