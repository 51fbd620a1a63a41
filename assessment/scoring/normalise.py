"""Normalisation: bring every indicator onto a common scale, higher is better.

Each indicator is first multiplied by its direction, y = d * x (d = +1 or -1,
x in the indicator's raw unit), so that after normalisation higher is always
better.  Then, per indicator, over the compared set of units (missing values
ignored):

* ``minmax`` to [a, b]:   n = (y - min y) / (max y - min y) * (b - a) + a
* ``zscore`` (m, s):      n = (y - mean y) / sd y * s + m, sd with n - 1
* ``goalposts`` [L, U] in raw units, clipped, on [a, b] (default 0-100):
                          n = clip((x - L) / (U - L), 0, 1) * (b - a) + a   for d = +1
                          n = clip((U - x) / (U - L), 0, 1) * (b - a) + a   for d = -1
  The only method whose result for one unit does not depend on the others:
  the default for a maturity framework, so a city's score does not move when
  another city joins the comparison.
* ``distance_to_target`` T in raw units, t = d * T:
                          n = (y - min y) / (t - min y) * (b - a) + a, capped at b
* ``rank``:               n = rank of y, ascending, ties share the lowest ("min")
* ``percentile``:         n = (rank - 1) / (count - 1) * (b - a) + a
* ``none``:               n = y

Normalised values are unitless points (0-100 unless [a, b] says otherwise).
All methods but rank and percentile are affine per indicator, so a fit stores
``origin``, ``span``, ``width``, ``base`` and clip bounds with

    n = clip((d * x - origin) / span * width + base, clip_low, clip_high)

which lets the engine re-normalise a single changed value (what-if, gap to
the next rung) and invert a normalised target back to raw units.  An
indicator whose span is zero (every unit has the same value) or that has no
data normalises to missing, as in COINr, and the fit reports a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.ranks import rank_descending
from assessment.scoring.tree import FrameworkTree

__all__ = [
    "NORMALISATION_METHODS",
    "FittedNormalisation",
    "Normalisation",
    "NormalisationMethod",
    "fit_normalisation",
    "normalise_indicators",
]

NormalisationMethod = Literal["minmax", "zscore", "goalposts", "distance_to_target", "rank", "percentile", "none"]
NORMALISATION_METHODS: tuple[str, ...] = get_args(NormalisationMethod)

FloatArray = NDArray[np.float64]

# Methods whose output is on the bounded [a, b] scale the stage ladder reads.
_BOUNDED = frozenset({"minmax", "goalposts", "distance_to_target", "percentile"})
_AFFINE = frozenset({"minmax", "zscore", "goalposts", "distance_to_target", "none"})


@dataclass(frozen=True, slots=True)
class Normalisation:
    """A normalisation method and its parameters.

    ``low``/``high`` are [a, b] for minmax, goalposts, distance to target and
    percentile, and (mean, sd) for zscore.
    """

    method: NormalisationMethod = "goalposts"
    low: float = 0.0
    high: float = 100.0
    cap: bool = True

    @classmethod
    def parse(cls, text: str) -> Normalisation:
        """Parse ``method[:p1,p2]``, e.g. ``minmax:1,100``, ``zscore``, ``goalposts``.

        Raises `ScoringInputError` (column ``normalisation``) on a bad spec.
        """
        name, _, arguments = text.strip().partition(":")
        name = name.strip().lower().replace("-", "_")
        if name not in NORMALISATION_METHODS:
            raise ScoringInputError(
                [
                    Problem(
                        None,
                        "normalisation",
                        f"unknown method '{name}'; use one of {', '.join(NORMALISATION_METHODS)}",
                    )
                ]
            )
        method = cast(NormalisationMethod, name)
        if not arguments:
            return cls(method, *_default_bounds(method))
        try:
            low, high = (float(part) for part in arguments.split(","))
        except ValueError:
            raise ScoringInputError(
                [
                    Problem(
                        None,
                        "normalisation",
                        f"'{text}': parameters must be two numbers, e.g. {name}:0,100",
                    )
                ]
            ) from None
        spec = cls(method, low, high)
        spec.check()
        return spec

    def check(self) -> None:
        """Raise `ScoringInputError` if the parameters cannot work."""
        if self.method == "zscore" and not self.high > 0:
            raise ScoringInputError([Problem(None, "normalisation", "zscore needs a positive sd")])
        if self.method in _BOUNDED and not self.low < self.high:
            raise ScoringInputError([Problem(None, "normalisation", f"{self.method} needs low < high")])

    @property
    def is_bounded(self) -> bool:
        """True when the output lies on the closed interval [low, high]."""
        return self.method in _BOUNDED

    @property
    def label(self) -> str:
        if self.method in ("minmax", "zscore"):
            return f"{self.method}:{self.low:g},{self.high:g}"
        return self.method


def _default_bounds(method: NormalisationMethod) -> tuple[float, float]:
    return (0.0, 1.0) if method in ("zscore", "none", "rank") else (0.0, 100.0)


@dataclass(frozen=True, eq=False)
class FittedNormalisation:
    """Per-indicator parameters fitted on the compared set (arrays over indicators)."""

    codes: tuple[str, ...]
    methods: tuple[str, ...]
    direction: FloatArray
    origin: FloatArray
    span: FloatArray
    width: FloatArray
    base: FloatArray
    clip_low: FloatArray
    clip_high: FloatArray
    affine: NDArray[np.bool_]
    warnings: tuple[str, ...]

    def apply(self, raw: FloatArray) -> FloatArray:
        """Normalise raw values (..., indicators) with the fitted affine parameters.

        Rank and percentile columns cannot be re-applied to new values; they
        come out missing here (use `fit_normalisation` on the whole set).
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = (raw * self.direction - self.origin) / self.span * self.width + self.base
        clipped: FloatArray = np.clip(scaled, self.clip_low, self.clip_high)
        return np.where(self.affine, clipped, np.nan)

    def invert(self, normalised: FloatArray) -> FloatArray:
        """Raw values that normalise to ``normalised`` (ignoring the clip)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = ((normalised - self.base) / self.width * self.span + self.origin) * self.direction
        return np.where(self.affine, raw, np.nan)


def fit_normalisation(
    raw: FloatArray,
    tree: FrameworkTree,
    normalisation: Normalisation,
    overrides: Mapping[str, Normalisation] | None = None,
) -> tuple[FloatArray, FittedNormalisation]:
    """Normalise ``raw`` (units x indicators, tree indicator order).

    Returns the normalised matrix and the fitted parameters.  Raises
    `ScoringInputError` when a method lacks what it needs (goalposts, target).
    """
    overrides = dict(overrides or {})
    codes = tree.indicator_codes
    problems = [
        Problem(code, "normalisation", "not an indicator of the framework")
        for code in sorted(set(overrides) - set(codes))
    ]
    n_indicators = len(codes)
    if overrides:
        specs = [overrides.get(code, normalisation) for code in codes]
        for spec in set(specs):
            spec.check()
        methods = np.array([spec.method for spec in specs])
        lows = np.array([spec.low for spec in specs], dtype=np.float64)
        highs = np.array([spec.high for spec in specs], dtype=np.float64)
        capped = np.array([spec.cap for spec in specs])
    else:
        normalisation.check()
        methods = np.full(n_indicators, normalisation.method)
        lows = np.full(n_indicators, normalisation.low)
        highs = np.full(n_indicators, normalisation.high)
        capped = np.full(n_indicators, normalisation.cap)
    attributes = tree.indicator_arrays
    direction = attributes.direction
    is_goalposts = methods == "goalposts"
    is_target = methods == "distance_to_target"
    is_minmax = methods == "minmax"
    is_zscore = methods == "zscore"
    affine = np.isin(methods, list(_AFFINE))

    no_goalposts = is_goalposts & np.isnan(attributes.lower)
    problems.extend(
        Problem(codes[i], "lower", "goalposts normalisation needs lower and upper goalposts")
        for i in np.flatnonzero(no_goalposts)
    )
    no_target = is_target & np.isnan(attributes.target)
    problems.extend(
        Problem(codes[i], "target", "distance-to-target normalisation needs a target")
        for i in np.flatnonzero(no_target)
    )
    if problems:
        raise ScoringInputError(problems)

    oriented = raw * direction
    count = np.count_nonzero(~np.isnan(raw), axis=0)
    observed_min = np.full(n_indicators, np.nan)
    observed_max = np.full(n_indicators, np.nan)
    needs_range = (is_minmax | is_target) & (count > 0)
    if needs_range.any():
        observed_min[needs_range] = np.nanmin(oriented[:, needs_range], axis=0)
        observed_max[needs_range] = np.nanmax(oriented[:, needs_range], axis=0)

    origin = np.zeros(n_indicators)
    span = np.ones(n_indicators)
    width = np.ones(n_indicators)
    base = np.zeros(n_indicators)
    on_scale = is_goalposts | is_target | is_minmax
    width[on_scale] = (highs - lows)[on_scale]
    base[on_scale] = lows[on_scale]
    origin[is_goalposts] = np.where(direction == 1, attributes.lower, -attributes.upper)[is_goalposts]
    span[is_goalposts] = (attributes.upper - attributes.lower)[is_goalposts]
    origin[is_minmax | is_target] = observed_min[is_minmax | is_target]
    span[is_minmax] = (observed_max - observed_min)[is_minmax]
    span[is_target] = (attributes.target * direction - observed_min)[is_target]
    enough = is_zscore & (count > 1)
    if enough.any():
        origin[enough] = np.nanmean(oriented[:, enough], axis=0)
        span[enough] = np.nanstd(oriented[:, enough], axis=0, ddof=1)
    span[is_zscore & ~enough] = np.nan
    width[is_zscore] = highs[is_zscore]
    base[is_zscore] = lows[is_zscore]
    clip_low = np.where(is_goalposts, lows, -np.inf)
    clip_high = np.where(is_goalposts | (is_target & capped), highs, np.inf)

    with np.errstate(invalid="ignore", divide="ignore"):
        normalised = (oriented - origin) / span * width + base
    # np.clip is several times slower than these, even with infinite bounds.
    if np.isfinite(clip_high).any():
        np.minimum(normalised, clip_high, out=normalised)
    if np.isfinite(clip_low).any():
        np.maximum(normalised, clip_low, out=normalised)
    degenerate = affine & ~((span > 0) & np.isfinite(span))
    if degenerate.any():
        normalised[:, degenerate] = np.nan
    ordinal = ~affine
    if ordinal.any():
        normalised[:, ordinal] = _ordinal(oriented[:, ordinal], methods[ordinal], lows[ordinal], highs[ordinal])
    warnings: list[str] = []
    for position in np.flatnonzero(degenerate | (count == 0)):
        code = codes[position]
        if count[position] == 0:
            warnings.append(f"{code}: no data; the indicator is missing for every unit")
        elif is_target[position]:
            warnings.append(f"{code}: the target is not above the worst value; scores are missing")
        else:
            warnings.append(f"{code}: every unit has the same value; the normalised indicator is missing")

    fitted = FittedNormalisation(
        codes=codes,
        methods=tuple(str(method) for method in methods),
        direction=direction,
        origin=origin,
        span=span,
        width=width,
        base=base,
        clip_low=clip_low,
        clip_high=clip_high,
        affine=affine,
        warnings=tuple(warnings),
    )
    return normalised, fitted


def _ordinal(oriented: FloatArray, methods: NDArray[np.str_], lows: FloatArray, highs: FloatArray) -> FloatArray:
    ascending_rank = rank_descending(-oriented, axis=0)
    count = (~np.isnan(oriented)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        percentile = (ascending_rank - 1.0) / (count - 1.0) * (highs - lows) + lows
    result: FloatArray = np.where(methods == "percentile", percentile, ascending_rank)
    return result


def normalise_indicators(
    raw: pd.DataFrame,
    tree: FrameworkTree,
    normalisation: Normalisation | str = "goalposts",
    overrides: Mapping[str, Normalisation] | None = None,
) -> pd.DataFrame:
    """Normalise a units x indicators frame; convenience over `fit_normalisation`."""
    spec = Normalisation.parse(normalisation) if isinstance(normalisation, str) else normalisation
    values = raw.loc[:, list(tree.indicator_codes)].to_numpy(dtype=np.float64, na_value=np.nan)
    normalised, _ = fit_normalisation(values, tree, spec, overrides)
    return pd.DataFrame(normalised, index=raw.index, columns=list(tree.indicator_codes))
