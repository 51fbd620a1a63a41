import numpy as np
import pandas as pd
import pytest

from assessment.scoring import correlation_with_parent, cronbach_alpha, describe_indicators, score

from .frameworks import dual_space_tree, random_raw


@pytest.fixture(scope="module")
def result():
    return score(dual_space_tree(), random_raw(40, seed=7, missing_share=0.1))


def test_descriptive_statistics_match_pandas(result):
    table = describe_indicators(result)
    raw = result.raw
    np.testing.assert_allclose(table["coverage"], raw.notna().mean())
    np.testing.assert_allclose(table["mean"], raw.mean())
    np.testing.assert_allclose(table["sd"], raw.std(ddof=1))
    np.testing.assert_allclose(table["min"], raw.min())
    np.testing.assert_allclose(table["max"], raw.max())
    np.testing.assert_allclose(table["skew"], raw.skew(), rtol=1e-10)
    np.testing.assert_allclose(table["kurtosis"], raw.kurt(), rtol=1e-10)


def test_correlation_with_parent_is_pearson_over_pairs(result):
    correlations = correlation_with_parent(result)
    scores = result.scores
    assert correlations["W1.1"] == pytest.approx(scores["W1.1"].corr(scores["W1"]))
    assert correlations["XB"] == pytest.approx(scores["XB"].corr(scores["DSMI"]))
    assert "DSMI" not in correlations.index
    assert describe_indicators(result, "normalised")["corr_with_parent"]["W1.1"] == pytest.approx(correlations["W1.1"])


def test_cronbach_alpha_of_each_dimension_listwise(result):
    alphas = cronbach_alpha(result, level=2)
    children = ["W1.1", "W1.2", "W1.3"]
    items = result.normalised[children].dropna()
    k = len(children)
    expected = k / (k - 1) * (1 - items.var().sum() / items.sum(axis=1).var())
    assert alphas.loc["W1", "alpha"] == pytest.approx(expected)
    assert alphas.loc["W1", "n"] == len(items)
    assert set(alphas.index) == {"W1", "B1", "W2", "B2", "W3", "X1", "X2"}


def test_perfectly_consistent_items_have_alpha_one():
    tree = dual_space_tree()
    raw = random_raw(10, seed=8)
    raw["W2.2"] = raw["W2.1"]
    alphas = cronbach_alpha(score(tree, raw))
    assert alphas.loc["W2", "alpha"] == pytest.approx(1.0)
    assert isinstance(alphas, pd.DataFrame)
