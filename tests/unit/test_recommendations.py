"""The recommendations engine on built cities, without a database: a leading and a lagging city."""

from assessment.insight.recommendations import (
    FAR_BELOW_BEST_LEVELS,
    LEVER_OF,
    LEVERS,
    MAX_RECOMMENDATIONS,
    AgreementOffer,
    Blocker,
    IndicatorFacts,
    PartnerData,
    by_lever,
    horizon,
    recommend,
)

FLOOR = 40.0


def facts(code: str, level: int, best: int, *, weight: float = 0.02, critical=False, control="city", domains=()):
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
