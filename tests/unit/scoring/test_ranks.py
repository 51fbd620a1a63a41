import numpy as np
import pandas as pd

from assessment.scoring import rank_descending
from assessment.scoring.ranks import rank_frame, rank_within_groups


def test_highest_first_and_ties_share_the_lowest_rank():
    np.testing.assert_array_equal(
        rank_descending(np.array([70.0, 90.0, 80.0, 80.0, np.nan, 60.0])), [4, 1, 2, 2, np.nan, 5]
    )


def test_ranks_match_pandas_min_method_along_any_axis():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 5, (6, 40)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    expected = pd.DataFrame(values.T).rank(ascending=False, method="min").to_numpy().T
    np.testing.assert_array_equal(rank_descending(values, axis=1), expected)
    np.testing.assert_array_equal(rank_descending(values.T, axis=0), expected.T)


def test_ranks_within_groups_ignore_units_without_group():
    scores = pd.DataFrame({"DSMI": [50.0, 70.0, 60.0, 65.0]}, index=pd.Index(["a", "b", "c", "d"], dtype="str"))
    groups = pd.Series({"a": "YRD", "b": "YRD", "c": "JJJ"})
    ranked = rank_within_groups(scores, groups)
    assert ranked["DSMI"].tolist()[:3] == [2.0, 1.0, 1.0]
    assert np.isnan(ranked.loc["d", "DSMI"])
    assert rank_frame(scores)["DSMI"].tolist() == [4.0, 1.0, 3.0, 2.0]
