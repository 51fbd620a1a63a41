"""Outlier treatment, as COINr 1.1.14's ``Treat()`` does it by default.

Pure Python: no Django.

Per indicator (a column of raw values, after imputation, before normalisation;
missing values are ignored throughout, COINr's ``na.rm = TRUE``):

1. The check (COINr ``check_SkewKurt``): the column passes when
   |skew| < ``skew_threshold`` or kurtosis < ``kurtosis_threshold`` (2 and 3.5).
   Skew and kurtosis are COINr's ``skew`` and ``kurt`` (taken there from
   e1071's type-2 estimators, the sample-adjusted ones spreadsheet SKEW and KURT
   give): with d = x - mean(x) over the n present values,

       skew = sqrt(n) * sum(d^3) / sum(d^2)^(3/2) * sqrt(n (n - 1)) / (n - 2)
       kurt = ((n + 1) (r - 3) + 6) (n - 1) / ((n - 2)(n - 3)),  r = n sum(d^4) / sum(d^2)^2

   A column whose check cannot be computed (fewer than four values, or all
   equal) is left untreated, as COINr does when the check returns NA.
2. A failing column is winsorised (COINr ``winsorise``): while it fails and
   fewer than ``winsorise_max`` points are winsorised, every value equal to the
   extreme at the end the skew points to (the maximum when skew >= 0) takes the
   next value inwards.  The count is COINr's: the number of points set in the
   last step on each side, which, because every earlier point now equals the
   extreme, counts all points moved on that side.
3. If it still fails, winsorisation is dropped and COINr's ``log_CT`` is applied
   to the original values (``combine_treat = FALSE``):
   x -> log(x - min(x) + 0.01 (max(x) - min(x))).  Its result is kept whether or
   not it passes.

Returns the treated frame, a frame naming the treatment of each changed cell
("winsorised_high", "winsorised_low", "log_CT"; empty elsewhere) and a table
per indicator, so a treated value is never shown as measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assessment.scoring.errors import Problem, ScoringInputError

__all__ = ["Treatment", "kurtosis", "skewness", "treat"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Treatment:
    """COINr ``Treat()``'s defaults; ``log_transform=False`` stops after winsorising."""

    winsorise_max: int = 5
    skew_threshold: float = 2.0
    kurtosis_threshold: float = 3.5
    log_transform: bool = True

    @classmethod
    def parse(cls, text: str, skew: float | None = None, kurtosis: float | None = None) -> Treatment:
        """``coinr`` (the defaults) or ``winsorise:N`` (winsorise up to N points, no log transformation)."""
        base = cls()
        skew_threshold = base.skew_threshold if skew is None else float(skew)
        kurtosis_threshold = base.kurtosis_threshold if kurtosis is None else float(kurtosis)
        name, _, argument = text.partition(":")
        if name == "coinr" and not argument:
            return cls(skew_threshold=skew_threshold, kurtosis_threshold=kurtosis_threshold)
        if name == "winsorise" and argument.isdigit() and int(argument) > 0:
            return cls(int(argument), skew_threshold, kurtosis_threshold, log_transform=False)
        raise ScoringInputError([Problem(None, "treat", f"'{text}': use coinr or winsorise:N (N a whole number > 0)")])


