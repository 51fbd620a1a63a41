"""Denomination: an indicator divided by a size measure of the unit, as COINr's ``Denominate()``.

Pure Python: no Django.

x'[u, i] = x[u, i] / d[u, D(i)], where D(i) is the denominator column the
framework names for indicator i (COINr iMeta's ``Denominator``: GDP,
population, area, energy ...) and d holds the units' denominator values
(columns of COINr iData).  Indicators that name none are left as they are.  A
missing denominator value gives a missing result (imputation may fill it
later, flagged); a zero one is refused, naming the unit: a share of nothing
is not a number the later steps can use.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from assessment.scoring.errors import Problem, ScoringInputError

__all__ = ["denominate", "denominators_from_imeta"]


def denominators_from_imeta(imeta: pd.DataFrame) -> dict[str, str]:
    """Indicator code -> denominator column, from iMeta's ``Denominator`` on indicator rows."""
    if "Denominator" not in imeta.columns:
        return {}
    rows = imeta[imeta["Type"].astype("str").str.strip().eq("Indicator")]
    named = rows["Denominator"].astype("str").str.strip()
    present = rows["Denominator"].notna() & named.ne("") & named.ne("nan")
    return dict(zip(rows.loc[present, "iCode"].astype("str").str.strip(), named[present], strict=True))


def denominate(raw: pd.DataFrame, data: pd.DataFrame, denominators: Mapping[str, str]) -> pd.DataFrame:
    """``raw`` with each indicator in ``denominators`` divided by its column of ``data`` (aligned by unit)."""
    problems = [
        Problem(None, column, f"the denominator of {code} is not a column of the data")
        for code, column in denominators.items()
        if code in raw.columns and column not in data.columns
    ]
    if problems:
        raise ScoringInputError(problems)
    result = raw.astype(float).copy()
    for code, column in denominators.items():
        if code not in raw.columns:
            continue
        divisor = pd.to_numeric(data[column].reindex(raw.index), errors="coerce").astype(float)
        zero = divisor.eq(0) & raw[code].notna()
        problems += [Problem(str(unit), column, f"zero denominator for {code}") for unit in raw.index[zero.to_numpy()]]
        with np.errstate(invalid="ignore", divide="ignore"):
            result[code] = raw[code] / divisor
    if problems:
        raise ScoringInputError(problems)
    return result
