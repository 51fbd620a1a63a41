"""The surge test: if people leave some cities at once, do agreements cover where they go?

Pure: plain data in, plain results out; no Django.

Method (a gravity model, deliberately simple):

* A shock moves a share s_i (0 to 1) of origin i's resident population P_i.
* Movers spread over every other member city j with weights
  w_ij = P_j / d_ij^GRAVITY_EXPONENT (GRAVITY_EXPONENT = 2, Zipf 1946),
  normalised so that sum over j of w_ij = 1, where d_ij is the great-circle
  distance in km (haversine, Earth radius EARTH_RADIUS_KM = 6371.0088 km,
  floored at MIN_DISTANCE_KM = 1 km so two points at the same place cannot
  divide by zero). The exponent is defined here once: the dual-space gap's
  gravity flows (`cities.dual_space`) import it, and every caption and
  methodology text prints it from here.
* movers_ij = s_i * P_i * w_ij (people).
* A pair {i, j} is covered when an agreement in the chosen domain is in force
  between i and j. Pair movers add both directions: m_{ij} = movers_ij + movers_ji.
* coverage = sum of m over covered pairs / sum of m over all pairs, in [0, 1]
  (none when nobody moves).
* Best single new agreement: among uncovered pairs, the one whose addition
  raises coverage most, which is the uncovered pair with the most movers;
  ties go to the pair whose sorted codes come first.

Per agreement domain (`surge_by_domain`, the reports' fixed scenario): every
origin sends the same share s of its population. Then movers_ij = s * P_i * w_ij,
s factors out of both sums and coverage does not depend on s, so the scenario
needs no share: it is computed with s = `UNIFORM_SHARE`. For each domain, the
covered pairs are those bound by an agreement of that domain in force on the
date (`cities.network.is_in_force`; the caller passes leads and members as
parties, never observers). Domains are listed by coverage, lowest first
(ties in the order given; a domain nobody moves in comes last).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from cities.network import AgreementEdge, is_in_force

EARTH_RADIUS_KM = 6371.0088
MIN_DISTANCE_KM = 1.0
# The power of the distance in the gravity model (Zipf 1946), here and in cities.dual_space.
GRAVITY_EXPONENT = 2
# The share every origin sends in the per-domain scenario: any share gives the same coverage.
UNIFORM_SHARE = 1.0


@dataclass(frozen=True)
class CityPoint:
    code: str
    population: float
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PairFlow:
    """Movers between two cities, both directions added; codes sorted."""

    pair: tuple[str, str]
    movers: float
    covered: bool
    share_of_movers: float


@dataclass(frozen=True)
class SurgeResult:
    pairs: list[PairFlow]
    total_movers: float
    covered_movers: float
    coverage: float | None
    best_new_pair: tuple[str, str] | None
    coverage_with_best_new_pair: float | None

    @property
    def gain(self) -> float | None:
        if self.coverage is None or self.coverage_with_best_new_pair is None:
            return None
        return self.coverage_with_best_new_pair - self.coverage


@dataclass(frozen=True)
class DomainSurge:
    """The surge test in one agreement domain: coverage now and with the best single new agreement."""

    domain: str
    coverage: float | None
    best_new_pair: tuple[str, str] | None
    coverage_with_best_new_pair: float | None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def gravity_weights(origin: CityPoint, cities: Sequence[CityPoint]) -> dict[str, float]:
    """w_ij = P_j / d_ij^GRAVITY_EXPONENT over the other cities, normalised to add up to 1."""
    raw = {}
    for city in cities:
        if city.code == origin.code:
            continue
        distance = max(
            MIN_DISTANCE_KM,
            haversine_km(origin.latitude, origin.longitude, city.latitude, city.longitude),
        )
        raw[city.code] = city.population / distance**GRAVITY_EXPONENT
    total = sum(raw.values())
    if total <= 0:
        return dict.fromkeys(raw, 0.0)
    return {code: weight / total for code, weight in raw.items()}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def surge_test(
    cities: Sequence[CityPoint],
    shocks: Mapping[str, float],
    covered_pairs: Iterable[tuple[str, str]],
) -> SurgeResult:
    """Coverage of the movers by agreements in force, per pair and overall, and the best new pair.

    ``shocks`` maps origin codes to the share (0 to 1) of their population that moves;
    codes not among ``cities`` are ignored.
    """
    by_code = {city.code: city for city in cities}
    for code, share in shocks.items():
        if not 0 <= share <= 1:
            raise ValueError(f"share for {code} must lie between 0 and 1, not {share}")
    covered = {_pair(a, b) for a, b in covered_pairs if a != b}

    movers: dict[tuple[str, str], float] = {}
    for code, share in sorted(shocks.items()):
        origin = by_code.get(code)
        if origin is None or share == 0:
            continue
        leaving = share * origin.population
        for destination, weight in gravity_weights(origin, cities).items():
            pair = _pair(code, destination)
            movers[pair] = movers.get(pair, 0.0) + leaving * weight

    total = sum(movers.values())
    covered_total = sum(count for pair, count in movers.items() if pair in covered)
    pairs = [
        PairFlow(
            pair=pair,
            movers=count,
            covered=pair in covered,
            share_of_movers=count / total if total else 0.0,
        )
        for pair, count in sorted(movers.items(), key=lambda item: (-item[1], item[0]))
    ]
    if total <= 0:
        return SurgeResult(pairs, 0.0, 0.0, None, None, None)
    candidates = [flow for flow in pairs if not flow.covered and flow.movers > 0]
    best = min(candidates, key=lambda flow: (-flow.movers, flow.pair), default=None)
    return SurgeResult(
        pairs=pairs,
        total_movers=total,
        covered_movers=covered_total,
        coverage=covered_total / total,
        best_new_pair=best.pair if best else None,
        coverage_with_best_new_pair=(covered_total + best.movers) / total if best else None,
    )


def domain_pairs(edges: Iterable[AgreementEdge], domain: str, on: dt.date) -> set[tuple[str, str]]:
    """The city pairs (codes sorted) an agreement of the domain in force on the date binds."""
    pairs: set[tuple[str, str]] = set()
    for edge in edges:
        if edge.domain == domain and is_in_force(edge, on):
            pairs.update(combinations(sorted(set(edge.parties)), 2))
    return pairs


def surge_by_domain(
    cities: Sequence[CityPoint],
    origins: Iterable[str],
    edges: Iterable[AgreementEdge],
    domains: Sequence[str],
    on: dt.date,
) -> list[DomainSurge]:
    """The surge test per domain when every origin sends the same share; lowest coverage first."""
    shocks = dict.fromkeys(origins, UNIFORM_SHARE)
    edges = list(edges)
    results = []
    for domain in domains:
        result = surge_test(cities, shocks, domain_pairs(edges, domain, on))
        results.append(
            DomainSurge(
                domain=domain,
                coverage=result.coverage,
                best_new_pair=result.best_new_pair,
                coverage_with_best_new_pair=result.coverage_with_best_new_pair,
            )
        )
    order = {domain: index for index, domain in enumerate(domains)}
    return sorted(
        results,
        key=lambda item: (item.coverage is None, item.coverage or 0.0, order[item.domain]),
    )