def skewness(values: FloatArray) -> float:
    """COINr's ``skew`` over the present values; NaN with fewer than three or no spread."""
    x = values[~np.isnan(values)]
    n = x.size
    if n < 3:
        return float("nan")
    d = x - x.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.sqrt(n) * np.sum(d**3) / np.sum(d**2) ** 1.5
    return float(y * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(values: FloatArray) -> float:
    """COINr's ``kurt`` (excess kurtosis) over the present values; NaN with fewer than four or no spread."""
    x = values[~np.isnan(values)]
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * np.sum(d**4) / np.sum(d**2) ** 2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def _passes(values: FloatArray, treatment: Treatment) -> bool | None:
    """COINr's check, with R's three-valued "or": unknown only when neither side is true."""
    skew, kurt = skewness(values), kurtosis(values)
    skew_ok = None if np.isnan(skew) else abs(skew) < treatment.skew_threshold
    kurt_ok = None if np.isnan(kurt) else kurt < treatment.kurtosis_threshold
    if skew_ok or kurt_ok:
        return True
    if skew_ok is None or kurt_ok is None:
        return None
    return False


def _winsorise(values: FloatArray, treatment: Treatment) -> tuple[FloatArray, int, NDArray[np.object_]]:
    """COINr's ``winsorise``: the values, the points winsorised and each point's flag."""
    x = values.copy()
    high: NDArray[np.intp] = np.array([], dtype=np.intp)
    low: NDArray[np.intp] = np.array([], dtype=np.intp)
    count = 0
    passing = _passes(x, treatment)
    # Stop when the check turns unknown (all values now equal): COINr's loop would stop on an
    # error there; the caller then leaves the column untreated, as COINr does for an unknown check.
    while passing is False and count < treatment.winsorise_max:
        if skewness(x) >= 0:
            high = np.flatnonzero(x == np.nanmax(x))
            others = np.delete(x, high)
            x[high] = np.nanmax(others)
        else:
            low = np.flatnonzero(x == np.nanmin(x))
            others = np.delete(x, low)
            x[low] = np.nanmin(others)
        count = high.size + low.size
        passing = _passes(x, treatment)
    flags = np.full(x.shape, "", dtype=object)
    flags[high] = "winsorised_high"
    flags[low] = "winsorised_low"
    return x, count, flags


def _log_ct(values: FloatArray) -> FloatArray:
    """COINr's ``log_CT``: log(x - min + 0.01 (max - min)); missing stays missing."""
    low, high = np.nanmin(values), np.nanmax(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.log(values - low + 0.01 * (high - low))
    return result


def treat(raw: pd.DataFrame, treatment: Treatment | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Treat every column (module docstring): the treated frame, the per-cell flags, the per-indicator details.

    Details columns: skew and kurtosis before and after, passed_before,
    winsorised (points), transformation ("" or "log_CT"), passed_after
    (False, True, or missing when the check cannot be computed).
    """
    treatment = treatment or Treatment()
    treated = raw.astype(float).copy()
    flags = pd.DataFrame("", index=raw.index, columns=raw.columns, dtype="object")
    rows = []
    for code in raw.columns:
        x = raw[code].to_numpy(dtype=np.float64, na_value=np.nan)
        before = _passes(x, treatment)
        result, count, transformation, cell_flags = x, 0, "", np.full(x.shape, "", dtype=object)
        if before is False:
            winsorised, count, winsorised_flags = _winsorise(x, treatment)
            winsorised_passes = _passes(winsorised, treatment)
            if winsorised_passes is None:
                # COINr returns the column untreated when its check turns unknown.
                count = 0
            elif winsorised_passes or not treatment.log_transform:
                result, cell_flags = winsorised, winsorised_flags
            else:
                logged = _log_ct(x)
                if _passes(logged, treatment) is None:
                    count = 0
                else:
                    result, count, transformation = logged, 0, "log_CT"
                    cell_flags = np.where(np.isnan(x), "", "log_CT").astype(object)
        treated[code] = result
        flags[code] = cell_flags
        after = _passes(result, treatment)
        rows.append(
            {
                "code": code,
                "skew_before": skewness(x),
                "kurtosis_before": kurtosis(x),
                "passed_before": before,
                "winsorised": count,
                "transformation": transformation,
                "skew_after": skewness(result),
                "kurtosis_after": kurtosis(result),
                "passed_after": after,
            }
        )
    details = pd.DataFrame(rows).set_index("code")
    details["passed_before"] = details["passed_before"].astype("boolean")
    details["passed_after"] = details["passed_after"].astype("boolean")
    return treated, flags, details
