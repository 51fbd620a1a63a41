"""Peer groups: cities compared with cities like them, not only with their region.

Pure Python: no Django.

A small Yangtze Delta city learns little from ranking below Shanghai. As the
IMD Smart City Index rates cities within groups of like development, a peer
group here is a rule over a city's attributes, kept as data
(fixtures/peer_groups.csv, or imported): a category (administrative level,
province) or a band of a number (resident population, or any imported
attribute such as GDP per head), the band half-open, [minimum, maximum).

A group is shown only when at least PEER_GROUP_MINIMUM of its members have
published results for the period: a position among three says little, and a
rating of two would be a coin toss. Within a group each city gets its rank
(ties share the best rank) and a rating on the IMD's ten steps, AAA to D,
from its percentile rank in the group: the share of the other members it
scores above, ties counted half. The limits are defined here and nowhere
else; captions read them from this module.
"""

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PEER_GROUP_MINIMUM = 5
# Best first; each step covers a tenth of the percentile range (AAA: the top tenth).
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
CATEGORY_ATTRIBUTES = ("level", "province")


@dataclass(frozen=True)
class PeerRule:
    """Who is in a group: ``attribute`` in ``values`` (a category) or in [minimum, maximum) (a number)."""

    attribute: str
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def admits(self, attributes: Mapping[str, object]) -> bool:
        value = attributes.get(self.attribute)
        if value is None or value == "":
            return False
        if self.values:
            return str(value) in self.values
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        if math.isnan(number):
            return False
        if self.minimum is not None and number < self.minimum:
            return False
        return not (self.maximum is not None and number >= self.maximum)


def rating_for(percentile: float) -> str:
    """The IMD-style step for a percentile rank in [0, 1]: AAA for the top tenth ... D for the bottom."""
    step = min(int((1 - percentile) * len(RATINGS)), len(RATINGS) - 1)
    return RATINGS[max(step, 0)]


@dataclass(frozen=True)
class PeerPosition:
    """Where a city stands among its group's members with a published index."""

    members_scored: int
    rank: int
    percentile: float  # share of the other scored members it is above, ties counted half
    rating: str
    median: float
    best: float
    city_score: float

    @property
    def shown(self) -> bool:
        return self.members_scored >= PEER_GROUP_MINIMUM


def peer_position(scores: Mapping[str, float], city: str) -> PeerPosition | None:
    """The city's position among ``scores`` (member code -> index); None when the city has no score."""
    scored = {code: value for code, value in scores.items() if value is not None and not math.isnan(value)}
    if city not in scored:
        return None
    own = scored[city]
    others: Sequence[float] = [value for code, value in scored.items() if code != city]
    above = sum(1 for value in others if value < own)
    ties = sum(1 for value in others if value == own)
    percentile = (above + ties / 2) / len(others) if others else 1.0
    rank = 1 + sum(1 for value in others if value > own)
    return PeerPosition(
        members_scored=len(scored),
        rank=rank,
        percentile=percentile,
        rating=rating_for(percentile),
        median=statistics.median(scored.values()),
        best=max(scored.values()),
        city_score=own,
    )
