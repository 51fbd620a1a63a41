"""The statistical audit (assessment/scoring/audit.py) on constructed data whose answers are known."""

import numpy as np
import pandas as pd
import pytest

from assessment.scoring import ScoringOptions, score
from assessment.scoring.audit import (
    MIN_PAIRS,
    AuditThresholds,
    correlation_ratio,
    statistical_audit,
)
from assessment.scoring.method import MethodParameters
from assessment.scoring.statistics import correlation_matrix
from assessment.scoring.treat import Treatment

from .frameworks import dual_space_tree, random_raw


def _flags(audit, code):
    return {flag.subject: flag.value for flag in audit.flags if flag.code == code}


def test_two_identical_indicators_are_a_redundant_pair():
    raw = random_raw(30, seed=1)
    raw["W1.3"] = raw["W1.2"]
    audit = statistical_audit(score(dual_space_tree(), raw))
    assert _flags(audit, "redundant_pair") == {"W1.2~W1.3": pytest.approx(1.0)}
    assert audit.correlations.loc["W1.2", "W1.3"] == pytest.approx(1.0)


def test_a_negatively_related_pair_within_a_dimension_is_flagged_and_one_across_dimensions_is_not():
    raw = random_raw(40, seed=2)
    rng = np.random.default_rng(0)
    # Both quantitative 0-100; goalposts normalisation is affine, so r is the raw values' r.
    raw["B1.1"] = np.clip(100 - raw["W1.1"] + rng.normal(0, 25, 40), 0, 100)
    raw["B2.1"] = 100 - raw["W1.1"]
    r = np.corrcoef(raw["W1.1"], raw["B1.1"])[0, 1]
    assert r < -0.4
    audit = statistical_audit(score(dual_space_tree(), raw))
    negative = _flags(audit, "negative_correlation")
    assert "W1.1~B1.1" not in negative  # different dimensions (W1, B1)
    assert "W1.1~B2.1" not in negative
    # Within W1: a level indicator reversed against the other.
    raw["W1.3"] = 5 - raw["W1.2"]
    within = _flags(statistical_audit(score(dual_space_tree(), raw)), "negative_correlation")
    assert within["W1.2~W1.3"] == pytest.approx(-1.0)


def test_perfectly_correlated_items_have_alpha_one_and_one_principal_component():
    raw = random_raw(30, seed=3)
    raw["W1.1"] = raw["W1.2"] * 20  # 0-100 goalposts: the same normalised score as the level 0-5
    raw["W1.3"] = raw["W1.2"]
    audit = statistical_audit(score(dual_space_tree(), raw))
    row = audit.alpha.loc["W1"]
    assert row["cronbach_alpha"] == pytest.approx(1.0)
    assert row["pc1_share"] == pytest.approx(1.0)
    assert row["n_indicators"] == 3
    assert "W1" not in _flags(audit, "low_alpha")


def test_uncorrelated_items_have_a_low_alpha_flag_only_on_dimensions():
    audit = statistical_audit(score(dual_space_tree(), random_raw(60, seed=4)))
    low = _flags(audit, "low_alpha")
    assert low and set(low) <= {"W1", "B1", "W2", "B2", "W3", "X1", "X2"}
    assert {"IC", "XB", "DSMI"} <= set(audit.alpha.index)


def test_an_indicator_without_influence_gets_a_mismatch_flag():
    raw = random_raw(40, seed=5)
    raw["X2.1"] = 100.0  # constant: it cannot move the index however heavy its weight
    audit = statistical_audit(score(dual_space_tree(), raw))
    influence = audit.influence
    assert influence.loc["X2.1", "correlation_ratio"] == 0.0
    assert influence.loc["X2.1", "mismatch"] == 0.0
    assert _flags(audit, "weight_influence_mismatch")["X2.1"] == 0.0
    assert influence["nominal_weight"].sum() == pytest.approx(1.0)
    assert influence["influence_share"].sum() == pytest.approx(1.0)
    # The tree's effective weights: X2.1 is one of two in X2, one of two in XB, one of two in the index.
    assert influence.loc["X2.1", "nominal_weight"] == pytest.approx(1 / 8)


def test_the_correlation_ratio_sees_a_relation_pearson_does_not():
    x = np.linspace(-1, 1, 41)
    assert correlation_ratio(x, 2 * x + 1) == pytest.approx(1.0, abs=1e-6)
    parabola = correlation_ratio(x, x**2)
    assert np.corrcoef(x, x**2)[0, 1] ** 2 < 1e-12
    assert parabola > 0.9
    # A yes/no indicator: the fit at its two values is the two group means, so eta^2 is exact.
    binary = np.array([0.0, 1.0] * 20)
    y = binary * 3 + np.random.default_rng(1).normal(0, 1, 40)
    means = np.where(binary == 1, y[binary == 1].mean(), y[binary == 0].mean())
    assert correlation_ratio(binary, y) == pytest.approx(np.var(means) / np.var(y), rel=1e-6)
    assert np.isnan(correlation_ratio(x[: MIN_PAIRS - 1], x[: MIN_PAIRS - 1]))


