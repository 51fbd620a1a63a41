"""The dual-space gap on a three-city world worked out by hand, and the network's pair × domain coverage."""

import datetime as dt

import pytest

from cities.dual_space import POPULATION_UNIT, ImportedFlows, dual_space, gravity_flow
from cities.network import AgreementEdge, region_network
from cities.surge import GRAVITY_EXPONENT, CityPoint, haversine_km

ON = dt.date(2024, 6, 1)
DOMAINS = ["transport", "medical", "data_sharing", "talent"]
# A and B are big and close, C small and far: A-B carries most of the flow.
A = CityPoint("A", 2_000_000, 30.0, 120.0)
B = CityPoint("B", 1_000_000, 30.0, 121.0)
C = CityPoint("C", 500_000, 30.0, 124.0)


def edge(agreement_id, parties, *, domain, mode="joint_handling", status="in_force", start=None, end=None):
    return AgreementEdge(agreement_id, domain, mode, status, start, end, tuple(parties))


EDGES = [
    edge(1, "AB", domain="transport"),
    edge(2, "ABC", domain="medical", mode="mutual_recognition"),
    edge(3, "AC", domain="data_sharing", end=dt.date(2023, 12, 31)),  # expired before ON
    edge(4, "AB", domain="transport", mode="common_standard"),  # a second agreement in a domain already bound
    # A talent agreement led by A with C as member; B was an observer, so the selector left it out of the parties.
    edge(5, "AC", domain="talent"),
]


def by_hand(a: CityPoint, b: CityPoint) -> float:
    d = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
    return (a.population / 10_000) * (b.population / 10_000) / d**2


def test_gravity_flow_is_the_product_of_populations_in_ten_thousands_over_the_squared_distance():
    assert GRAVITY_EXPONENT == 2 and POPULATION_UNIT == 10_000
    assert gravity_flow(A, B) == pytest.approx(by_hand(A, B))
    assert gravity_flow(A, B) == pytest.approx(gravity_flow(B, A))


def test_three_cities_flows_coverage_gap_and_priority():
    space = dual_space([A, B, C], EDGES, DOMAINS, ON)
    assert space.source == "gravity"
    pairs = {pair.pair: pair for pair in space.pairs}
    flows = {("A", "B"): by_hand(A, B), ("A", "C"): by_hand(A, C), ("B", "C"): by_hand(B, C)}
    total = sum(flows.values())
    for key, flow in flows.items():
        assert pairs[key].flow == pytest.approx(flow)
        assert pairs[key].flow_share == pytest.approx(flow / total)
    # Domains in force binding both: A-B transport and medical; A-C medical and talent (data sharing expired);
    # B-C medical only (B was only an observer of the talent agreement).
    assert pairs["A", "B"].domains == ("transport", "medical")
    assert pairs["A", "C"].domains == ("medical", "talent")
    assert pairs["B", "C"].domains == ("medical",)
    assert pairs["B", "C"].missing == ("transport", "data_sharing", "talent")
    assert [pairs[key].coverage for key in flows] == [0.5, 0.5, 0.25]
    assert all(pair.mutual_recognition for pair in space.pairs)
    for key, flow in flows.items():
        assert pairs[key].gap == pytest.approx(flow / total * (1 - pairs[key].coverage))
    assert [pair.gap for pair in space.pairs] == sorted((pair.gap for pair in space.pairs), reverse=True)
    assert space.pairs[0].pair == ("A", "B")
    # Only A-B flows above the median of the three flows.
    assert [pair.pair for pair in space.priority(5)] == [("A", "B")]
    assert space.priority(0) == []


def test_per_city_coverage_is_weighted_by_flow_and_names_the_weakest_strong_pair():
    space = dual_space([A, B, C], EDGES, DOMAINS, ON)
    b = space.by_city["B"]
    f_ab, f_bc = by_hand(A, B), by_hand(B, C)
    assert b.flow_weighted_coverage == pytest.approx((f_ab * 0.5 + f_bc * 0.25) / (f_ab + f_bc))
    assert b.strongest_partner == "A"
    # B's two pairs: the median is their mean, so only A-B is at or above it.
    assert b.weakest_strong_pair is not None and b.weakest_strong_pair.pair == ("A", "B")
    c = space.by_city["C"]
    assert c.strongest_partner == ("A" if by_hand(A, C) > by_hand(B, C) else "B")
    assert [pair.partner_of("C") for pair in space.partners_of("C")] == ["A", "B"]


def test_an_agreement_not_in_force_or_without_both_cities_binds_nothing():
    space = dual_space([A, B, C], [edge(1, "AB", domain="transport", status="proposed")], DOMAINS, ON)
    assert all(pair.coverage == 0 and not pair.mutual_recognition for pair in space.pairs)
    assert all(pair.gap == pytest.approx(pair.flow_share) for pair in space.pairs)


