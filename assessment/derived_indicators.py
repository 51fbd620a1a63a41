"""Indicator values proposed from recorded agreements between cities.

An indicator whose framework entry says ``derived_from: {"source":
"agreements", "domains": [...], "modes": [...]}`` gets a proposal from the
agreements in force on the assessment's reference date that bind the city
in one of those domains (and modes, when listed; an empty list means any).

* count indicators (e.g. X3.4, shared cluster services): the number of
  distinct listed domains covered by at least one such agreement;
* level indicators weigh breadth (partner cities) AND depth (how many
  agreements, in how many of the listed domains, in which modes). With
  p = partner cities reached, a = agreements, m = their distinct modes,
  d = listed domains covered of the D listed, and N = the other members of
  the city's largest region:

  - p = 0 → level 0;
  - 1 ≤ p < ``ESTABLISHED_PARTNERS`` (3) → 2 (written agreements, few partners);
  - p ≥ 3 → 3 (the descriptors' "agreements with at least three partner cities");
  - p ≥ 3 and at least one agreement in a ``DEEP_MODES`` mode (data
    sharing, joint handling, a joint body) → 4 (data exchanged through
    interfaces, services handled or run jointly);
  - level 4 and p ≥ N (every other member reached) and a ≥
    ``LEADING_AGREEMENTS`` (2) and m ≥ ``LEADING_MODES`` (2) and d = D
    (every listed domain covered) → 5.

  Breadth is not depth: one region-wide agreement reaches every member but
  never proposes level 5 (Hengshui's X4.4 from the JJJ transport card
  alone, a common standard, is level 3), and it proposes 4 only when its
  mode is a deep one.

  A rule whose modes include none of ``DEEP_MODES`` can therefore never be
  proposed above level 3, however many agreements bind the city: DSMF 1.0's
  X6.5 (cross-boundary data governance agreements, domain ``data_sharing``)
  lists ``common_standard`` only, so its proposal stops at 3 and a level 4 or
  5 is the consultant's to record from the evidence. Methodology section 8
  says so.

Agreements show only part of what a level descriptor asks, so this is a
proposal: the consultant accepts it, or records another answer with a
justification that is kept. Pure Python: no Django.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cities.network import AgreementEdge, select_agreements

# Modes that go beyond recognising each other's papers or standards: data flow, joint handling, a joint body.
DEEP_MODES = frozenset({"data_sharing", "joint_handling", "joint_body"})
# Partner cities for level 3 ("at least three partner cities" in the level descriptors).
ESTABLISHED_PARTNERS = 3
# Level 5 needs depth as well as breadth: at least this many agreements, in at least this many modes.
LEADING_AGREEMENTS = 2
LEADING_MODES = 2


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


def suggested_level(
    *,
    partners: int,
    other_members: int,
    modes: frozenset[str] | set[str] = frozenset(),
    agreements: int = 0,
    domains_covered: int = 0,
    domains_listed: int = 0,
) -> int:
    """The level the agreements support: breadth (partners) and depth (agreements, modes, domains); see the module."""
    if partners == 0:
        return 0
    if partners < ESTABLISHED_PARTNERS:
        return 2
    if not modes & DEEP_MODES:
        return 3
    leading = (
        other_members > 0
        and partners >= other_members
        and agreements >= LEADING_AGREEMENTS
        and len(modes) >= LEADING_MODES
        and domains_covered >= domains_listed
    )
    return 5 if leading else 4


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
        level = suggested_level(
            partners=len(partners),
            other_members=other_members,
            modes={edge.mode for edge in matching},
            agreements=len(matching),
            domains_covered=len(domains),
            domains_listed=len(set(rule.get("domains") or ())),
        )
        value = float(level)
    return DerivedProposal(value, tuple(sorted(str(edge.agreement_id) for edge in matching)), partners, domains)
