"""The dual-space gap: where people move between two cities and the digital services that bind them stop short.

Pure Python: no Django.

The article's dual space is physical space plus digital space: flows of
people, firms and capital cross the administrative boundary, and the services
and data that should follow them often stop at it. The product's plane
(in-city maturity × cross-boundary readiness) measures two digital sides;
this module sets a physical side against a digital one, per pair of cities.

For the cities V of a region (each with census resident population P_i and
coordinates) on a date t, with the list of agreement domains D (|D| = 16 for
`cities.models.Agreement.Domain`; always ``len(domains)`` as the caller
passes it):

* Physical flow intensity of the unordered pair {i, j} (a gravity model,
  Zipf 1946, the same family as the surge test in `cities.surge`):
  F_ij = (P_i / U) · (P_j / U) / d_ij^GRAVITY_EXPONENT, with U =
  POPULATION_UNIT people (万人, the unit of Chinese statistical yearbooks),
  d_ij the great-circle distance in km (`surge.haversine_km`, floored at
  `surge.MIN_DISTANCE_KM`) and `surge.GRAVITY_EXPONENT` (2; defined there
  once, for the surge test and this gap alike). Unit: (U people)² per km².
  Symmetric, so F_ij = F_ji.
* Imported flows instead (`ImportedFlows`: commuting or migration indices
  read from a CSV), when they list every pair of V (a pair is listed when a
  row runs either way; a listed value may be 0): F_ij = f(i→j) + f(j→i), the
  two directions added. The source is then "imported" instead of "gravity".
  When they miss a pair, a missing pair cannot be told from one that has no
  flow, and mixing measured and gravity values would compare two units: the
  gravity model is used for every pair, and `DualSpace.imported_listed` says
  how many of the pairs the imported flows listed (None when none were
  offered), so the reader is told. `DualSpace.is_demo` is true when the
  imported flows in use are demonstration data.
* Flow share: s_ij = F_ij / Σ F over all pairs of V (0 when nothing flows).
* Digital coverage: domains_ij = the domains of D in which at least one
  agreement in force on t binds both i and j (in force: `network.is_in_force`;
  parties are leads and members: the caller leaves observers out);
  c_ij = |domains_ij| / |D|, in [0, 1]. mutual_recognition_ij is true when an
  agreement in force of mode "mutual_recognition" binds both.
* Gap: g_ij = s_ij · (1 − c_ij): the share of the region's flows that runs
  between the pair, weighted by the share of domains no agreement covers.
  The pairs are listed by g, largest first (ties: larger flow, then codes).
* Per city i: flow-weighted coverage C_i = Σ_j F_ij · c_ij / Σ_j F_ij (0 when
  the city has no flow); its strongest partner is the j of largest F_ij; its
  weakest strong pair is, among its pairs with a flow above 0 and at least
  the median of the flows of all its pairs (those of flow 0 included: a
  measured 0 is a pair of the city like any other), the one of lowest
  coverage (ties: larger flow). With gravity every flow is above 0.
* Priority pairs (`DualSpace.priority`): the pairs whose flow is above the
  median flow of all pairs, lowest coverage first, then larger flow: where
  the strongest flows meet the thinnest digital coverage.
* The domains a pair misses are the domains of D not in domains_ij
  (`PairGap.missing`), in the caller's order of D. Those worth signing
  (`DualSpace.worth_signing`) are the missing domains in which an agreement
  in force already binds other pairs of the set (an agreement to join or to
  copy), most widely bound first (ties: the caller's order), at most
  WORTH_SIGNING_SHOWN of them.
* PRIORITY_PAIRS is how many priority pairs the dashboards and reports list;
  PARTNERS_SHOWN how many partners of one city (largest flow first, and its
  weakest strong pair when it is not among them).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from cities.network import AgreementEdge, is_in_force
from cities.surge import GRAVITY_EXPONENT, MIN_DISTANCE_KM, CityPoint, haversine_km

PRIORITY_PAIRS = 8
PARTNERS_SHOWN = 12
WORTH_SIGNING_SHOWN = 3
POPULATION_UNIT = 10_000  # people: flows in (万人)² per km²
MUTUAL_RECOGNITION = "mutual_recognition"
GRAVITY = "gravity"
IMPORTED = "imported"


@dataclass(frozen=True)
class ImportedFlows:
    """Measured flows f(origin→destination) of one year and kind, their unit, and whether they are demo data."""

    flows: Mapping[tuple[str, str], float]
    unit: str
    is_demo: bool = False
    year: int | None = None


@dataclass(frozen=True)
class PairGap:
    """One pair of cities: its physical flow against the agreement domains that bind it."""

    pair: tuple[str, str]
    flow: float
    flow_share: float
    domains: tuple[str, ...]
    coverage: float
    mutual_recognition: bool
    gap: float
    missing: tuple[str, ...] = ()

    def partner_of(self, code: str) -> str:
        """The other city of the pair."""
        return self.pair[1] if self.pair[0] == code else self.pair[0]


@dataclass(frozen=True)
class CityGap:
    """One city: its coverage weighted by its flows, its strongest partner and its weakest strong pair."""

    code: str
    flow_weighted_coverage: float
    strongest_partner: str | None
    weakest_strong_pair: PairGap | None


@dataclass(frozen=True)
class DualSpace:
    """The pairs of a set of cities by gap, largest first, and the same per city."""

    pairs: list[PairGap]
    by_city: dict[str, CityGap]
    source: str
    domains: tuple[str, ...] = ()
    on: dt.date | None = None
    total_flow: float = 0.0
    median_flow: float = 0.0
    unit: str = ""
    partners: dict[str, list[PairGap]] = field(default_factory=dict)
    is_demo: bool = False
    imported_listed: int | None = None
    imported_year: int | None = None

    @property
    def imported_incomplete(self) -> bool:
        """Imported flows were offered but missed a pair, so gravity gives every flow."""
        return self.source == GRAVITY and self.imported_listed is not None

    def priority(self, limit: int) -> list[PairGap]:
        """Pairs with a flow above the median, lowest coverage first, then larger flow; at most ``limit``."""
        strong = [pair for pair in self.pairs if pair.flow > self.median_flow]
        return sorted(strong, key=lambda pair: (pair.coverage, -pair.flow, pair.pair))[:limit]

    def pair_domain_matrix(self) -> pd.DataFrame:
        """Pairs (rows, by gap) × domains (columns, the caller's order): 1 where an agreement in force binds both."""
        index = pd.MultiIndex.from_tuples([pair.pair for pair in self.pairs], names=["city_a", "city_b"])
        rows = [[1 if domain in pair.domains else 0 for domain in self.domains] for pair in self.pairs]
        return pd.DataFrame(rows, index=index, columns=list(self.domains), dtype="int64")

    def worth_signing(self, pair: PairGap, limit: int = WORTH_SIGNING_SHOWN) -> list[str]:
        """The pair's missing domains already in force between other pairs, most widely bound first."""
        bound = {domain: 0 for domain in self.domains}
        for other in self.pairs:
            for domain in other.domains:
                bound[domain] += 1
        order = {domain: position for position, domain in enumerate(self.domains)}
        found = [domain for domain in pair.missing if bound.get(domain, 0) > 0]
        return sorted(found, key=lambda domain: (-bound[domain], order[domain]))[:limit]

    def partners_of(self, code: str) -> list[PairGap]:
        """The city's pairs, largest flow first."""
        return self.partners.get(code, [])


def gravity_flow(a: CityPoint, b: CityPoint) -> float:
    """F = (P_a / U)(P_b / U) / d^GRAVITY_EXPONENT, d in km floored at MIN_DISTANCE_KM."""
    distance = max(MIN_DISTANCE_KM, haversine_km(a.latitude, a.longitude, b.latitude, b.longitude))
    return (a.population / POPULATION_UNIT) * (b.population / POPULATION_UNIT) / distance**GRAVITY_EXPONENT


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _pair_domains(
    edges: Iterable[AgreementEdge], members: set[str], on: dt.date
) -> tuple[dict[tuple[str, str], set[str]], set[tuple[str, str]]]:
    """Domains in force per member pair, and the pairs bound by a mutual recognition in force."""
    domains: dict[tuple[str, str], set[str]] = {}
    recognised: set[tuple[str, str]] = set()
    for edge in edges:
        if not is_in_force(edge, on):
            continue
        parties = sorted(members.intersection(edge.parties))
        for pair in combinations(parties, 2):
            domains.setdefault(pair, set()).add(edge.domain)
            if edge.mode == MUTUAL_RECOGNITION:
                recognised.add(pair)
    return domains, recognised


def dual_space(
    cities: Sequence[CityPoint],
    edges: Iterable[AgreementEdge],
    domains: Sequence[str],
    on: dt.date,
    imported: ImportedFlows | None = None,
) -> DualSpace:
    """Flow, coverage and gap of every pair of the cities, and each city's summary (see the module docstring)."""
    codes = sorted({city.code for city in cities})
    by_code = {city.code: city for city in cities}
    every_domain = tuple(dict.fromkeys(domains))
    bound, recognised = _pair_domains(edges, set(codes), on)

    raw = dict.fromkeys(combinations(codes, 2), 0.0)
    listed: set[tuple[str, str]] = set()
    for (origin, destination), value in (imported.flows if imported else {}).items():
        pair = _pair(origin, destination)
        if origin != destination and pair in raw:
            if value < 0:
                raise ValueError(f"flow {origin}→{destination} must not be negative, not {value}")
            raw[pair] += value
            listed.add(pair)
    use_imported = imported is not None and len(listed) == len(raw)
    if not use_imported:
        for a, b in raw:
            raw[a, b] = gravity_flow(by_code[a], by_code[b])
    total = sum(raw.values())

    pairs = []
    for pair, flow in raw.items():
        shared = tuple(domain for domain in every_domain if domain in bound.get(pair, ()))
        coverage = len(shared) / len(every_domain) if every_domain else 0.0
        share = flow / total if total > 0 else 0.0
        pairs.append(
            PairGap(
                pair=pair,
                flow=flow,
                flow_share=share,
                domains=shared,
                coverage=coverage,
                mutual_recognition=pair in recognised,
                gap=share * (1 - coverage),
                missing=tuple(domain for domain in every_domain if domain not in shared),
            )
        )
    pairs.sort(key=lambda item: (-item.gap, -item.flow, item.pair))

    partners: dict[str, list[PairGap]] = {code: [] for code in codes}
    for item in pairs:
        for code in item.pair:
            partners[code].append(item)
    for code in codes:
        partners[code].sort(key=lambda item: (-item.flow, item.pair))
    by_city = {code: _city_gap(code, partners[code]) for code in codes}
    return DualSpace(
        pairs=pairs,
        by_city=by_city,
        source=IMPORTED if use_imported else GRAVITY,
        domains=every_domain,
        on=on,
        total_flow=total,
        median_flow=statistics.median(raw.values()) if raw else 0.0,
        unit=imported.unit if imported is not None and use_imported else "",
        partners=partners,
        is_demo=use_imported and imported is not None and imported.is_demo,
        imported_listed=None if imported is None else len(listed),
        imported_year=None if imported is None else imported.year,
    )


def _city_gap(code: str, pairs: list[PairGap]) -> CityGap:
    """C_i, the strongest partner and the weakest flowing pair at or above the median flow of all the city's pairs."""
    flowing = [item for item in pairs if item.flow > 0]
    if not flowing:
        return CityGap(code, 0.0, None, None)
    total = sum(item.flow for item in flowing)
    weighted = sum(item.flow * item.coverage for item in flowing) / total
    strongest = min(flowing, key=lambda item: (-item.flow, item.partner_of(code)))
    median = statistics.median(item.flow for item in pairs)
    strong = [item for item in flowing if item.flow >= median]
    weakest = min(strong, key=lambda item: (item.coverage, -item.flow, item.pair))
    return CityGap(code, weighted, strongest.partner_of(code), weakest)
