"""The surge test on a three-city case worked out by hand.

Three cities on the equator, at longitudes 0, 1 and 2 degrees, so that
d(A,B) = d(B,C) = x and d(A,C) = 2x (x is about 111.2 km; it cancels out).

    P_A = 2,000,000    P_B = 1,000,000    P_C = 4,000,000

From A: w_AB ∝ P_B / x² = 1e6/x²,  w_AC ∝ P_C / (2x)² = 1e6/x²  → 1/2 and 1/2.
From B: w_BA ∝ 2e6/x²,  w_BC ∝ 4e6/x²                           → 1/3 and 2/3.

A shock moves 10% of A (200,000) and 10% of B (100,000): 300,000 movers.
    A→B 100,000   A→C 100,000   B→A 33,333.3   B→C 66,666.7
Pairs (both directions added):
    {A,B} 133,333.3   {A,C} 100,000   {B,C} 66,666.7

With only A–B covered: coverage = 133,333.3 / 300,000 = 4/9.
The best new agreement is A–C (the uncovered pair with most movers):
coverage becomes (133,333.3 + 100,000) / 300,000 = 7/9.
"""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from cities import surge
from cities.network import AgreementEdge
from cities.surge import CityPoint, gravity_weights, haversine_km, surge_by_domain, surge_test

A = CityPoint("A", 2_000_000, 0.0, 0.0)
B = CityPoint("B", 1_000_000, 0.0, 1.0)
C = CityPoint("C", 4_000_000, 0.0, 2.0)
SHOCKS = {"A": 0.10, "B": 0.10}


def test_three_city_coverage_matches_the_hand_computation():
    result = surge_test([A, B, C], SHOCKS, [("B", "A")])
    assert result.total_movers == pytest.approx(300_000)
    assert result.coverage == pytest.approx(4 / 9)
    flows = {flow.pair: flow for flow in result.pairs}
    assert flows[("A", "B")].movers == pytest.approx(400_000 / 3)
    assert flows[("A", "C")].movers == pytest.approx(100_000)
    assert flows[("B", "C")].movers == pytest.approx(200_000 / 3)
    assert flows[("A", "B")].covered and not flows[("A", "C")].covered
    assert [flow.pair for flow in result.pairs] == [("A", "B"), ("A", "C"), ("B", "C")]


def test_the_best_new_agreement_is_the_uncovered_pair_with_most_movers():
    result = surge_test([A, B, C], SHOCKS, [("A", "B")])
    assert result.best_new_pair == ("A", "C")
    assert result.coverage_with_best_new_pair == pytest.approx(7 / 9)
    assert result.gain == pytest.approx(3 / 9)


def test_ties_between_new_agreements_go_to_the_first_codes():
    # From B alone, A and C are equally far; with equal populations movers split evenly.
    twins = [CityPoint("A", 1e6, 0, 0), CityPoint("B", 1e6, 0, 1), CityPoint("C", 1e6, 0, 2)]
    result = surge_test(twins, {"B": 0.5}, [])
    assert result.coverage == 0
    assert result.best_new_pair == ("A", "B")


def test_full_coverage_leaves_no_new_agreement_to_suggest():
    result = surge_test([A, B, C], SHOCKS, [("A", "B"), ("A", "C"), ("B", "C")])
    assert result.coverage == pytest.approx(1.0)
    assert result.best_new_pair is None


def test_nobody_moving_gives_no_coverage_figure():
    assert surge_test([A, B, C], {}, []).coverage is None


def test_a_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        surge_test([A, B, C], {"A": 1.5}, [])


def test_haversine_shanghai_to_hangzhou_is_about_165_km():
    assert haversine_km(31.2323, 121.4692, 30.2741, 120.1551) == pytest.approx(165, abs=5)


def _edge(domain, parties, status="in_force", start=None, end=None):
    return AgreementEdge(
        agreement_id=f"{domain}-{'-'.join(parties)}",
        domain=domain,
        mode="mutual_recognition",
        status=status,
        in_force_from=start,
        expires_on=end,
        parties=tuple(parties),
    )


# Every city sends its whole population (any equal share gives the same coverage).
# From C: w_CA ∝ 2e6/(2x)² = 0.5e6/x², w_CB ∝ 1e6/x² → 1/3 and 2/3: C→A 4/3e6, C→B 8/3e6.
# Pairs: {A,B} = 1e6 + 1/3e6 = 4/3e6, {A,C} = 1e6 + 4/3e6 = 7/3e6, {B,C} = 2/3e6 + 8/3e6 = 10/3e6; total 7e6.
ON = dt.date(2025, 12, 31)
EDGES = [
    _edge("health", ["A", "B"]),
    _edge("transport", ["A", "B"]),
    _edge("transport", ["B", "C"], start=dt.date(2020, 1, 1)),
    # The health-code recognitions of 2020-2022: expired, so not in force at the end of 2025.
    _edge("health", ["B", "C"], status="expired", start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31)),
    # Not yet in force on the date.
    _edge("talent", ["A", "C"], start=dt.date(2026, 1, 1)),
]