def test_coverage_and_imputed_shares_from_a_result_with_imputation():
    raw = random_raw(20, seed=6)
    raw.loc[raw.index[:4], "W1.1"] = np.nan  # 4 of 20 missing, group a has values: all 4 imputed
    raw.loc[raw.index[:10], "B1.1"] = np.nan  # the whole group a: none imputed
    groups = pd.Series(["a"] * 10 + ["b"] * 10, index=raw.index)
    result = score(dual_space_tree(), raw, ScoringOptions(imputation=("group_mean",)), groups=groups)
    coverage = statistical_audit(result).coverage
    assert coverage.loc["W1.1", "coverage"] == pytest.approx(16 / 20)
    assert coverage.loc["W1.1", "imputed"] == pytest.approx(4 / 20)
    assert coverage.loc["B1.1", "coverage"] == pytest.approx(10 / 20)
    assert coverage.loc["B1.1", "imputed"] == 0.0
    assert coverage.loc["W1.2", "coverage"] == 1.0
    assert not coverage["treated"].any()
    audit = statistical_audit(result, thresholds=AuditThresholds(imputation=0.1))
    assert _flags(audit, "high_imputation") == {"W1.1": pytest.approx(0.2)}
    assert _flags(audit, "low_coverage") == {"B1.1": pytest.approx(0.5)}


def test_the_halves_correlation_and_the_axes_flag():
    raw = random_raw(30, seed=7)
    result = score(dual_space_tree(), raw)
    audit = statistical_audit(result)
    expected = np.corrcoef(result.aggregates["IC"], result.aggregates["XB"])[0, 1]
    assert audit.halves_correlation == pytest.approx(expected)
    assert list(audit.dimension_correlations.columns) == ["W1", "B1", "W2", "B2", "W3", "X1", "X2"]
    strict = statistical_audit(result, thresholds=AuditThresholds(axes_distinct_r=abs(expected) - 1e-9))
    assert _flags(strict, "axes_not_distinct") == {"IC~XB": pytest.approx(expected)}
    assert "axes_not_distinct" not in {flag.code for flag in audit.flags} or abs(expected) >= 0.7


def test_a_correlation_with_fewer_than_five_pairs_is_missing_and_not_flagged():
    raw = random_raw(12, seed=8)
    raw["W1.3"] = raw["W1.2"]
    raw.loc[raw.index[MIN_PAIRS - 1 :], "W1.3"] = np.nan  # 4 units left with both
    audit = statistical_audit(score(dual_space_tree(), raw))
    assert np.isnan(audit.correlations.loc["W1.2", "W1.3"])
    assert "W1.2~W1.3" not in _flags(audit, "redundant_pair")


def test_the_correlation_matrix_is_pandas_pairwise_pearson():
    frame = random_raw(25, seed=9, missing_share=0.2)
    ours = correlation_matrix(frame, MIN_PAIRS)
    theirs = frame.corr(min_periods=MIN_PAIRS)
    pd.testing.assert_frame_equal(ours, theirs, atol=1e-10)


def test_the_thresholds_are_the_method_parameters():
    method = MethodParameters(audit_redundancy_r=0.95, audit_coverage=0.5)
    thresholds = AuditThresholds.from_method(method)
    assert thresholds.redundancy_r == 0.95 and thresholds.coverage == 0.5
    assert AuditThresholds.from_method(MethodParameters()) == AuditThresholds()


def test_treated_indicators_are_flagged_with_the_share_of_values_changed():
    raw = random_raw(20, seed=10)
    result = score(dual_space_tree(), raw)
    treated = pd.DataFrame(False, index=raw.index, columns=raw.columns)
    treated.iloc[:3, treated.columns.get_loc("B2.2")] = True
    named = pd.DataFrame(None, index=raw.index, columns=["W3.2"], dtype="object")
    named.iloc[0, 0] = "winsorise"
    audit = statistical_audit(result, treated=treated)
    assert _flags(audit, "treated") == {"B2.2": pytest.approx(3 / 20)}
    assert audit.coverage["treated"].sum() == 1
    by_name = statistical_audit(result, treated=named)
    assert _flags(by_name, "treated") == {"W3.2": pytest.approx(1 / 20)}


def test_the_engines_own_treatment_flags_are_read_by_default():
    raw = random_raw(30, seed=11)
    raw["W1.1"] = np.linspace(1.0, 10.0, 30)
    raw.iloc[0, raw.columns.get_loc("W1.1")] = 100.0  # one far outlier: skewed and heavy-tailed
    result = score(dual_space_tree(), raw, ScoringOptions(treatment=Treatment()))
    assert result.treated is not None
    changed = (result.treated["W1.1"] != "").mean()
    assert changed > 0
    assert _flags(statistical_audit(result), "treated")["W1.1"] == pytest.approx(changed)
