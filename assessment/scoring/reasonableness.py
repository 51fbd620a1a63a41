"""Reasonableness checks of quantitative answers: outliers among the cities, jumps from last period, old data.

Pure Python: no Django.

Verification cannot prove an answer true (the ITU's U4SSC verification says it
cannot defend against methodical misrepresentation); it can point the
verifier at the answers most worth a second look:

- **Outlier**: the robust z-score of a city's raw value among the cities
  answering the same indicator in the campaign, z = 0.6745 (x − median) / MAD
  (Iglewicz and Hoaglin 1993, the "modified z-score"), flagged when
  |z| > ROBUST_Z_LIMIT (3.5, their recommendation), with at least
  MIN_CITIES_FOR_OUTLIERS cities answering and a MAD above zero.
- **Jump**: a change from the city's previous published value larger than
  JUMP_SHARE_OF_RANGE of the indicator's goalpost range (a share of the
  distance between its lower and upper goalposts, so a percentage point and a
  count are judged on their own scales).
- **Old data**: a value whose reference year is more than MAX_DATA_AGE_YEARS
  before the assessed period.
- **Inconsistent**: answers that break one of the framework version's
  consistency rules (stored with the framework: "if W3.2 is at least 4, W3.1
  should be at least 3"), with the rule's own reason.

The limits are defined here and nowhere else; the review page's captions and
the README read them from this module.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ROBUST_Z_LIMIT = 3.5
MIN_CITIES_FOR_OUTLIERS = 5
JUMP_SHARE_OF_RANGE = 0.5
MAX_DATA_AGE_YEARS = 2
# 0.6745 is the 0.75 quantile of the standard normal: it makes the MAD comparable to a standard deviation.
MAD_SCALE = 0.6745


@dataclass(frozen=True)
class Flag:
    """One reason to look again at an answer: its kind and the figures behind it."""

    kind: str  # "outlier", "jump", "old_data"
    value: float
    reference: float  # the campaign median, the previous value, or the period
    measure: float  # the robust z-score, the change, or the age in years


def robust_z_scores(values: Mapping[str, float]) -> dict[str, float]:
    """The modified z-score of every value (key: city); empty when the MAD is zero or too few values."""
    finite = {key: value for key, value in values.items() if math.isfinite(value)}
    if len(finite) < MIN_CITIES_FOR_OUTLIERS:
        return {}
    ordered = sorted(finite.values())
    median = _median(ordered)
    mad = _median(sorted(abs(value - median) for value in ordered))
    if mad == 0:
        return {}
    return {key: MAD_SCALE * (value - median) / mad for key, value in finite.items()}


def _median(ordered: list[float]) -> float:
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def outlier_flags(values: Mapping[str, float]) -> dict[str, Flag]:
    """The cities whose value lies beyond ROBUST_Z_LIMIT among ``values`` (one indicator, the campaign's cities)."""
    scores = robust_z_scores(values)
    if not scores:
        return {}
    median = _median(sorted(values[key] for key in scores))
    return {
        key: Flag("outlier", values[key], median, score) for key, score in scores.items() if abs(score) > ROBUST_Z_LIMIT
    }


def jump_flag(value: float, previous: float | None, lower: float, upper: float) -> Flag | None:
    """A change from ``previous`` larger than JUMP_SHARE_OF_RANGE of the goalpost range, or None."""
    if previous is None or not math.isfinite(previous) or upper <= lower:
        return None
    change = value - previous
    if abs(change) > JUMP_SHARE_OF_RANGE * (upper - lower):
        return Flag("jump", value, previous, change)
    return None


def old_data_flag(value: float, value_year: int | None, period: int) -> Flag | None:
    """A value about a year more than MAX_DATA_AGE_YEARS before the period, or None."""
    if value_year is None or period - value_year <= MAX_DATA_AGE_YEARS:
        return None
    return Flag("old_data", value, float(period), float(period - value_year))


Rule = dict[str, Any]


def rule_breaches(rules: list[Rule], answers: Mapping[str, float | None]) -> list[tuple[Rule, float, float]]:
    """The framework's consistency rules the answers break: (rule, the 'if' answer, the 'then' answer).

    A rule reads: when the "if" indicator reaches its at_least (a level, or a value), the "then"
    indicator should reach its own. An unanswered indicator breaks nothing: it cannot be judged yet.
    """
    breaches = []
    for rule in rules:
        first, second = answers.get(rule["if"]["indicator"]), answers.get(rule["then"]["indicator"])
        if first is None or second is None:
            continue
        if first >= rule["if"]["at_least"] and second < rule["then"]["at_least"]:
            breaches.append((rule, first, second))
    return breaches
