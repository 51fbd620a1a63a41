"""Imputation of missing raw values, always flagged.

Imputation works on raw values (the indicator's own unit), before
normalisation, so that the filled value is normalised like any other.

* ``group_mean``: a missing x[u, i] becomes the mean of x[v, i] over the
  units v of u's group (e.g. region) that have a value; it stays missing if
  none has, or if u has no group.
* ``previous_period``: a missing x[u, i] becomes u's value of i in the
  previous period, if there is one.
* ``regression``: a missing x[u, i] becomes the least-squares prediction of
  indicator i from the indicators every unit has (with an intercept),
  fitted on the units that have i.  One pass, no iteration: predictors are
  only indicators measured everywhere, so no imputed value feeds another.  An
  indicator stays missing when fewer than two such predictors exist or fewer
  units than predictors + 2 have it (the fit would be exact, not estimated).

Methods are applied in the order given; each filled cell is flagged with the
name of the method that filled it, and the engine returns the flags with the
results so an imputed value is never shown as measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from assessment.scoring.errors import Problem, ScoringInputError

__all__ = [
    "IMPUTATION_METHODS",
    "ImputationMethod",
    "impute",
    "impute_group_mean",
    "impute_previous_period",
    "impute_regression",
]

ImputationMethod = Literal["group_mean", "previous_period", "regression"]
IMPUTATION_METHODS: tuple[str, ...] = get_args(ImputationMethod)


def impute_group_mean(raw: pd.DataFrame, groups: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing cells with the group mean; return the filled frame and the filled-cell mask."""
    aligned = groups.reindex(raw.index)
    means = raw.groupby(aligned, dropna=True).transform("mean")
    means = means.reindex(index=raw.index, columns=raw.columns)
    filled = raw.fillna(means)
    return filled, raw.isna() & filled.notna()


def impute_previous_period(raw: pd.DataFrame, previous: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing cells with the same unit's value in ``previous``; return the frame and mask."""
    earlier = previous.reindex(index=raw.index, columns=raw.columns).apply(pd.to_numeric, errors="coerce")
    filled = raw.fillna(earlier)
    return filled, raw.isna() & filled.notna()


def impute_regression(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing cells by regression on the fully measured indicators (module docstring); frame and mask."""
    complete = [code for code in raw.columns if raw[code].notna().all()]
    filled = raw.copy()
    if len(complete) >= 2:
        design = np.column_stack([np.ones(len(raw)), raw[complete].to_numpy(dtype=float)])
        for code in raw.columns:
            missing = raw[code].isna().to_numpy()
            if not missing.any() or (~missing).sum() < len(complete) + 2:
                continue
            observed = raw[code].to_numpy(dtype=float)[~missing]
            coefficients, *_ = np.linalg.lstsq(design[~missing], observed, rcond=None)
            column = filled[code].to_numpy(dtype=float, copy=True)
            column[missing] = design[missing] @ coefficients
            filled[code] = column
    return filled, raw.isna() & filled.notna()


def impute(
    raw: pd.DataFrame,
    methods: Sequence[str],
    *,
    groups: pd.Series | None = None,
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``methods`` in order.

    Returns the filled frame and a frame of the same shape holding, for every
    filled cell, the name of the method that filled it (missing elsewhere).
    """
    problems = [
        Problem(
            None,
            "imputation",
            f"unknown method '{name}'; use one of {', '.join(IMPUTATION_METHODS)}",
        )
        for name in methods
        if name not in IMPUTATION_METHODS
    ]
    if "group_mean" in methods and groups is None:
        problems.append(Problem(None, "groups", "group-mean imputation needs a group for each unit"))
    if "previous_period" in methods and previous is None:
        problems.append(Problem(None, "previous", "previous-period imputation needs the previous period's data"))
    if problems:
        raise ScoringInputError(problems)
    flags = np.full(raw.shape, None, dtype=object)
    filled = raw
    for name in methods:
        if name == "group_mean":
            assert groups is not None
            filled, newly = impute_group_mean(filled, groups)
        elif name == "regression":
            filled, newly = impute_regression(filled)
        else:
            assert previous is not None
            filled, newly = impute_previous_period(filled, previous)
        flags[newly.to_numpy()] = name
    return filled, pd.DataFrame(flags, index=raw.index, columns=raw.columns, dtype="str")
