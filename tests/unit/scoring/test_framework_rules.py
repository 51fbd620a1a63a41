"""The cycle rule and the weight rule, each written once (scoring/tree.py) and asked by every check."""

import pytest

from assessment.scoring import FrameworkTree, ScoringInputError
from assessment.scoring.tree import is_weight, parent_cycles


def test_each_cycle_is_reported_once_closed_on_itself():
    parent_of = {"R": None, "A": "B", "B": "A", "C": "A", "D": "D", "E": "unknown"}
    assert parent_cycles(parent_of) == [["A", "B", "A"], ["D", "D"]]


def test_a_tree_has_no_cycle():
    assert parent_cycles({"R": None, "A": "R", "B": "A", 4: None, 5: 4}) == []


def test_the_engine_refuses_parents_in_a_cycle():
    with pytest.raises(ScoringInputError) as error:
        FrameworkTree.from_records(
            indicators=[
                {"code": "a", "parent": "A", "weight": 1, "direction": 1, "type": "binary"},
                {"code": "b", "parent": "B", "weight": 1, "direction": 1, "type": "binary"},
                {"code": "r", "parent": "R", "weight": 1, "direction": 1, "type": "binary"},
            ],
            aggregates=[{"code": "R", "parent": None}, {"code": "B", "parent": "A"}, {"code": "A", "parent": "B"}],
        )
    assert [(p.row, p.column, p.reason) for p in error.value.problems] == [("A", "parent", "the parents form a cycle")]


def test_the_engine_takes_a_zero_weight_for_what_if_but_nothing_negative_or_infinite():
    assert is_weight(0) and is_weight(0.5) and is_weight(3)
    assert not any(is_weight(value) for value in (-1, float("inf"), float("nan"), True, "1", None))
