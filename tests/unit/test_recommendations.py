"""The recommendations engine on built cities, without a database: a leading and a lagging city."""

from functools import partial

from assessment.insight import recommendations as engine
from assessment.insight.recommendations import (
    FAR_BELOW_BEST_LEVELS,
    FAR_BELOW_BEST_POINTS,
    LEVER_OF,
    LEVERS,
    MAX_RECOMMENDATIONS,
    POINTS_PER_LEVEL,
    AgreementOffer,
    Blocker,
    IndicatorFacts,
    PartnerData,
    Wording,
    by_lever,
    horizon,
)
from assessment.scoring.stage_gap import STEPS_PER_RANGE, TOP_LEVEL

FLOOR = 40.0


def points(value: float | None) -> str:
    """The test's own plain formatter: the engine formats no number itself (the adapter passes labels')."""
    return "-" if value is None else f"{value:g} points"


def now(answer: str, score: float | None, best: str | None) -> str:
    text = f"Now {answer} ({points(score)})"
    return f"{text}; the region's best is {best}" if best else text


WORDING = Wording(points=points, now=now)
recommend = partial(engine.recommend, wording=WORDING)


def facts(
    code: str,
    level: int,
    best: int,
    *,
    weight: float = 0.02,
    critical=False,
    control="city",
    domains=(),
    modes=(),
    level_scores=None,
):
    """A level indicator of dimension code[:2] at ``level``, the region's best at ``best``."""
    dimension = code.split(".")[0]
    return IndicatorFacts(
        code=code,
        name=f"name of {code}",
        dimension=dimension,
        in_city=not dimension.startswith("X"),
        is_level=True,
        critical=critical,
        effective_weight=weight,
        score=level * 20.0,
        best_score=best * 20.0,
        level=level,
        best_level=best,
        current=f"level {level}",
        best=f"level {best}",
        next_target=f"level {min(level + 1, 5)}",
        next_score=min(level + 1, 5) * 20.0,
        actions={target: f"do what reaches level {target} of {code}" for target in range(1, 6)},
        levels={target: f"level {target}" for target in range(6)},
        lead_agency="data administration",
        control=control,
        domains=domains,
        modes=modes,
        level_scores=level_scores if level_scores is not None else {target: target * 20.0 for target in range(6)},
    )


def leading_city() -> list[IndicatorFacts]:
    """Best in the region everywhere, but four indicators at level 3 or below."""
    return [
        facts("W1.1", 5, 5),
        facts("B1.1", 5, 5, critical=True),
        facts("X2.3", 3, 3, weight=0.03, domains=("enterprise_services",)),
        facts("X5.2", 3, 3, weight=0.03),
        facts("X4.4", 3, 3, weight=0.025, control="region", domains=("transport",)),
        facts("X6.2", 2, 2, weight=0.01),
    ]


def lagging_city() -> list[IndicatorFacts]:
    return [
        facts("W1.1", 2, 5),
        facts("B2.4", 1, 4, critical=True),
        facts("B2.5", 1, 2, weight=0.05),
        facts("W3.1", 0, 5),
        facts("X6.1", 1, 4, critical=True),
        facts("X6.2", 3, 3, weight=0.1),
    ]


def test_the_lagging_city_lists_its_stage_blockers_first_in_plan_order():
    blockers = [
        Blocker("B2.5", critical_floor=False, target="level 3", target_level=3, target_score=60.0),
        Blocker("B2.4", critical_floor=True, target="level 2", target_level=2, target_score=40.0),
    ]
    items = recommend(city="A", indicators=lagging_city(), blockers=blockers, next_stage="S3", critical_floor=FLOOR)
    assert [item.indicator for item in items[:2]] == ["B2.5", "B2.4"]
    assert [item.trigger for item in items[:2]] == ["blocks_stage", "blocks_stage"]
    assert "S3" in items[0].why and "S3" in items[1].why
    # Then the critical indicator below the floor that the plan does not name, then the far-below ones.
    assert items[2].indicator == "X6.1" and items[2].trigger == "critical"
    assert items[2].target == "level 2"  # the floor of 40 points is level 2
    assert {item.trigger for item in items[3:]} <= {"far_below_best", "low_contribution"}
    assert [item.priority for item in items] == list(range(1, len(items) + 1))
    # The action is the framework's action for the NEXT level, even when the plan asks two levels.
    assert items[0].action == "do what reaches level 2 of B2.5"
    assert items[0].horizon == "plan_period"  # two levels
    assert items[1].horizon == "this_year"  # one level, the city's own


