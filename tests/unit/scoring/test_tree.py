from decimal import Decimal

import pytest

from assessment.scoring import (
    FrameworkTree,
    IndicatorSpec,
    Node,
    Rung,
    ScoringInputError,
    StageLadder,
)

from .frameworks import dual_space_tree


def problems_of(error: pytest.ExceptionInfo[ScoringInputError]) -> set[tuple[object, object]]:
    return {(problem.row, problem.column) for problem in error.value.problems}


def test_tree_builds_from_plain_dicts_with_database_decimals():
    tree = FrameworkTree.from_records(
        indicators=[
            {
                "code": "W1.1",
                "parent": "W1",
                "weight": Decimal("2"),
                "direction": 1,
                "type": "quantitative",
                "lower": Decimal("0"),
                "upper": Decimal("100"),
                "target": None,
                "critical": False,
            },
            {
                "code": "W1.2",
                "parent": "W1",
                "weight": 1,
                "direction": -1,
                "type": "level",
                "critical": True,
            },
        ],
        aggregates=[{"code": "W1", "parent": "DSMI"}, {"code": "DSMI", "parent": None}],
        rungs=[{"code": "S1", "requires": ["W1"], "threshold": Decimal("55"), "critical_floor": None}],
    )

    assert tree.indicator_codes == ("W1.1", "W1.2")
    assert tree.weight_of["W1.1"] == 2.0
    assert tree.indicator_by_code["W1.2"].direction == -1
    assert tree.indicator_by_code["W1.2"].goalposts == (0.0, 5.0)
    assert tree.level_of("W1") == 2 and tree.level_of("DSMI") == 3
    assert tree.ladder is not None
    assert tree.ladder.rungs[0] == Rung("S1", ("W1",), 55.0, 40.0)
    assert tree.ladder.stages == ("S0", "S1")


def test_levels_are_derived_from_height_when_not_given():
    tree = dual_space_tree()
    assert tree.aggregate_levels == (2, 3, 4)
    assert tree.root == "DSMI"
    assert tree.aggregate_codes[:5] == ("W1", "B1", "W2", "B2", "W3")
    assert tree.ancestors("X2.1") == ("X2", "XB", "DSMI")
    assert tree.indicators_under["XB"] == ("X1.1", "X1.2", "X2.1", "X2.2")


def test_every_problem_of_a_bad_tree_is_reported_at_once():
    with pytest.raises(ScoringInputError) as error:
        FrameworkTree(
            indicators=(
                IndicatorSpec("A.1", "A", weight=-1),
                IndicatorSpec("A.2", "Nowhere", direction=2),
                IndicatorSpec("A.1", "A", type="ordinal"),  # type: ignore[arg-type]
                IndicatorSpec("A.3", "A", lower=5, upper=1),
                IndicatorSpec("A.4", "A", lower=0),
            ),
            aggregates=(Node("A"),),
        )

    assert problems_of(error) >= {
        ("A.1", "weight"),
        ("A.2", "parent"),
        ("A.2", "direction"),
        ("A.1", "code"),
        ("A.1", "type"),
        ("A.3", "upper"),
        ("A.4", "upper"),
    }


def test_a_framework_needs_exactly_one_root_and_no_empty_aggregates():
    with pytest.raises(ScoringInputError) as error:
        FrameworkTree((IndicatorSpec("A.1", "A"),), (Node("A"), Node("B")))
    reasons = str(error.value)
    assert "exactly one root" in reasons
    assert "at least one child" in reasons


def test_a_given_level_must_be_above_the_children():
    with pytest.raises(ScoringInputError) as error:
        FrameworkTree(
            (IndicatorSpec("A.1", "A"),),
            (Node("A", "Top", level=3), Node("Top", None, level=3)),
        )
    assert ("Top", "level") in problems_of(error)


def test_a_rung_must_require_known_nodes():
    with pytest.raises(ScoringInputError) as error:
        dual_space_tree(ladder=StageLadder((Rung("S1", ("W9",)), Rung("S1", ("W1",)))))
    assert ("S1", "requires") in problems_of(error)
    assert ("S1", "code") in problems_of(error)


def test_with_weights_replaces_named_weights_and_rejects_unknown_codes():
    tree = dual_space_tree()
    heavier = tree.with_weights({"W1": 3.0, "W1.1": 0.5})
    assert heavier.weight_of["W1"] == 3.0 and heavier.weight_of["W1.1"] == 0.5
    assert tree.weight_of["W1"] == 1.0
    with pytest.raises(ScoringInputError, match="unknown node code"):
        tree.with_weights({"nope": 1.0})


def test_unknown_record_fields_are_reported_by_position():
    with pytest.raises(ScoringInputError) as error:
        FrameworkTree.from_records([{"code": "A.1", "parent": "A", "colour": "red"}], [{"code": "A"}])
    assert (1, "colour") in problems_of(error)
