"""The region as a network of agreements: which cities are bound to which.

Pure: plain data in, plain results out; no Django, so it runs in a notebook,
a command or a test without a database.

Definitions, for a region with member cities V (n = |V|) on a date t:

* An agreement counts ("is in force on t") when its status is ``in_force``
  and ``in_force_from <= t <= expires_on``; a missing bound is open-ended.
  An ``expired`` agreement with both dates counts on the dates inside them
  (the health-code recognitions of 2020-2022 were in force then).
  Asked for another status (for example the proposed network), an agreement
  counts when it has that status, whatever its dates.
* An agreement with k parties in V contributes all k(k-1)/2 unordered city
  pairs; parties outside V are ignored. The caller decides who is a party
  (the selectors pass leads and members, not observers).
* w(i, j) = number of counted agreements binding the pair {i, j}: the
  coverage matrix, symmetric, zero on the diagonal.
* E = {{i, j} : w(i, j) > 0}, the connected pairs.
* density = |E| / (n(n-1)/2), in [0, 1]; 0 when n < 2. It says little: one
  region-wide agreement binds every pair and makes it 100 %, so the pages
  show the domain coverage below instead.
* Pair × domain coverage, given the list of agreement domains D (the caller
  passes all of them, |D| = 16 for `cities.models.Agreement.Domain`):
  k(i, j) = number of domains of D in which a counted agreement binds both i
  and j; domain coverage = mean over all n(n-1)/2 pairs of k(i, j) / |D|, in
  [0, 1] (none when n < 2 or D is not given); its distribution is the number
  of pairs sharing exactly k domains, for k = 0 … |D|.
* degree(i) = |{j : w(i, j) > 0}|, the number of distinct partner cities.
* weighted degree(i) = sum over j of w(i, j), agreement-pair bindings.
* components: the connected components of (V, E), each a sorted list of
  codes, largest first, then by first code. Islands (degree 0) are
  components of one city and are also listed separately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

IN_FORCE = "in_force"
EXPIRED = "expired"


@dataclass(frozen=True)
class AgreementEdge:
    """One agreement as the network sees it."""

    agreement_id: Hashable
    domain: str
    mode: str
    status: str
    in_force_from: dt.date | None
    expires_on: dt.date | None
    parties: tuple[str, ...]


@dataclass(frozen=True)
class RegionNetwork:
    """The measures of a region's agreement network on one date."""

    members: tuple[str, ...]
    on: dt.date
    agreements: tuple[AgreementEdge, ...]
    pair_counts: dict[tuple[str, str], int]
    matrix: pd.DataFrame
    density: float
    degree: dict[str, int]
    weighted_degree: dict[str, int]
    components: list[list[str]]
    islands: list[str]
    domain_count: int = 0
    pair_domains: dict[tuple[str, str], int] = field(default_factory=dict)
    domain_coverage: float | None = None
    domain_distribution: dict[int, int] = field(default_factory=dict)

    @property
    def connected_pairs(self) -> int:
        return len(self.pair_counts)

    @property
    def possible_pairs(self) -> int:
        n = len(self.members)
        return n * (n - 1) // 2

    def top_degrees(self, limit: int | None = None) -> list[tuple[str, int, int]]:
        """(code, degree, weighted degree), highest degree first, ties by code."""
        ranked = sorted(self.members, key=lambda code: (-self.degree[code], -self.weighted_degree[code], code))
        return [(code, self.degree[code], self.weighted_degree[code]) for code in ranked[:limit]]


def is_in_force(edge: AgreementEdge, on: dt.date) -> bool:
    """Status in force and the date inside the (possibly open-ended) window, or expired and inside both dates."""
    if edge.status == EXPIRED:
        return (
            edge.in_force_from is not None
            and edge.expires_on is not None
            and edge.in_force_from <= on <= edge.expires_on
        )
    if edge.status != IN_FORCE:
        return False
    if edge.in_force_from is not None and on < edge.in_force_from:
        return False
    return edge.expires_on is None or on <= edge.expires_on