def test_the_leading_city_gets_at_least_three_concrete_items():
    items = recommend(city="A", indicators=leading_city(), blockers=[], next_stage=None, critical_floor=FLOOR)
    assert len(items) >= 3
    assert all(item.action and item.lead_agency and item.horizon for item in items)
    assert {item.indicator for item in items} >= {"X2.3", "X5.2", "X4.4"}
    assert all(item.trigger == "low_contribution" for item in items)
    # Ranked by the weighted shortfall e x (100 - s): X2.3 and X5.2 (0.03 x 40) before X4.4 (0.025 x 40).
    assert [item.indicator for item in items[:3]] == ["X2.3", "X5.2", "X4.4"]
    assert "W1.1" not in {item.indicator for item in items}  # at the top already


def test_each_indicator_appears_once_under_its_highest_trigger_and_the_list_is_capped():
    city = [facts(f"W1.{n}", 0, 5, critical=True) for n in range(1, 10)]
    blockers = [Blocker("W1.1", critical_floor=True, target="level 2", target_level=2, target_score=40.0)]
    items = recommend(city="A", indicators=city, blockers=blockers, next_stage="S1", critical_floor=FLOOR)
    codes = [item.indicator for item in items]
    assert len(codes) == len(set(codes)) == MAX_RECOMMENDATIONS
    assert items[0].indicator == "W1.1" and items[0].trigger == "blocks_stage"
    assert all(item.trigger == "critical" for item in items[1:])


def test_far_below_best_fires_at_two_levels_not_one():
    near = facts("W2.1", 3, 3 + FAR_BELOW_BEST_LEVELS - 1, weight=0.0)
    far = facts("W2.2", 2, 2 + FAR_BELOW_BEST_LEVELS, weight=0.0)
    items = recommend(city="A", indicators=[near, far], blockers=[], next_stage=None, critical_floor=FLOOR)
    triggers = {item.indicator: item.trigger for item in items}
    assert triggers == {"W2.2": "far_below_best", "W2.1": "low_contribution"}
    assert next(item for item in items if item.indicator == "W2.2").why == (
        "Now level 2 (40 points); the region's best is level 4"
    )


def test_levers_follow_the_article():
    assert LEVERS == ("foundations", "concept", "resources", "governance")
    assert {code for code, lever in LEVER_OF.items() if lever == "foundations"} == {"W1", "B1", "W2", "B2", "W3"}
    assert {code for code, lever in LEVER_OF.items() if lever == "concept"} == {"X1", "X5"}
    assert {code for code, lever in LEVER_OF.items() if lever == "resources"} == {"X2", "X3", "X4"}
    assert {code for code, lever in LEVER_OF.items() if lever == "governance"} == {"X6"}
    items = recommend(city="A", indicators=leading_city(), blockers=[], next_stage=None, critical_floor=FLOOR)
    blocks = by_lever(items)
    assert [lever for lever, _ in blocks] == [lever for lever in LEVERS if any(i.lever == lever for i in items)]
    assert dict(blocks)["concept"][0].indicator == "X5.2"


def test_horizon_rule():
    assert horizon("city", 1) == "this_year"
    assert horizon("city", 2) == "plan_period"
    assert horizon("region", 1) == "plan_period"
    assert horizon("province", 0.5) == "plan_period"


def test_partner_is_the_agreement_to_join_else_the_strongest_flow_without_one():
    x23 = facts("X2.3", 1, 4, domains=("enterprise_services",))
    offers = [
        AgreementOffer("Small pact", "enterprise_services", frozenset({"B", "C"})),
        AgreementOffer("Big pact", "enterprise_services", frozenset({"B", "C", "D"})),
        AgreementOffer("Joined pact", "enterprise_services", frozenset({"A", "B", "C", "D", "E"})),
    ]
    data = PartnerData(offers=offers, names={"B": "City B"})
    items = recommend(city="A", indicators=[x23], blockers=[], next_stage=None, critical_floor=FLOOR, partners=data)
    assert items[0].partner == "Join “Big pact”"
    flows = PartnerData(
        flows={"B": 0.5, "C": 0.3, "D": 0.2},
        bound={"enterprise_services": frozenset({"B"})},
        names={"C": "City C"},
        domain_names={"enterprise_services": "enterprise services"},
    )
    items = recommend(city="A", indicators=[x23], blockers=[], next_stage=None, critical_floor=FLOOR, partners=flows)
    assert items[0].partner == "Sign an agreement on enterprise services with City C"
    in_city = facts("W1.1", 1, 4, domains=("enterprise_services",))
    items = recommend(
        city="A", indicators=[in_city], blockers=[], next_stage=None, critical_floor=FLOOR, partners=flows
    )
    assert items[0].partner is None


