"""A region's synthesis: dispersion, σ-convergence, groups, the interoperability matrix, key messages.

Pure Python: no Django.

Everything here takes plain tables (cities × nodes, indexed by city code, as
`assessment.selectors.results.RegionSnapshot` holds them) and plain agreement
edges (`cities.network.AgreementEdge`), and returns plain results; the
adapter (`assessment.dashboards.synthesis_panels`) reads the database, names
the codes and writes the sentences in the reader's language.

Dispersion, per node (index, halves, dimensions), over the n cities with a score:
    mean = Σ x_i / n;  sd = sqrt(Σ (x_i − mean)² / (n − SD_DDOF));  CV = sd / mean.
The standard deviation is the POPULATION one (SD_DDOF = 0): the cities are the
whole region, not a sample of a wider one. The CV is undefined (None) when the
mean is 0. The JRC/OECD Handbook on Constructing Composite Indicators (2008)
and COINr's `get_stats()` report the same statistics (COINr uses the sample
sd; with 41 cities the two differ by 1.2 %).

σ-convergence (Barro & Sala-i-Martin, "Convergence", JPE 1992; Sala-i-Martin,
"The classical approach to convergence analysis", EJ 1996): a group converges
in σ when the cross-section dispersion of a measure falls over time. Here:
the sd (and CV) of a node across the cities with a score in BOTH periods
(a city published in one period only would move the dispersion by entering
or leaving, not by changing); converging when sd(later) < sd(earlier);
the change is sd(later) − sd(earlier), in index points.

Groups: for a group G of member cities (a province, or a sub-region: another
region whose members all belong to this one), over the cities of G with a
score, n, the median index, the median of each half and the count per stage;
and the same for the rest of the region (the scored cities not in G), so each
group reads against the others. lead(node) = median_G − median_rest.

Interoperability matrix: cities × agreement domains; cell (c, d) = the number
of OTHER member cities bound with c by at least one agreement in force on the
date in domain d (`cities.network.select_agreements`; the caller passes leads
and members as parties, never observers). A domain's pairs covered =
Σ_c cell(c, d) / 2 (each pair is counted from both ends).

Key messages: at most MAX_MESSAGES (key, parameters) pairs, each computed from
the data and left out when the data do not support it (`key_messages`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from cities.network import AgreementEdge, select_agreements

# Population standard deviation: the region's cities are the whole population described.
SD_DDOF = 0
# The lower half of the stage ladder (rounded up) counts as the early stages: in DSMF 1.0 (S0, S1, S1+,
# S2, S2+, S3, S4) that is S2 and below, before the second breakthrough.
EARLY_LADDER_SHARE = 0.5
# A group "leads" or "trails" the rest in a key message only when the medians differ by at least this (points).
MIN_GROUP_LEAD = 1.0
# ... and only a group of at least this many scored cities: the "median" of one or two cities says nothing of a group.
MIN_GROUP_CITIES = 3
# The key messages kept, and how many of the weakest domains one names.
MAX_MESSAGES = 5
WEAKEST_DOMAINS = 2
# Fewer cities than this in both periods: no σ-convergence is stated.
MIN_CONVERGENCE_CITIES = 3


# Dispersion


def _spread(values: pd.Series) -> tuple[float, float, float]:
    """(mean, population sd, CV) of the values; NaN where undefined (no value; a mean of 0 for the CV)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    sd = float(values.std(ddof=SD_DDOF)) if n > SD_DDOF else math.nan
    return mean, sd, (sd / mean if mean != 0 and not math.isnan(sd) else math.nan)


def dispersion(scores: pd.DataFrame, nodes: Sequence[str]) -> pd.DataFrame:
    """Per node: n, mean, sd (population), CV = sd/mean (NaN when the mean is 0), min and max."""
    rows = {}
    for node in nodes:
        values = scores[node].dropna().astype(float) if node in scores else pd.Series(dtype=float)
        mean, sd, cv = _spread(values)
        rows[node] = {
            "n": len(values),
            "mean": mean,
            "sd": sd,
            "cv": cv,
            "min": float(values.min()) if len(values) else math.nan,
            "max": float(values.max()) if len(values) else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["n", "mean", "sd", "cv", "min", "max"])


