"""Outlier treatment as COINr's Treat(): checks, winsorisation one point at a time, log_CT."""

import numpy as np
import pandas as pd
import pytest

from assessment.scoring import ScoringInputError
from assessment.scoring.treat import Treatment, kurtosis, skewness, treat


def column(values) -> pd.DataFrame:
    return pd.DataFrame({"x": np.asarray(values, dtype=float)})


def test_skew_and_kurtosis_are_the_sample_adjusted_ones():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    d = x - x.mean()
    n = x.size
    g1 = np.sqrt(n) * (d**3).sum() / (d**2).sum() ** 1.5
    assert skewness(x) == pytest.approx(g1 * np.sqrt(n * (n - 1)) / (n - 2))
    assert np.isnan(kurtosis(np.array([1.0, 2.0, 3.0])))


def test_a_passing_indicator_is_untouched():
    values = np.random.default_rng(1).normal(size=40)
    treated, flags, details = treat(column(values))
    np.testing.assert_array_equal(treated["x"], values)
    assert (flags["x"] == "").all() and details.loc["x", "passed_before"]


def test_one_outlier_is_winsorised_to_the_next_value():
    values = np.r_[np.random.default_rng(2).normal(size=39), 30.0]
    treated, flags, details = treat(column(values))
    assert details.loc["x", "winsorised"] == 1 and details.loc["x", "transformation"] == ""
    assert treated["x"].iloc[-1] == np.sort(values)[-2]
    assert flags["x"].iloc[-1] == "winsorised_high" and (flags["x"].iloc[:-1] == "").all()


def test_tied_extremes_move_together_and_are_counted():
    values = np.r_[np.random.default_rng(3).normal(size=36), 30.0, 30.0, 25.0, 0.5]
    treated, flags, details = treat(column(values))
    assert details.loc["x", "winsorised"] >= 2
    assert (flags["x"] == "winsorised_high").sum() == details.loc["x", "winsorised"]
    assert treated["x"].max() < 25.0 or details.loc["x", "winsorised"] == 2


def test_a_tail_five_points_cannot_fix_is_log_transformed_from_the_original_values():
    values = np.r_[1.0 + 0.1 * np.arange(40), 10.0 ** np.arange(1, 12)]
    treated, flags, details = treat(column(values))
    assert details.loc["x", "transformation"] == "log_CT"
    low, high = values.min(), values.max()
    np.testing.assert_allclose(treated["x"], np.log(values - low + 0.01 * (high - low)))
    assert (flags["x"] == "log_CT").all()


def test_winsorise_n_stops_without_a_log_transformation():
    values = np.r_[1.0 + 0.1 * np.arange(40), 10.0 ** np.arange(1, 12)]
    _treated, _flags, details = treat(column(values), Treatment.parse("winsorise:3"))
    assert details.loc["x", "transformation"] == "" and details.loc["x", "winsorised"] >= 3


def test_a_bad_treatment_is_refused_naming_it():
    with pytest.raises(ScoringInputError, match="treat"):
        Treatment.parse("winsorise:-1")


def test_a_column_that_winsorising_makes_constant_is_left_untreated():
    values = np.r_[np.full(29, 3.0), 40.0]
    treated, flags, details = treat(column(values))
    np.testing.assert_array_equal(treated["x"], values)
    assert (flags["x"] == "").all() and details.loc["x", "winsorised"] == 0
