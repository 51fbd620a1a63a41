"""Indicator values proposed from recorded agreements between cities.

An indicator whose framework entry says ``derived_from: {"source":
"agreements", "domains": [...], "modes": [...]}`` gets a proposal from the
agreements in force on the assessment's reference date that bind the city
in one of those domains (and modes, when listed; an empty list means any).

* count indicators (e.g. X3.4, shared cluster services): the number of
  distinct listed domains covered by at least one such agreement;
* level indicators: from the partner cities those agreements reach —
  0 partners → level 0; 1–2 → 2; 3 or more → 3 (the descriptors' "written
  agreements with at least three partner cities"); 3 or more with at least
  one data-sharing agreement → 4 ("data are exchanged through interfaces");
  every other member of the city's largest region → 5.

Agreements show only part of what a level descriptor asks, so this is a
proposal: the consultant accepts it, or records another answer with a
justification that is kept. Pure Python: no Django.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cities.network import AgreementEdge, select_agreements

DATA_SHARING = "data_sharing"


@dataclass(frozen=True)
class DerivedProposal:
    value: float
    agreements: tuple[str, ...]
    partners: tuple[str, ...]
    domains: tuple[str, ...]


def matching_agreements(
    edges: Iterable[AgreementEdge], *, city: str, rule: Mapping[str, Any], on: dt.date
) -> list[AgreementEdge]:
    domains = set(rule.get("domains") or ())
    modes = set(rule.get("modes") or ())
    return [
        edge
        for edge in select_agreements(edges, on=on)
        if city in edge.parties and edge.domain in domains and (not modes or edge.mode in modes)
    ]


def suggested_level(*, partners: int, other_members: int, shares_data: bool) -> int:
    if partners == 0:
        return 0
    if other_members and partners >= other_members:
        return 5
    if partners >= 3:
        return 4 if shares_data else 3
    return 2


def derived_proposal(
    *,
    indicator_type: str,
    rule: Mapping[str, Any],
    city: str,
    edges: Iterable[AgreementEdge],
    on: dt.date,
    other_members: int,
) -> DerivedProposal:
    """The proposed raw value and the agreements behind it."""
    matching = matching_agreements(edges, city=city, rule=rule, on=on)
    partners = tuple(sorted({party for edge in matching for party in edge.parties if party != city}))
    domains = tuple(sorted({edge.domain for edge in matching}))
    if indicator_type == "count":
        value = float(len(domains))
    else:
        shares_data = any(edge.mode == DATA_SHARING for edge in matching)
        value = float(suggested_level(partners=len(partners), other_members=other_members, shares_data=shares_data))
    return DerivedProposal(value, tuple(sorted(str(edge.agreement_id) for edge in matching)), partners, domains)