@dataclass(frozen=True)
class Convergence:
    """The dispersion of one node across the cities scored in both periods."""

    node: str
    earlier: int
    later: int
    cities: int
    sd_earlier: float
    sd_later: float
    cv_earlier: float
    cv_later: float

    @property
    def sd_change(self) -> float:
        return self.sd_later - self.sd_earlier

    @property
    def cv_change(self) -> float:
        return self.cv_later - self.cv_earlier

    @property
    def converging(self) -> bool:
        """σ-convergence: the sd fell."""
        return self.sd_later < self.sd_earlier


def sigma_convergence(
    earlier_scores: pd.DataFrame, later_scores: pd.DataFrame, node: str, earlier: int, later: int
) -> Convergence | None:
    """The sd and CV of ``node`` in both periods over the cities scored in both; None below MIN_CONVERGENCE_CITIES."""
    if node not in earlier_scores or node not in later_scores:
        return None
    before = earlier_scores[node].dropna()
    after = later_scores[node].dropna()
    common = sorted(set(before.index) & set(after.index))
    if len(common) < MIN_CONVERGENCE_CITIES:
        return None
    _mean, sd_earlier, cv_earlier = _spread(before.loc[common].astype(float))
    _mean, sd_later, cv_later = _spread(after.loc[common].astype(float))
    return Convergence(
        node=node,
        earlier=earlier,
        later=later,
        cities=len(common),
        sd_earlier=sd_earlier,
        sd_later=sd_later,
        cv_earlier=cv_earlier,
        cv_later=cv_later,
    )


# Groups


@dataclass(frozen=True)
class GroupSummary:
    """A group of member cities (a province or a sub-region) against the rest of the region."""

    key: str
    kind: str  # "province" or "subregion"
    members: tuple[str, ...]  # the group's cities with a score
    median_index: float
    median_halves: Mapping[str, float]
    stage_counts: Mapping[str, int]
    rest: tuple[str, ...]
    rest_median_index: float
    rest_median_halves: Mapping[str, float]
    rest_stage_counts: Mapping[str, int]

    @property
    def n(self) -> int:
        return len(self.members)

    def lead(self, half: str | None = None) -> float:
        """The group's median minus the rest's, on the index or on one half (NaN when either is empty)."""
        if half is None:
            return self.median_index - self.rest_median_index
        return self.median_halves.get(half, math.nan) - self.rest_median_halves.get(half, math.nan)


def _median(scores: pd.DataFrame, codes: Sequence[str], node: str) -> float:
    if not codes or node not in scores:
        return math.nan
    values = scores.loc[list(codes), node].dropna()
    return float(values.median()) if len(values) else math.nan


def _stage_counts(stages: pd.Series, codes: Sequence[str], ladder: Sequence[str]) -> dict[str, int]:
    counted = Counter(str(stages[code]) for code in codes if code in stages.index)
    return {stage: counted.get(stage, 0) for stage in ladder}


def group_breakdown(
    scores: pd.DataFrame,
    stages: pd.Series,
    groups: Mapping[str, Sequence[str]],
    *,
    kind: str,
    index: str,
    halves: Sequence[str],
    ladder: Sequence[str],
) -> list[GroupSummary]:
    """One summary per group with at least one scored city, in the order given; each against the rest."""
    scored = list(scores.index)
    summaries = []
    for key, codes in groups.items():
        inside = set(codes)
        members = tuple(code for code in scored if code in inside)
        if not members:
            continue
        rest = tuple(code for code in scored if code not in inside)
        summaries.append(
            GroupSummary(
                key=key,
                kind=kind,
                members=members,
                median_index=_median(scores, members, index),
                median_halves={half: _median(scores, members, half) for half in halves},
                stage_counts=_stage_counts(stages, members, ladder),
                rest=rest,
                rest_median_index=_median(scores, rest, index),
                rest_median_halves={half: _median(scores, rest, half) for half in halves},
                rest_stage_counts=_stage_counts(stages, rest, ladder),
            )
        )
    return summaries


