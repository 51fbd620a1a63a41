"""Denomination: an indicator divided by a size measure of the unit, as COINr's ``Denominate()``.

Pure Python: no Django.

x'[u, i] = x[u, i] / d[u, D(i)], where D(i) is the denominator column the
framework names for indicator i (COINr iMeta's ``Denominator``: GDP,
population, area, energy ...) and d holds the units' denominator values
(columns of COINr iData).  Indicators that name none are left as they are.  A
missing or zero denominator value gives a missing result, flagged in the
returned flag frame ("missing denominator" / "zero denominator"), so the gap
is never read as measured (imputation may fill it later, flagged as imputed).
COINr's ``Denominate()`` divides as R does, giving ``Inf`` for a zero; a
share of nothing is not a number the later steps can use, so it is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from assessment.scoring.errors import Problem, ScoringInputError

__all__ = ["denominate"]


def denominate(
    raw: pd.DataFrame, data: pd.DataFrame, denominators: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``raw`` with each indicator in ``denominators`` divided by its column of ``data``, and the flag frame.

    Rows align by unit.  The flag frame says per cell why a measured value became
    missing ("missing denominator", "zero denominator"); "" elsewhere.
    """
    problems = [
        Problem(None, column, f"the denominator of {code} is not a column of the data")
        for code, column in denominators.items()
        if code in raw.columns and column not in data.columns
    ]
    if problems:
        raise ScoringInputError(problems)
    result = raw.astype(float).copy()
    flags = pd.DataFrame("", index=raw.index, columns=raw.columns, dtype="str")
    for code, column in denominators.items():
        if code not in raw.columns:
            continue
        divisor = pd.to_numeric(data[column].reindex(raw.index), errors="coerce").astype(float)
        measured = raw[code].notna()
        flags.loc[measured & divisor.isna(), code] = "missing denominator"
        flags.loc[measured & divisor.eq(0), code] = "zero denominator"
        with np.errstate(invalid="ignore", divide="ignore"):
            result[code] = (raw[code] / divisor).where(divisor.ne(0))
    return result, flags