def select_agreements(
    edges: Iterable[AgreementEdge],
    *,
    on: dt.date,
    domain: str | None = None,
    mode: str | None = None,
    status: str = IN_FORCE,
) -> list[AgreementEdge]:
    """The agreements that count on the date, after the optional domain and mode filters."""
    selected = []
    for edge in edges:
        if domain and edge.domain != domain:
            continue
        if mode and edge.mode != mode:
            continue
        counts = is_in_force(edge, on) if status == IN_FORCE else edge.status == status
        if counts:
            selected.append(edge)
    return selected


def pair_counts(edges: Iterable[AgreementEdge], members: Iterable[str]) -> dict[tuple[str, str], int]:
    """Agreements binding each unordered member pair (codes sorted within the pair)."""
    inside = set(members)
    counts: dict[tuple[str, str], int] = {}
    for edge in edges:
        parties = sorted({code for code in edge.parties if code in inside})
        for pair in combinations(parties, 2):
            counts[pair] = counts.get(pair, 0) + 1
    return counts


def region_network(
    edges: Iterable[AgreementEdge],
    members: Sequence[str],
    *,
    on: dt.date,
    domain: str | None = None,
    mode: str | None = None,
    status: str = IN_FORCE,
    domains: Sequence[str] = (),
) -> RegionNetwork:
    """Density, domain coverage, degrees, coverage matrix, components and islands of the region's network."""
    codes = tuple(dict.fromkeys(members))
    selected = select_agreements(edges, on=on, domain=domain, mode=mode, status=status)
    inside = set(codes)
    selected = [edge for edge in selected if len(inside.intersection(edge.parties)) >= 2]
    counts = pair_counts(selected, codes)

    matrix = pd.DataFrame(0, index=list(codes), columns=list(codes), dtype="int64")
    neighbours: dict[str, set[str]] = {code: set() for code in codes}
    weighted = dict.fromkeys(codes, 0)
    for (a, b), count in counts.items():
        matrix.loc[a, b] = count
        matrix.loc[b, a] = count
        neighbours[a].add(b)
        neighbours[b].add(a)
        weighted[a] += count
        weighted[b] += count

    n = len(codes)
    possible = n * (n - 1) // 2
    density = len(counts) / possible if possible else 0.0
    degree = {code: len(neighbours[code]) for code in codes}
    shared = pair_domain_counts(selected, codes, domains)
    distribution = dict.fromkeys(range(len(set(domains)) + 1), 0) if domains else {}
    if domains:
        distribution[0] = possible - len(shared)
        for count in shared.values():
            distribution[count] += 1
    coverage = sum(shared.values()) / (possible * len(set(domains))) if possible and domains else None
    return RegionNetwork(
        members=codes,
        on=on,
        agreements=tuple(selected),
        pair_counts=counts,
        matrix=matrix,
        density=density,
        degree=degree,
        weighted_degree=weighted,
        components=connected_components(codes, neighbours),
        islands=sorted(code for code in codes if degree[code] == 0),
        domain_count=len(set(domains)),
        pair_domains=shared,
        domain_coverage=coverage,
        domain_distribution=distribution,
    )


def pair_domain_counts(
    edges: Iterable[AgreementEdge], members: Iterable[str], domains: Sequence[str]
) -> dict[tuple[str, str], int]:
    """For each member pair bound in at least one of the domains, how many of them bind it (codes sorted)."""
    inside, wanted = set(members), set(domains)
    bound: dict[tuple[str, str], set[str]] = {}
    for edge in edges:
        if edge.domain not in wanted:
            continue
        for pair in combinations(sorted(inside.intersection(edge.parties)), 2):
            bound.setdefault(pair, set()).add(edge.domain)
    return {pair: len(found) for pair, found in bound.items()}


def connected_components(nodes: Iterable[str], neighbours: dict[str, set[str]]) -> list[list[str]]:
    """Components by breadth-first search; largest first, then by first code."""
    seen: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(nodes):
        if start in seen:
            continue
        seen.add(start)
        frontier = [start]
        component = []
        while frontier:
            node = frontier.pop()
            component.append(node)
            for other in neighbours.get(node, ()):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
        components.append(sorted(component))
    return sorted(components, key=lambda component: (-len(component), component[0]))
