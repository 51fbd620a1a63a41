import datetime as dt
import json
from pathlib import Path

from assessment.derived_indicators import DEEP_MODES, derived_proposal, suggested_level
from cities.network import AgreementEdge

ON = dt.date(2025, 12, 31)
RULE = {"source": "agreements", "domains": ["transport", "education"], "modes": []}


def edge(key, domain, parties, status="in_force", start=None, end=None, mode="mutual_recognition"):
    return AgreementEdge(key, domain, mode, status, start, end, tuple(parties))


def test_a_count_indicator_counts_the_domains_covered_in_force():
    edges = [
        edge("t1", "transport", ["A", "B"]),
        edge("t2", "transport", ["A", "C"]),
        edge("e1", "education", ["A", "B"], end=dt.date(2024, 6, 30)),  # expired
        edge("h1", "medical", ["A", "B"]),  # not a listed domain
    ]
    proposal = derived_proposal(indicator_type="count", rule=RULE, city="A", edges=edges, on=ON, other_members=5)
    assert proposal.value == 1
    assert proposal.agreements == ("t1", "t2")
    assert proposal.partners == ("B", "C")


def test_adding_an_in_force_agreement_raises_the_count():
    edges = [edge("t1", "transport", ["A", "B"])]
    before = derived_proposal(indicator_type="count", rule=RULE, city="A", edges=edges, on=ON, other_members=5).value
    edges.append(edge("e2", "education", ["A", "D"], start=dt.date(2025, 1, 1)))
    after = derived_proposal(indicator_type="count", rule=RULE, city="A", edges=edges, on=ON, other_members=5).value
    assert (before, after) == (1, 2)


def test_a_future_or_proposed_agreement_does_not_count():
    edges = [
        edge("f", "transport", ["A", "B"], start=dt.date(2026, 3, 1)),
        edge("p", "education", ["A", "B"], status="proposed"),
    ]
    assert derived_proposal(indicator_type="count", rule=RULE, city="A", edges=edges, on=ON, other_members=5).value == 0


def test_levels_follow_the_partner_cities_and_the_depth_of_the_agreements():
    assert suggested_level(partners=0, other_members=8) == 0
    assert suggested_level(partners=2, other_members=8, modes={"data_sharing"}, agreements=2) == 2
    assert suggested_level(partners=3, other_members=8, modes={"mutual_recognition"}, agreements=1) == 3
    assert suggested_level(partners=3, other_members=8, modes={"data_sharing"}, agreements=1) == 4
    assert suggested_level(partners=3, other_members=8, modes={"joint_handling"}, agreements=1) == 4
    assert suggested_level(partners=3, other_members=8, modes={"joint_body"}, agreements=1) == 4
    deep = {"common_standard", "data_sharing"}
    kwargs = {"domains_covered": 1, "domains_listed": 1}
    assert suggested_level(partners=8, other_members=8, modes=deep, agreements=2, **kwargs) == 5
    # Breadth alone is not depth: everyone reached, but one agreement, one mode, or a listed domain left out.
    assert suggested_level(partners=8, other_members=8, modes={"common_standard"}, agreements=1, **kwargs) == 3
    assert suggested_level(partners=8, other_members=8, modes={"data_sharing"}, agreements=2, **kwargs) == 4
    assert suggested_level(partners=8, other_members=8, modes=deep, agreements=1, **kwargs) == 4
    assert (
        suggested_level(partners=8, other_members=8, modes=deep, agreements=2, domains_covered=1, domains_listed=2) == 4
    )
    assert suggested_level(partners=7, other_members=8, modes=deep, agreements=2, **kwargs) == 4


X4_4 = {
    "source": "agreements",
    "domains": ["transport"],
    "modes": ["mutual_recognition", "common_standard", "joint_handling", "data_sharing"],
}
JJJ = ["110000", "120000", *(f"13{n:02d}00" for n in range(1, 12))]


def test_hengshui_gets_no_level_5_from_the_jjj_transport_card_alone():
    card = edge("jjj-transport-card", "transport", JJJ, mode="common_standard")
    proposal = derived_proposal(indicator_type="level", rule=X4_4, city="131100", edges=[card], on=ON, other_members=12)
    assert proposal.value == 3 and proposal.partners == tuple(sorted(set(JJJ) - {"131100"}))


def test_a_single_deep_region_wide_agreement_stops_at_level_4():
    shared = edge("data", "transport", JJJ, mode="data_sharing")
    proposal = derived_proposal(
        indicator_type="level", rule=X4_4, city="131100", edges=[shared], on=ON, other_members=12
    )
    assert proposal.value == 4


def test_two_region_wide_agreements_in_two_modes_propose_level_5():
    card = edge("card", "transport", JJJ, mode="common_standard")
    data = edge("data", "transport", JJJ, mode="data_sharing")
    proposal = derived_proposal(
        indicator_type="level", rule=X4_4, city="131100", edges=[card, data], on=ON, other_members=12
    )
    assert proposal.value == 5


def test_a_rule_without_a_deep_mode_is_never_proposed_above_level_3():
    """DSMF 1.0's X6.5 lists common_standard only: every member reached by many agreements still proposes 3."""
    shipped = json.loads((Path(__file__).resolve().parents[2] / "fixtures/frameworks/dsmf-1.0.json").read_text("utf-8"))
    rule = next(node["indicator"]["derived_from"] for node in shipped["nodes"] if node["code"] == "X6.5")
    assert not set(rule["modes"]) & DEEP_MODES
    members = ["B", "C", "D", "E", "F"]
    edges = [
        edge(f"{mode}-{n}", rule["domains"][0], ["A", *members], mode=mode)
        for n in range(3)
        for mode in ("common_standard", "data_sharing", "joint_body")
    ]
    proposal = derived_proposal(indicator_type="level", rule=rule, city="A", edges=edges, on=ON, other_members=5)
    assert proposal.value == 3  # the deep-mode agreements do not match the rule's modes
    assert len(proposal.agreements) == 3
    # The same agreements under a rule that lists a deep mode too would propose 5: the cap is the modes'.
    wider = {**rule, "modes": [*rule["modes"], "data_sharing"]}
    assert (
        derived_proposal(indicator_type="level", rule=wider, city="A", edges=edges, on=ON, other_members=5).value == 5
    )