# Interoperability


def interoperability_matrix(
    cities: Sequence[str], edges: Iterable[AgreementEdge], domains: Sequence[str], on: dt.date
) -> pd.DataFrame:
    """Cities × domains: the number of other member cities bound with the city in that domain on the date."""
    members = list(dict.fromkeys(cities))
    inside = set(members)
    partners: dict[tuple[str, str], set[str]] = {}
    for edge in select_agreements(edges, on=on):
        bound = inside.intersection(edge.parties)
        for city in bound:
            partners.setdefault((city, edge.domain), set()).update(bound - {city})
    matrix = pd.DataFrame(0, index=members, columns=list(domains), dtype="int64")
    for (city, domain), others in partners.items():
        if domain in matrix.columns:
            matrix.loc[city, domain] = len(others)
    return matrix


def pairs_covered(matrix: pd.DataFrame) -> pd.Series:
    """Per domain, the member pairs bound in it (each pair is counted once from each end of the matrix)."""
    return (matrix.sum(axis=0) // 2).astype("int64")


def fewest_covered_domains(matrix: pd.DataFrame) -> list[str]:
    """Every domain tied at the fewest covered pairs, in the order of the matrix's columns.

    [] without domains, and when every domain ties: then none is weaker than another.
    """
    covered = pairs_covered(matrix)
    if covered.empty or covered.min() == covered.max():
        return []
    fewest = int(covered.min())
    return [str(domain) for domain, count in covered.items() if int(count) == fewest]


def weakest_domains(matrix: pd.DataFrame, limit: int = WEAKEST_DOMAINS) -> list[str]:
    """The domains covering the fewest pairs, fewest first; ties in the order of the matrix's columns."""
    covered = pairs_covered(matrix)
    order = sorted(range(len(covered)), key=lambda i: (int(covered.iloc[i]), i))
    return [str(covered.index[i]) for i in order[:limit]]


# Regional recommendations


class RecommendationLike(Protocol):
    """What the regional synthesis reads of one city's recommendation (`assessment.insight.recommendations`)."""

    @property
    def indicator(self) -> str: ...
    @property
    def dimension(self) -> str: ...
    @property
    def lever(self) -> str: ...
    @property
    def trigger(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def lead_agency(self) -> str: ...
    @property
    def control(self) -> str: ...


@dataclass(frozen=True)
class SharedAction:
    """One indicator recommended to several cities: who needs it, and for whom it blocks the next stage."""

    indicator: str
    dimension: str
    lever: str
    action: str
    lead_agency: str
    control: str
    cities: tuple[str, ...]
    blocking: tuple[str, ...] = field(default=())


def shared_actions(per_city: Mapping[str, Sequence[RecommendationLike]], limit: int) -> list[SharedAction]:
    """The indicators recommended to the most cities, those blocking most stages first.

    The action printed is the one given to most of those cities (the next
    level differs from city to city); ties: the first city's, by code.
    """
    found: dict[str, list[tuple[str, RecommendationLike]]] = {}
    for city in sorted(per_city):
        for item in per_city[city]:
            found.setdefault(item.indicator, []).append((city, item))
    shared = []
    for indicator, items in found.items():
        cities = tuple(dict.fromkeys(city for city, _item in items))
        blocking = tuple(dict.fromkeys(city for city, item in items if item.trigger == "blocks_stage"))
        action = Counter(item.action for _city, item in items if item.action).most_common(1)
        first = items[0][1]
        shared.append(
            SharedAction(
                indicator=indicator,
                dimension=first.dimension,
                lever=first.lever,
                action=action[0][0] if action else "",
                lead_agency=first.lead_agency,
                control=first.control,
                cities=cities,
                blocking=blocking,
            )
        )
    shared.sort(key=lambda item: (-len(item.blocking), -len(item.cities), item.indicator))
    return shared[:limit]


# Key messages


@dataclass(frozen=True)
class KeyMessage:
    """One finding: a key naming its sentence and the numbers and codes the sentence needs."""

    key: str
    parameters: Mapping[str, object]


def early_stages(ladder: Sequence[str]) -> tuple[str, ...]:
    """The ladder's lower half, rounded up (EARLY_LADDER_SHARE)."""
    return tuple(ladder[: math.ceil(len(ladder) * EARLY_LADDER_SHARE)])


def stage_message(stages: pd.Series, ladder: Sequence[str], blockers: Mapping[str, Sequence[str]]) -> KeyMessage | None:
    """How many cities are in the early stages, and the dimension that blocks the next stage of most cities.

    ``blockers``: per city, the dimensions its gap to the next stage runs through.
    """
    if stages.empty or not ladder:
        return None
    early = early_stages(ladder)
    counted = Counter(dimension for city in sorted(blockers) for dimension in dict.fromkeys(blockers[city]))
    blocker, blocked = counted.most_common(1)[0] if counted else ("", 0)
    return KeyMessage(
        "stages",
        {
            "early": sum(1 for stage in stages if stage in early),
            "cities": len(stages),
            "highest_early": early[-1] if early else "",
            "blocker": blocker,
            "blocked": blocked,
        },
    )


def group_message(groups: Sequence[GroupSummary], half: str) -> KeyMessage | None:
    """The sub-region (else the province) furthest from the rest's median on ``half``, if by MIN_GROUP_LEAD.

    Only groups of MIN_GROUP_CITIES scored cities or more are compared.
    """
    for kind in ("subregion", "province"):
        candidates = [
            group
            for group in groups
            if group.kind == kind
            and len(group.members) >= MIN_GROUP_CITIES
            and group.rest
            and not math.isnan(group.lead(half))
        ]
        if not candidates:
            continue
        group = max(candidates, key=lambda item: (abs(item.lead(half)), item.key))
        if abs(group.lead(half)) >= MIN_GROUP_LEAD:
            return KeyMessage(
                "group_lead",
                {
                    "group": group.key,
                    "kind": group.kind,
                    "half": half,
                    "lead": group.lead(half),
                    "median": group.median_halves[half],
                    "rest_median": group.rest_median_halves[half],
                },
            )
    return None


def convergence_message(convergence: Convergence | None) -> KeyMessage | None:
    if convergence is None or math.isnan(convergence.sd_earlier) or math.isnan(convergence.sd_later):
        return None
    return KeyMessage(
        "converging" if convergence.converging else "diverging",
        {
            "node": convergence.node,
            "earlier": convergence.earlier,
            "later": convergence.later,
            "sd_earlier": convergence.sd_earlier,
            "sd_later": convergence.sd_later,
            "cv_earlier": convergence.cv_earlier,
            "cv_later": convergence.cv_later,
            "cities": convergence.cities,
        },
    )


def domain_message(matrix: pd.DataFrame) -> KeyMessage | None:
    """The domains binding the fewest pairs, with how many pairs each binds."""
    if matrix.empty or len(matrix.index) < 2 or len(matrix.columns) == 0:
        return None
    covered = pairs_covered(matrix)
    if covered.min() == covered.max():
        return None  # every domain binds as many pairs: none is the weakest
    # Every domain tied at the fewest pairs is named, even beyond WEAKEST_DOMAINS: naming two of six
    # domains no agreement covers would single them out for no reason.
    weakest = weakest_domains(matrix)
    weakest += [domain for domain in fewest_covered_domains(matrix) if domain not in weakest]
    n = len(matrix.index)
    return KeyMessage(
        "weakest_domains",
        {"domains": tuple(weakest), "pairs": tuple(int(covered[d]) for d in weakest), "possible": n * (n - 1) // 2},
    )


def flow_message(pair: tuple[str, str] | None, coverage: float, flow_share: float) -> KeyMessage | None:
    """The strongest flow with the least digital coverage (from the dual-space gap), if there is one."""
    if pair is None:
        return None
    return KeyMessage("flow_gap", {"pair": pair, "coverage": coverage, "flow_share": flow_share})


def key_messages(candidates: Iterable[KeyMessage | None]) -> list[KeyMessage]:
    """The messages the data support, in the order given, at most MAX_MESSAGES."""
    return [message for message in candidates if message is not None][:MAX_MESSAGES]
