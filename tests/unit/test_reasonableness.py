"""The reasonableness rules (assessment/scoring/reasonableness.py), by hand-made numbers."""

import pytest

from assessment.scoring import reasonableness as rules


def test_the_modified_z_score_by_hand():
    # Median 10.5, absolute deviations 0.5,0.5,1.5,1.5,2.5,29.5 -> MAD 1.5; z(40) = 0.6745 * 29.5 / 1.5 = 13.27.
    values = {"a": 10, "b": 9, "c": 11, "d": 8, "e": 12, "f": 40}
    scores = rules.robust_z_scores(values)
    assert scores["f"] == pytest.approx(0.6745 * 29.5 / 1.5)
    assert scores["b"] == pytest.approx(0.6745 * -1.5 / 1.5)
    assert set(rules.outlier_flags(values)) == {"f"}
    flag = rules.outlier_flags(values)["f"]
    assert (flag.kind, flag.value, flag.reference) == ("outlier", 40, 10.5)


def test_no_outlier_with_too_few_cities_or_no_spread():
    assert rules.outlier_flags({"a": 1, "b": 1, "c": 100}) == {}
    assert rules.outlier_flags({"a": 5, "b": 5, "c": 5, "d": 5, "e": 5, "f": 50}) == {}


def test_a_jump_is_judged_on_the_goalpost_range():
    assert rules.jump_flag(80, 20, 0, 100).measure == 60
    assert rules.jump_flag(60, 20, 0, 100) is None  # 40 points: under half the range
    assert rules.jump_flag(30, 5, 0, 40) is not None  # 25 on a 0-40 range
    assert rules.jump_flag(30, None, 0, 100) is None


def test_old_data_beyond_the_allowed_age():
    assert rules.old_data_flag(5, 2023, 2026).measure == 3
    assert rules.old_data_flag(5, 2024, 2026) is None
    assert rules.old_data_flag(5, None, 2026) is None