def test_imported_flows_listing_every_pair_add_both_directions_and_a_listed_zero_is_no_flow():
    flows = {("A", "B"): 10.0, ("B", "A"): 5.0, ("C", "A"): 1.0, ("B", "C"): 0.0, ("A", "Z"): 99.0}
    imported = ImportedFlows(flows, "commuters per day", year=2024)
    space = dual_space([A, B, C], EDGES, DOMAINS, ON, imported=imported)
    pairs = {pair.pair: pair for pair in space.pairs}
    assert space.source == "imported" and space.unit == "commuters per day"
    assert not space.is_demo and not space.imported_incomplete and space.imported_listed == 3
    assert (pairs["A", "B"].flow, pairs["A", "C"].flow, pairs["B", "C"].flow) == (15.0, 1.0, 0.0)
    assert pairs["A", "B"].flow_share == pytest.approx(15 / 16)
    assert space.by_city["B"].strongest_partner == "A"
    with pytest.raises(ValueError, match="negative"):
        dual_space([A, B, C], EDGES, DOMAINS, ON, imported=ImportedFlows({("A", "B"): -1.0}, "people"))


def test_imported_flows_that_miss_a_pair_give_way_to_gravity_for_every_pair_and_say_so():
    # B-C is not listed: it cannot be told from a pair without flow, so nothing imported is used.
    imported = ImportedFlows({("A", "B"): 10.0, ("C", "A"): 1.0}, "commuters per day", is_demo=True, year=2024)
    space = dual_space([A, B, C], EDGES, DOMAINS, ON, imported=imported)
    pairs = {pair.pair: pair for pair in space.pairs}
    assert space.source == "gravity" and space.unit == ""
    assert pairs["B", "C"].flow == pytest.approx(by_hand(B, C))
    assert pairs["A", "B"].flow == pytest.approx(by_hand(A, B))
    assert space.imported_incomplete and (space.imported_listed, space.imported_year) == (2, 2024)
    assert not space.is_demo  # the gravity flows in use are not the demo rows
    assert not dual_space([A, B, C], EDGES, DOMAINS, ON).imported_incomplete


def test_demo_flows_in_use_mark_the_dual_space_as_demo():
    flows = {("A", "B"): 10.0, ("A", "C"): 1.0, ("B", "C"): 2.0}
    space = dual_space([A, B, C], EDGES, DOMAINS, ON, imported=ImportedFlows(flows, "people", is_demo=True))
    assert space.source == "imported" and space.is_demo


def test_the_weakest_strong_pair_counts_every_pair_of_the_city_in_its_median():
    # A's four pairs: flows 0, 0, 1 and 10. The median of all four is 0.5, so A-D (flow 1, nothing
    # covered) is a strong pair and the weakest; a median of the flowing pairs only (5.5) would leave A-E.
    d, e = CityPoint("D", 1, 31.0, 120.0), CityPoint("E", 1, 32.0, 120.0)
    flows = {("A", "B"): 0.0, ("A", "C"): 0.0, ("A", "D"): 1.0, ("A", "E"): 10.0}
    flows |= {pair: 0.0 for pair in [("B", "C"), ("B", "D"), ("B", "E"), ("C", "D"), ("C", "E"), ("D", "E")]}
    space = dual_space(
        [A, B, C, d, e], [edge(1, "AE", domain="transport")], DOMAINS, ON, imported=ImportedFlows(flows, "people")
    )
    weakest = space.by_city["A"].weakest_strong_pair
    assert weakest is not None and weakest.pair == ("A", "D")
    assert space.by_city["A"].strongest_partner == "E"


def test_the_pair_domain_matrix_has_one_row_per_pair_and_a_one_where_a_domain_is_in_force():
    matrix = dual_space([A, B, C], EDGES, DOMAINS, ON).pair_domain_matrix()
    assert list(matrix.columns) == DOMAINS
    assert matrix.loc[("A", "B")].tolist() == [1, 1, 0, 0]
    assert matrix.loc[("B", "C")].tolist() == [0, 1, 0, 0]
    assert matrix.to_numpy().sum() == 5


def test_no_flow_at_all_gives_zero_shares_and_no_partner():
    space = dual_space([A, B], [], DOMAINS, ON, imported=ImportedFlows({("A", "B"): 0.0}, "people"))
    assert space.pairs[0].flow_share == 0 and space.by_city["A"].strongest_partner is None
    assert space.priority(3) == []


def test_network_domain_coverage_is_the_mean_share_of_domains_per_pair_not_the_density():
    # One region-wide agreement makes the density 100 %; the domain coverage stays 1 of 4 domains.
    network = region_network([edge(1, "ABC", domain="medical")], "ABC", on=ON, domains=DOMAINS)
    assert network.density == 1.0
    assert network.domain_coverage == pytest.approx(0.25)
    network = region_network(EDGES, "ABC", on=ON, domains=DOMAINS)
    # A-B 2 domains, A-C 2, B-C 1: (2 + 2 + 1) / (3 pairs × 4 domains).
    assert network.domain_coverage == pytest.approx(5 / 12)
    assert network.domain_distribution == {0: 0, 1: 1, 2: 2, 3: 0, 4: 0}
    assert region_network(EDGES, "ABC", on=ON).domain_coverage is None
    assert region_network(EDGES, "A", on=ON, domains=DOMAINS).domain_coverage is None


def test_worth_signing_lists_missing_domains_already_in_force_elsewhere_most_widely_bound_first():
    space = dual_space([A, B, C], EDGES, DOMAINS, ON)
    pairs = {pair.pair: pair for pair in space.pairs}
    # B-C misses transport (bound A-B), data sharing (in force nowhere) and talent (bound A-C).
    assert space.worth_signing(pairs["B", "C"]) == ["transport", "talent"]
    assert space.worth_signing(pairs["B", "C"], limit=1) == ["transport"]
    assert space.worth_signing(pairs["A", "B"]) == ["talent"]
