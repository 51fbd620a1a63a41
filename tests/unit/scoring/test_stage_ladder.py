import math
from dataclasses import replace

import numpy as np
import pytest

from assessment.scoring import FrameworkTree, Rung, ScoringOptions, StageLadder, score

from .frameworks import LADDER, dual_space_tree, one_city, random_raw

# Levels in normalised points on goalposts 0..5: 0, 20, 40, 60, 80, 100.
S1_PLUS = {"W1_1": 80, "W1_2": 4, "W1_3": 3, "B1_1": 70, "B1_2": 1, "B1_3": 3, "W2_1": 2, "W2_2": 2}


def test_a_unit_reaching_every_rung_up_to_s1_plus_is_at_s1_plus():
    result = score(dual_space_tree(), one_city(**S1_PLUS))
    assert result.stages is not None
    assert result.stages.iloc[0] == "S1+"
    assert result.gaps["320500"].next_stage == "S2"


def test_a_higher_rung_without_the_ones_below_does_not_count():
    city = one_city(**{**S1_PLUS, "B1_1": 0, "B1_2": 0, "W2_1": 5, "W2_2": 5})
    result = score(dual_space_tree(), city)
    assert result.rungs_reached is not None
    assert result.rungs_reached.loc["320500", "S2"]
    assert not result.rungs_reached.loc["320500", "S1+"]
    assert result.stages.iloc[0] == "S1"


def test_a_critical_indicator_below_the_floor_blocks_the_rung_and_is_fixed_first():
    city = one_city(W1_1=100, W1_2=1, W1_3=5)
    result = score(dual_space_tree(), city)
    assert result.aggregates.loc["320500", "W1"] == pytest.approx(220 / 3)
    assert result.stages.iloc[0] == "S0"
    gap = result.gaps["320500"]
    first = gap.improvements[0]
    assert (first.indicator, first.reason, first.from_raw, first.to_raw) == (
        "W1.2",
        "critical_floor",
        1.0,
        2.0,
    )
    assert first.to_normalised == pytest.approx(40.0)


def test_a_missing_critical_indicator_blocks_the_rung():
    result = score(dual_space_tree(), one_city(W1_1=100, W1_2=math.nan, W1_3=5))
    assert result.stages.iloc[0] == "S0"
    first = result.gaps["320500"].improvements[0]
    assert (first.indicator, first.from_raw, first.to_raw, first.effort) == ("W1.2", None, 2.0, 2.0)


def test_thresholds_and_floors_come_from_the_ladder_data():
    lenient = StageLadder((Rung("S1", ("W1",), threshold=40.0, critical_floor=20.0),), base_stage="S0")
    result = score(dual_space_tree(ladder=lenient), one_city(W1_2=1, W1_3=3))
    assert result.stages.iloc[0] == "S1"
    assert result.gaps["320500"].next_stage is None


def test_gap_moves_levels_in_whole_levels_ordered_by_weight():
    tree = dual_space_tree(weights={"W1.2": 3.0})
    gap = score(tree, one_city()).gaps["320500"]
    assert gap.shortfalls[0].node == "W1" and gap.shortfalls[0].score == pytest.approx(42.0)
    assert [(item.indicator, item.from_raw, item.to_raw, item.effort) for item in gap.improvements] == [
        ("W1.2", 2.0, 4.0, 2.0)
    ]
    assert gap.improvements[0].gain == pytest.approx(18.0)


def test_gap_gives_raw_targets_for_quantities_with_effort_in_fifths_of_the_range():
    gap = score(dual_space_tree(), one_city(W1_1=50)).gaps["320500"]
    assert [(item.indicator, item.from_raw, item.to_raw) for item in gap.improvements] == [("W1.1", 50.0, 100.0)]
    assert gap.improvements[0].effort == pytest.approx(2.5)
    assert gap.total_effort == pytest.approx(2.5)


def test_gap_shortens_the_last_continuous_step_to_what_is_lacking():
    gap = score(dual_space_tree(), one_city(W1_1=50, W1_2=3, W1_3=2)).gaps["320500"]
    item = gap.improvements[0]
    assert item.indicator == "W1.1"
    assert item.to_raw == pytest.approx(80.0, abs=0.01)
    assert item.effort == pytest.approx(1.5, abs=0.001)


@pytest.mark.parametrize("seed", range(8))
def test_applying_the_gap_reaches_the_next_stage(seed):
    tree = dual_space_tree(weights={"W1.1": 2.0, "B2": 3.0, "X2.1": 0.5})
    raw = random_raw(12, seed=seed, missing_share=0.05)
    result = score(tree, raw)
    improved = raw.copy()
    checked = 0
    for unit, gap in result.gaps.items():
        if gap.next_stage is None or not gap.reachable:
            continue
        for item in gap.improvements:
            improved.loc[unit, item.indicator] = item.to_raw
        checked += 1
    after = score(tree, improved)
    for unit, gap in result.gaps.items():
        if gap.next_stage is not None and gap.reachable:
            assert LADDER.stages.index(after.stages[unit]) > LADDER.stages.index(gap.stage), unit
    assert checked > 0


def test_gap_targets_for_levels_and_counts_are_whole_numbers():
    result = score(dual_space_tree(), random_raw(30, seed=5))
    table = result.gap_table
    whole = table[table["indicator"].isin(["W1.2", "W1.3", "B2.2", "X2.1", "X1.1"])]
    assert not whole.empty
    assert (whole["to_raw"] == np.round(whole["to_raw"])).all()


