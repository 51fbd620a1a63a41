import numpy as np
import pandas as pd
import pytest

from assessment.scoring import FrameworkTree, IndicatorSpec, Node, ScoringInputError, ScoringOptions, score
from assessment.scoring.denominate import denominate


def test_an_indicator_is_divided_by_its_column_and_others_are_left():
    raw = pd.DataFrame({"x": [10.0, 30.0], "y": [1.0, 2.0]}, index=["a", "b"])
    data = pd.DataFrame({"GDP": [2.0, 3.0]}, index=["a", "b"])
    result, flags = denominate(raw, data, {"x": "GDP"})
    assert result["x"].tolist() == [5.0, 10.0]
    assert result["y"].tolist() == [1.0, 2.0]
    assert (flags == "").all().all()


def test_a_missing_or_zero_denominator_gives_a_missing_value_flagged():
    raw = pd.DataFrame({"x": [10.0, 30.0, 4.0, np.nan]}, index=list("abcd"))
    data = pd.DataFrame({"GDP": [2.0, 0.0, np.nan, 0.0]}, index=list("abcd"))
    result, flags = denominate(raw, data, {"x": "GDP"})
    assert result["x"].iloc[0] == 5.0 and result["x"].iloc[1:].isna().all()
    # A value that was never measured stays unflagged: the denominator did not remove it.
    assert flags["x"].tolist() == ["", "zero denominator", "missing denominator", ""]


def test_a_denominator_that_is_not_a_column_is_refused_naming_it():
    raw = pd.DataFrame({"x": [1.0]}, index=["a"])
    with pytest.raises(ScoringInputError, match="Area"):
        denominate(raw, pd.DataFrame(index=["a"]), {"x": "Area"})


def test_the_engine_denominates_first_only_when_asked_and_reports_the_flags():
    tree = FrameworkTree(
        (IndicatorSpec("x", "I", denominator="Population"), IndicatorSpec("y", "I")),
        (Node("I", None, level=2),),
    )
    raw = pd.DataFrame({"x": [10.0, 40.0, 9.0], "y": [1.0, 2.0, 3.0]}, index=list("abc"))
    people = pd.DataFrame({"Population": [10.0, 20.0, 0.0]}, index=list("abc"))
    options = ScoringOptions(normalisation="minmax:0,100", denominate=True, imputation=())
    result = score(tree, raw, options, denominators=people)
    assert result.normalised["x"].tolist()[:2] == [0.0, 100.0]
    assert np.isnan(result.normalised.loc["c", "x"])
    assert result.denominated is not None and result.denominated.loc["c", "x"] == "zero denominator"
    plain = score(tree, raw, ScoringOptions(normalisation="minmax:0,100"), denominators=people)
    assert plain.denominated is None and plain.normalised.loc["c", "x"] == 0.0
