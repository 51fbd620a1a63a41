import datetime as dt

from assessment.derived_indicators import derived_proposal, suggested_level
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


def test_levels_follow_the_partner_cities():
    assert suggested_level(partners=0, other_members=8, shares_data=False) == 0
    assert suggested_level(partners=2, other_members=8, shares_data=True) == 2
    assert suggested_level(partners=3, other_members=8, shares_data=False) == 3
    assert suggested_level(partners=3, other_members=8, shares_data=True) == 4
    assert suggested_level(partners=8, other_members=8, shares_data=False) == 5