def test_surge_by_domain_lists_the_domains_by_coverage_lowest_first():
    rows = surge_by_domain([A, B, C], ["A", "B", "C"], EDGES, ["health", "transport", "talent"], ON)
    assert [row.domain for row in rows] == ["talent", "health", "transport"]
    talent, health, transport = rows
    assert talent.coverage == 0
    assert talent.best_new_pair == ("B", "C")
    assert talent.coverage_with_best_new_pair == pytest.approx(10 / 21)
    assert health.coverage == pytest.approx(4 / 21)
    assert health.best_new_pair == ("B", "C")
    assert health.coverage_with_best_new_pair == pytest.approx(14 / 21)
    assert transport.coverage == pytest.approx(14 / 21)
    assert transport.best_new_pair == ("A", "C")
    assert transport.coverage_with_best_new_pair == pytest.approx(1.0)


def test_surge_by_domain_counts_an_expired_agreement_on_its_own_dates():
    rows = surge_by_domain([A, B, C], ["A", "B", "C"], EDGES, ["health"], dt.date(2021, 6, 1))
    assert rows[0].coverage == pytest.approx(14 / 21)


def test_the_share_cancels_out_of_the_coverage():
    # The same scenario as a 10 % shock of every city, through surge_test directly.
    direct = surge_test([A, B, C], dict.fromkeys("ABC", 0.10), [("A", "B")])
    (health,) = surge_by_domain([A, B, C], "ABC", EDGES, ["health"], ON)
    assert health.coverage == pytest.approx(direct.coverage)


def test_surge_by_domain_from_one_city_names_its_best_partner():
    # From A alone: 1e6 to B and 1e6 to C.
    rows = surge_by_domain([A, B, C], ["A"], EDGES, ["health", "talent"], ON)
    assert [(row.domain, row.coverage) for row in rows] == [("talent", 0.0), ("health", pytest.approx(0.5))]
    assert rows[0].best_new_pair == ("A", "B")  # a tie between B and C goes to the first codes
    assert rows[1].best_new_pair == ("A", "C")
    assert rows[1].coverage_with_best_new_pair == pytest.approx(1.0)


def test_a_domain_nobody_moves_in_comes_last():
    nobody = [CityPoint("A", 0, 0, 0), CityPoint("B", 0, 0, 1)]
    rows = surge_by_domain(nobody, ["A"], [], ["health"], ON)
    assert rows[0].coverage is None and rows[0].best_new_pair is None


def test_the_gravity_weights_use_the_one_exponent(monkeypatch):
    # From B, A and C are at the same distance x: with any exponent the weights follow the populations.
    # From A, B is at x and C at 2x: w_AC / w_AB = (P_C / P_B) / 2^exponent.
    for exponent in (1, 2, 3):
        monkeypatch.setattr(surge, "GRAVITY_EXPONENT", exponent)
        weights = gravity_weights(A, [A, B, C])
        assert weights["C"] / weights["B"] == pytest.approx(4 / 2**exponent)


ROOT = Path(__file__).resolve().parents[2]
# Where the gravity model's method is written for readers; its numbers must come from the constants.
GRAVITY_TEXTS = [
    ROOT / "templates" / "reports" / name
    for name in ("_method_surge.html", "_surge.html", "_method_dual_space.html", "_dual_space.html")
]
GRAVITY_CODE = [ROOT / "assessment" / "dashboards" / "dual_space_panels.py"]


def _string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_gravity_exponent_is_defined_once_in_surge():
    assigned = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "cities").glob("*.py")) + sorted((ROOT / "assessment").rglob("*.py"))
        if "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(target, ast.Name) and target.id == "GRAVITY_EXPONENT"
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
    ]
    assert assigned == ["cities/surge.py"]


def test_no_reader_text_writes_the_gravity_exponent_or_the_population_unit_by_hand():
    written = re.compile(r"d(?:_ij)?²|square of|\b10,000\b|\b10000\b|万人")
    texts = [path.read_text(encoding="utf-8") for path in GRAVITY_TEXTS]
    texts += [literal for path in GRAVITY_CODE for literal in _string_literals(path)]
    assert [text for text in texts if written.search(text)] == []
