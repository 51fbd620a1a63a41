"""Statistics a methodologist expects of a composite indicator.

Per indicator, over the units with a value (n of N units):

    coverage  = n / N                                     (share, 0-1)
    mean      = sum x / n
    sd        = sqrt(sum (x - mean)^2 / (n - 1))          (sample standard deviation)
    min, max
    skew      = n / ((n - 1)(n - 2)) * sum ((x - mean) / sd)^3      (adjusted Fisher-Pearson, G1)
    kurtosis  = n(n + 1) / ((n - 1)(n - 2)(n - 3)) * sum ((x - mean) / sd)^4
                - 3 (n - 1)^2 / ((n - 2)(n - 3))                   (excess, G2)

all in the indicator's unit (raw) or in points (normalised); skew and
kurtosis are unitless and missing below 3 and 4 values.  The same
definitions as Excel's SKEW and KURT, and pandas.

Correlation with parent: Pearson's r between a node's normalised score and
its parent's aggregate score, over units with both.

Cronbach's alpha of an aggregate with k children (unitless, <= 1), over
the units with every child present (listwise, as COINr does):

    alpha = k / (k - 1) * (1 - sum(var(child)) / var(sum of children))

First principal component's share of an aggregate's k children, over the
same listwise-complete units (COINr's ``get_PCA`` on standardised data):

    pc1_share = lambda_1 / k

with lambda_1 the largest eigenvalue of the children's correlation matrix
(1 when the children are perfectly correlated, 1/k when uncorrelated).

Correlation matrix: Pearson's r of every pair of columns over the units
with both values (pairwise complete, COINr's ``get_corr`` default), NaN
below a minimum number of such units or when a column is constant there.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from assessment.scoring.engine import ScoreResult

__all__ = [
    "correlation_matrix",
    "correlation_with_parent",
    "cronbach_alpha",
    "describe_indicators",
    "first_component_share",
]


def describe_indicators(result: ScoreResult, values: Literal["raw", "normalised"] = "raw") -> pd.DataFrame:
    """Per indicator: coverage, n, mean, sd, min, max, skew, kurtosis, corr_with_parent."""
    frame = result.raw if values == "raw" else result.normalised
    matrix = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(matrix)
    count = present.sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(matrix, axis=0) / count
        deviation = np.where(present, matrix - mean, 0.0)
        variance = (deviation**2).sum(axis=0) / (count - 1)
        sd = np.sqrt(variance)
        standard = deviation / sd
        skew = count / ((count - 1) * (count - 2)) * (standard**3).sum(axis=0)
        kurtosis = count * (count + 1) / ((count - 1) * (count - 2) * (count - 3)) * (standard**4).sum(axis=0) - 3 * (
            count - 1
        ) ** 2 / ((count - 2) * (count - 3))
    skew = np.where((count >= 3) & (sd > 0), skew, np.nan)
    kurtosis = np.where((count >= 4) & (sd > 0), kurtosis, np.nan)
    any_present = count > 0
    low = np.full(count.shape, np.nan)
    high = np.full(count.shape, np.nan)
    low[any_present] = np.nanmin(matrix[:, any_present], axis=0)
    high[any_present] = np.nanmax(matrix[:, any_present], axis=0)
    table = pd.DataFrame(
        {
            "coverage": count / max(len(frame.index), 1),
            "n": count.astype(np.int64),
            "mean": np.where(any_present, mean, np.nan),
            "sd": np.where(count > 1, sd, np.nan),
            "min": low,
            "max": high,
            "skew": skew,
            "kurtosis": kurtosis,
        },
        index=pd.Index(frame.columns, name="indicator"),
    )
    table["corr_with_parent"] = correlation_with_parent(result).reindex(table.index)
    return table


def correlation_with_parent(result: ScoreResult) -> pd.Series:
    """Pearson's r of every node's score with its parent's score (root excluded)."""
    scores = result.scores
    tree = result.tree
    values: dict[str, float] = {}
    for code in tree.codes:
        parent = tree.parent_of[code]
        if parent is None:
            continue
        pair = scores.loc[:, [code, parent]].dropna()
        if len(pair) < 2 or pair[code].std() == 0 or pair[parent].std() == 0:
            values[code] = float("nan")
            continue
        values[code] = float(np.corrcoef(pair[code].to_numpy(), pair[parent].to_numpy())[0, 1])
    return pd.Series(values, name="corr_with_parent", dtype=np.float64)


def cronbach_alpha(result: ScoreResult, level: int | None = None) -> pd.DataFrame:
    """Cronbach's alpha per aggregate (per dimension with ``level=2``), with k and n units used."""
    scores = result.scores
    tree = result.tree
    rows = []
    for code in tree.aggregate_codes:
        if level is not None and tree.level_of(code) != level:
            continue
        children = list(tree.children_of[code])
        complete = scores.loc[:, children].dropna()
        k = len(children)
        alpha = float("nan")
        if k > 1 and len(complete) > 1:
            total_variance = complete.sum(axis=1).var(ddof=1)
            if total_variance > 0:
                alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_variance)
        rows.append({"aggregate": code, "k": k, "n": len(complete), "alpha": alpha})
    return pd.DataFrame(rows, columns=["aggregate", "k", "n", "alpha"]).set_index("aggregate")


def first_component_share(result: ScoreResult, level: int | None = None) -> pd.Series:
    """Per aggregate (per dimension with ``level=2``): the first principal component's share of variance."""
    scores = result.scores
    tree = result.tree
    values: dict[str, float] = {}
    for code in tree.aggregate_codes:
        if level is not None and tree.level_of(code) != level:
            continue
        children = list(tree.children_of[code])
        complete = scores.loc[:, children].dropna().to_numpy(dtype=np.float64)
        k = len(children)
        share = float("nan")
        if k > 1 and len(complete) > 1:
            sd = complete.std(axis=0, ddof=1)
            if (sd > 0).all():
                correlation = np.corrcoef(complete, rowvar=False)
                share = float(np.linalg.eigvalsh(correlation)[-1] / k)
        values[code] = share
    return pd.Series(values, name="pc1_share", dtype=np.float64)


def correlation_matrix(frame: pd.DataFrame, min_pairs: int) -> pd.DataFrame:
    """Pearson's r between columns, pairwise complete; NaN below ``min_pairs`` units in common."""
    matrix = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    present = (~np.isnan(matrix)).astype(np.float64)
    values = np.where(present > 0, matrix, 0.0)
    # Sums over the units two columns share, for every pair at once.
    n = present.T @ present
    sum_x = values.T @ present
    sum_xx = (values**2).T @ present
    sum_xy = values.T @ values
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = sum_xy - sum_x * sum_x.T / n
        variance_x = sum_xx - sum_x**2 / n
        r = covariance / np.sqrt(variance_x * variance_x.T)
    scale = np.sqrt(np.maximum(sum_xx, 0.0) * np.maximum(sum_xx.T, 0.0))
    # A constant column (zero variance up to rounding) has no correlation.
    constant = (variance_x <= 1e-12 * np.maximum(scale, 1.0)) | (variance_x.T <= 1e-12 * np.maximum(scale, 1.0))
    r = np.where((n >= min_pairs) & ~constant, np.clip(r, -1.0, 1.0), np.nan)
    return pd.DataFrame(r, index=frame.columns.copy(), columns=frame.columns.copy())
