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


def test_a_consistency_rule_is_broken_only_when_both_answers_are_there():
    rule = {"if": {"indicator": "W3.2", "at_least": 4}, "then": {"indicator": "W3.1", "at_least": 3}}
    assert rules.rule_breaches([rule], {"W3.2": 4, "W3.1": 2}) == [(rule, 4, 2)]
    assert rules.rule_breaches([rule], {"W3.2": 4, "W3.1": 3}) == []
    assert rules.rule_breaches([rule], {"W3.2": 3, "W3.1": 0}) == []
    assert rules.rule_breaches([rule], {"W3.2": 5, "W3.1": None}) == []


def test_a_framework_rule_naming_an_unknown_indicator_is_refused_at_import():
    from assessment.framework.document import framework_problems
    from tests.framework_documents import valid_document

    document = valid_document()
    code = next(node["code"] for node in document["nodes"] if node.get("indicator"))
    because = {"zh": "原因", "en": "reason"}
    document["consistency_rules"] = [
        {"if": {"indicator": code, "at_least": 3}, "then": {"indicator": code, "at_least": 1}, "because": because},
        {"if": {"indicator": "Z9.9", "at_least": 3}, "then": {"indicator": code, "at_least": 1}, "because": because},
    ]
    problems = [str(problem) for problem in framework_problems(document)]
    assert len(problems) == 1 and "consistency_rules #2 · if" in problems[0] and "Z9.9" in problems[0]
