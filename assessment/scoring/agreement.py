"""Agreement between two raters who answered the same level indicators blind.

Pure Python: no Django.

Level answers are ordinal (0 to 5), so a disagreement of one level is not as
bad as one of four: agreement is Cohen's weighted kappa (Cohen 1968),

    kappa_w = 1 - sum(w_ij * O_ij) / sum(w_ij * E_ij)

with O the observed proportions of the pairs (i, j), E the proportions
expected by chance from the two raters' own distributions, and linear
weights w_ij = |i - j| / (k - 1) over the k = 6 levels (quadratic weights
(i - j)^2 / (k - 1)^2 are the other common choice; linear keeps a
one-level difference at a fifth of the worst). 1 is full agreement,
0 agreement no better than chance. Kappa is undefined when chance alone
predicts no disagreement (both raters put every item at one and the same
level); the report then says so instead of printing a number.

A dimension's kappa rests on its few level indicators (three to six), so the
report prints the number of pairs beside it and the indicators that differ,
which are what the two consultants talk through. The floor below which a
dimension is flagged for that talk is SUBSTANTIAL_AGREEMENT, the lower bound
of "substantial" agreement in Landis and Koch (1977). The limits are defined
here and nowhere else; the page's captions read them from this module.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

LEVELS = tuple(range(6))
KAPPA_WEIGHTS = "linear"
SUBSTANTIAL_AGREEMENT = 0.6


def disagreement_weight(first: int, second: int, weights: str = KAPPA_WEIGHTS, levels: int = len(LEVELS)) -> float:
    """How much a pair (first, second) counts as disagreement, 0 for equal levels and 1 for the extremes."""
    share = abs(first - second) / (levels - 1)
    if weights == "linear":
        return share
    if weights == "quadratic":
        return share**2
    raise ValueError(f"unknown kappa weights: {weights!r} (linear or quadratic)")


def weighted_kappa(pairs: Sequence[tuple[int, int]], weights: str = KAPPA_WEIGHTS) -> float:
    """Cohen's weighted kappa of (first rater, second rater) level pairs; NaN when it is undefined."""
    if not pairs:
        return math.nan
    n = len(pairs)
    for first, second in pairs:
        if first not in LEVELS or second not in LEVELS:
            raise ValueError(f"levels are 0 to 5, got {(first, second)}")
    first_share = {level: sum(1 for a, _ in pairs if a == level) / n for level in LEVELS}
    second_share = {level: sum(1 for _, b in pairs if b == level) / n for level in LEVELS}
    observed = sum(disagreement_weight(a, b, weights) for a, b in pairs) / n
    expected = sum(
        first_share[i] * second_share[j] * disagreement_weight(i, j, weights) for i in LEVELS for j in LEVELS
    )
    if expected == 0:
        return math.nan
    return 1 - observed / expected


@dataclass(frozen=True)
class Difference:
    """An indicator the two raters put at different levels."""

    indicator: str
    first: int
    second: int

    @property
    def gap(self) -> int:
        return abs(self.first - self.second)


@dataclass(frozen=True)
class GroupAgreement:
    """Agreement over one group of indicators (a dimension, or all of them)."""

    group: str
    pairs: int
    exact: float  # share of pairs at the same level
    within_one: float  # share of pairs at most one level apart
    kappa: float  # NaN when undefined
    differences: tuple[Difference, ...]

    @property
    def kappa_defined(self) -> bool:
        return not math.isnan(self.kappa)

    @property
    def below_floor(self) -> bool:
        """Flagged for the raters to talk through: kappa below the floor, or undefined with a difference."""
        if self.kappa_defined:
            return self.kappa < SUBSTANTIAL_AGREEMENT
        return bool(self.differences)


def group_agreement(
    group: str, answers: Iterable[tuple[str, int, int]], weights: str = KAPPA_WEIGHTS
) -> GroupAgreement:
    """Agreement over (indicator, first level, second level) triples; indicators either rater left open are skipped."""
    rows = list(answers)
    pairs = [(first, second) for _, first, second in rows]
    n = len(pairs)
    differences = tuple(
        sorted(
            (Difference(code, first, second) for code, first, second in rows if first != second),
            key=lambda d: (-d.gap, d.indicator),
        )
    )
    return GroupAgreement(
        group=group,
        pairs=n,
        exact=sum(1 for a, b in pairs if a == b) / n if n else math.nan,
        within_one=sum(1 for a, b in pairs if abs(a - b) <= 1) / n if n else math.nan,
        kappa=weighted_kappa(pairs, weights),
        differences=differences,
    )


def agreement_by_group(
    first: Mapping[str, int | None],
    second: Mapping[str, int | None],
    group_of: Mapping[str, str],
    overall: str = "",
    weights: str = KAPPA_WEIGHTS,
) -> list[GroupAgreement]:
    """Agreement per group (in the order groups first appear in group_of), then over every indicator as ``overall``.

    Only indicators both raters answered with a level count: one rater's
    "not applicable" or blank leaves the indicator out of both sides.
    """
    both: dict[str, tuple[int, int]] = {}
    for code in group_of:
        a, b = first.get(code), second.get(code)
        if a is not None and b is not None:
            both[code] = (int(a), int(b))
    groups = list(dict.fromkeys(group_of.values()))
    result = [
        group_agreement(group, ((code, a, b) for code, (a, b) in both.items() if group_of[code] == group), weights)
        for group in groups
    ]
    result.append(group_agreement(overall, ((code, a, b) for code, (a, b) in both.items()), weights))
    return result
