"""The agreement network on small graphs worked out by hand."""

import datetime as dt

import pytest

from cities.network import AgreementEdge, is_in_force, region_network

ON = dt.date(2024, 6, 1)
MEMBERS = ["A", "B", "C", "D", "E"]


def edge(
    agreement_id,
    parties,
    *,
    domain="transport",
    mode="joint_handling",
    status="in_force",
    start=None,
    end=None,
):
    return AgreementEdge(agreement_id, domain, mode, status, start, end, tuple(parties))


# A-B-C bound by one three-party agreement (pairs AB, AC, BC), A-B bound again
# bilaterally, D-E bilateral; in a five-city region 4 of 10 pairs are connected.
GRAPH = [
    edge(1, "ABC"),
    edge(2, "AB", domain="medical"),
    edge(3, "DE"),
]


def test_a_three_party_agreement_binds_every_pair_and_density_counts_connected_pairs():
    network = region_network(GRAPH, MEMBERS, on=ON)
    assert network.pair_counts == {("A", "B"): 2, ("A", "C"): 1, ("B", "C"): 1, ("D", "E"): 1}
    assert network.density == pytest.approx(4 / 10)


def test_degree_counts_partners_and_weighted_degree_counts_agreements():
    network = region_network(GRAPH, MEMBERS, on=ON)
    assert network.degree == {"A": 2, "B": 2, "C": 2, "D": 1, "E": 1}
    # A: AB twice + AC once = 3; C: AC + BC = 2.
    assert network.weighted_degree == {"A": 3, "B": 3, "C": 2, "D": 1, "E": 1}
    assert network.top_degrees(2) == [("A", 2, 3), ("B", 2, 3)]


def test_coverage_matrix_is_symmetric_with_agreement_counts():
    matrix = region_network(GRAPH, MEMBERS, on=ON).matrix
    assert matrix.loc["A", "B"] == matrix.loc["B", "A"] == 2
    assert matrix.loc["A", "D"] == 0
    assert (matrix.to_numpy().diagonal() == 0).all()
    assert list(matrix.index) == MEMBERS


def test_components_are_sorted_largest_first_and_islands_have_no_partner():
    network = region_network(GRAPH, [*MEMBERS, "F"], on=ON)
    assert network.components == [["A", "B", "C"], ["D", "E"], ["F"]]
    assert network.islands == ["F"]
    assert network.density == pytest.approx(4 / 15)


def test_expired_and_future_agreements_do_not_count():
    edges = [
        edge(1, "AB", start=dt.date(2020, 1, 1), end=dt.date(2024, 5, 31)),
        edge(2, "BC", start=dt.date(2024, 6, 2)),
        edge(3, "CD", status="expired"),
        edge(4, "DE", status="proposed"),
        edge(5, "AE", start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 1)),
    ]
    network = region_network(edges, MEMBERS, on=ON)
    assert network.pair_counts == {("A", "E"): 1}
    assert [e.agreement_id for e in network.agreements] == [5]
    assert network.islands == ["B", "C", "D"]


def test_open_ended_dates_count_as_in_force():
    assert is_in_force(edge(1, "AB"), ON)
    assert not is_in_force(edge(1, "AB", status="signed"), ON)


def test_domain_and_mode_filters_keep_only_matching_agreements():
    network = region_network(GRAPH, MEMBERS, on=ON, domain="medical")
    assert network.pair_counts == {("A", "B"): 1}
    assert network.islands == ["C", "D", "E"]
    assert region_network(GRAPH, MEMBERS, on=ON, mode="data_sharing").density == 0


def test_another_status_shows_that_network_regardless_of_dates():
    edges = [edge(1, "AB", status="proposed", start=dt.date(2030, 1, 1)), edge(2, "CD")]
    assert region_network(edges, MEMBERS, on=ON, status="proposed").pair_counts == {("A", "B"): 1}


def test_parties_outside_the_region_are_ignored():
    network = region_network([edge(1, "AX"), edge(2, "ABX")], MEMBERS, on=ON)
    assert network.pair_counts == {("A", "B"): 1}
    assert [e.agreement_id for e in network.agreements] == [2]


def test_a_region_of_one_city_has_density_zero():
    assert region_network(GRAPH, ["A"], on=ON).density == 0.0