def test_a_unit_at_the_top_has_no_next_stage():
    best = {
        code.replace(".", "_"): value
        for code, value in {
            "W1.1": 100,
            "W1.2": 5,
            "W1.3": 5,
            "B1.1": 100,
            "B1.2": 1,
            "B1.3": 5,
            "W2.1": 5,
            "W2.2": 5,
            "B2.1": 100,
            "B2.2": 50,
            "W3.1": 5,
            "W3.2": 0,
            "X1.1": 5,
            "X1.2": 5,
            "X2.1": 200,
            "X2.2": 1,
        }.items()
    }
    result = score(dual_space_tree(), one_city(**best))
    assert result.stages.iloc[0] == "S4"
    gap = result.gaps["320500"]
    assert gap.next_stage is None and gap.improvements == ()


def test_an_unreachable_rung_says_so():
    strict = StageLadder((Rung("S1", ("W1",), threshold=101.0),), base_stage="S0")
    gap = score(dual_space_tree(ladder=strict), one_city()).gaps["320500"]
    assert not gap.reachable
    assert gap.note


def test_stages_read_a_zscore_warning():
    result = score(dual_space_tree(), random_raw(5), ScoringOptions(normalisation="zscore"))
    assert any("0-100" in warning for warning in result.warnings)


def _tree_with_gated_x1_1(gates_on: str):
    """The test tree with X1.1 critical and gating ``gates_on`` (a rung below S4, whose XB holds X1.1)."""
    from dataclasses import replace

    from assessment.scoring.tree import FrameworkTree

    base = dual_space_tree()
    indicators = tuple(replace(spec, critical=True) if spec.code == "X1.1" else spec for spec in base.indicators)
    rungs = tuple(replace(rung, gates=("X1.1",)) if rung.code == gates_on else rung for rung in LADDER.rungs)
    return FrameworkTree(indicators, base.aggregates, StageLadder(rungs, base_stage="S0"))


def test_a_gate_blocks_its_rung_and_every_rung_above_and_the_gap_raises_it_first():
    # Reaches S1+ on its own nodes; X1.1 (critical, in XB) at level 1 is below the floor of 40 (level 2).
    city = one_city(**S1_PLUS, X1_1=1)
    assert score(dual_space_tree(), city).stages.iloc[0] == "S1+"
    gated = score(_tree_with_gated_x1_1("S1+"), city)
    assert gated.stages.iloc[0] == "S1"
    first = gated.gaps["320500"].improvements[0]
    assert (first.indicator, first.node, first.reason, first.to_raw) == ("X1.1", "X1", "critical_floor", 2.0)
    assert score(_tree_with_gated_x1_1("S1+"), one_city(**S1_PLUS, X1_1=2)).stages.iloc[0] == "S1+"
    # Gated only from S2 up: S1+ stands.
    assert score(_tree_with_gated_x1_1("S2"), city).stages.iloc[0] == "S1+"


def test_a_gate_must_be_a_critical_indicator():
    from dataclasses import replace

    from assessment.scoring import ScoringInputError
    from assessment.scoring.tree import FrameworkTree

    base = dual_space_tree()
    rungs = tuple(replace(rung, gates=("X1.2",)) if rung.code == "S1+" else rung for rung in LADDER.rungs)
    with pytest.raises(ScoringInputError, match="not critical"):
        FrameworkTree(base.indicators, base.aggregates, StageLadder(rungs, base_stage="S0")).check()


def test_the_gap_plan_moves_no_indicator_more_than_the_steps_of_one_period():
    # W1 at 40 (every level indicator at 2): one indicator at a time is cheapest without a cap.
    city = one_city(W1_1=40, W1_2=2, W1_3=2)
    uncapped = score(dual_space_tree(), city).gaps["320500"]
    capped = score(dual_space_tree(), city, ScoringOptions(gap_steps_per_period=1)).gaps["320500"]
    assert uncapped.reachable and capped.reachable
    assert max(item.effort for item in capped.improvements) <= 1 + 1e-9
    assert len(capped.improvements) >= len(uncapped.improvements)
    # A city far below the rung cannot get there in one period: not reachable, with what one period can do.
    far = score(dual_space_tree(), one_city(W1_1=0, W1_2=2, W1_3=0), ScoringOptions(gap_steps_per_period=1))
    gap = far.gaps["320500"]
    assert not gap.reachable and "more than one period" in gap.note
    assert gap.improvements and all(item.effort <= 1 + 1e-9 for item in gap.improvements)


def test_between_equally_effective_steps_the_gap_plan_leads_with_what_the_city_controls():
    # S1+ with W2 at 40: W2.1 and W2.2 weigh the same, so either step closes the same gap per effort.
    tree = dual_space_tree()
    plain = score(tree, one_city(**S1_PLUS)).gaps["320500"]
    assert plain.next_stage == "S2" and plain.improvements[0].indicator == "W2.1"  # document order breaks the tie
    province_first = FrameworkTree(
        tuple(replace(spec, control="province") if spec.code == "W2.1" else spec for spec in tree.indicators),
        tree.aggregates,
        tree.ladder,
    )
    gap = score(province_first, one_city(**S1_PLUS)).gaps["320500"]
    assert [item.indicator for item in gap.improvements][0] == "W2.2"
    assert gap.total_effort == pytest.approx(plain.total_effort)  # the same least effort, in another order