def test_the_level_scale_is_read_from_scoring_not_written_again():
    # One step of effort is a level's share of the range (scoring.stage_gap); "far below" is two of them.
    assert POINTS_PER_LEVEL == engine.SCORE_RANGE / STEPS_PER_RANGE == 20.0
    assert FAR_BELOW_BEST_POINTS == FAR_BELOW_BEST_LEVELS * POINTS_PER_LEVEL
    assert TOP_LEVEL == 5


def test_the_floor_target_reads_the_indicators_own_level_scores():
    # Goalposts 1-5: level 2 is 25 points, level 3 is 50, so the floor of 40 points needs level 3, not 2.
    scores = {target: max(0.0, (target - 1) / 4 * 100) for target in range(6)}
    x61 = facts("X6.1", 1, 1, critical=True, level_scores=scores)
    items = recommend(city="A", indicators=[x61], blockers=[], next_stage=None, critical_floor=FLOOR)
    assert items[0].trigger == "critical" and items[0].target == "level 3"
    assert items[0].horizon == "plan_period"  # two levels


def test_the_sentences_use_the_formatters_the_caller_passes():
    assert not hasattr(engine, "points_text")  # no copy of labels.points_text in the engine
    wording = Wording(points=lambda value: f"<{value:g}>", now=lambda answer, score, best: f"[{answer}|{score}|{best}]")
    far = facts("W2.2", 1, 4, weight=0.0)
    critical = facts("X6.1", 0, 0, critical=True, weight=0.0)
    items = engine.recommend(
        city="A", indicators=[far, critical], blockers=[], next_stage=None, critical_floor=FLOOR, wording=wording
    )
    why = {item.indicator: item.why for item in items}
    assert why["X6.1"] == "Critical indicator below the floor of <40>"
    assert why["W2.2"] == "[level 1|20.0|level 4]"
    low = engine.recommend(
        city="A", indicators=[facts("W1.1", 3, 3)], blockers=[], next_stage=None, critical_floor=FLOOR, wording=wording
    )
    assert low[0].why == "[level 3|60.0|None]; at the top it would add up to <0.8> to the index"


def test_join_offers_only_agreements_of_the_indicators_modes():
    x65 = facts("X6.5", 1, 4, domains=("data_sharing",), modes=("common_standard",))
    offers = [
        AgreementOffer("Big data pact", "data_sharing", frozenset({"B", "C", "D"}), mode="data_sharing"),
        AgreementOffer("Standard pact", "data_sharing", frozenset({"B", "C"}), mode="common_standard"),
    ]
    items = recommend(
        city="A", indicators=[x65], blockers=[], next_stage=None, critical_floor=FLOOR, partners=PartnerData(offers)
    )
    assert items[0].partner == "Join “Standard pact”"
    # Without modes in the rule, any mode counts: the pact with most parties.
    any_mode = facts("X6.5", 1, 4, domains=("data_sharing",))
    items = recommend(
        city="A",
        indicators=[any_mode],
        blockers=[],
        next_stage=None,
        critical_floor=FLOOR,
        partners=PartnerData(offers),
    )
    assert items[0].partner == "Join “Big data pact”"


def test_a_city_without_flow_is_no_partner_to_sign_with():
    x23 = facts("X2.3", 1, 4, domains=("enterprise_services",))
    data = PartnerData(flows={"B": 0.0, "C": 0.0}, names={"B": "City B"})
    items = recommend(city="A", indicators=[x23], blockers=[], next_stage=None, critical_floor=FLOOR, partners=data)
    assert items[0].partner is None
