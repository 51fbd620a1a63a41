"""Ranks: highest score first, ties share the lowest rank ("min" method).

    rank(u) = 1 + #{v : score(v) > score(u)}

over the units with a score; a missing score has a missing rank.  Two units
tied for second both get 2, the next gets 4 (COINr, and R's
``rank(-x, ties.method = "min", na.last = "keep")``).  Ranks are computed
along one axis of an array of any shape, so a Monte Carlo ranks all runs in
one call: sort each line once, give every position the position of the first
element of its tie group, and scatter back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["rank_descending", "rank_frame", "rank_within_groups"]

FloatArray = NDArray[np.float64]


def rank_descending(values: FloatArray, axis: int = 0) -> FloatArray:
    """Min-method ranks, highest value = 1, along ``axis``; NaN stays NaN."""
    moved = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    missing = np.isnan(moved)
    # Sorting -x ascending puts the highest first; +inf sends missing values last.
    key = np.where(missing, np.inf, -moved)
    # Order within a tie group does not matter: every member gets the group's first position.
    order = np.argsort(key, axis=-1)
    sorted_key = np.take_along_axis(key, order, axis=-1)
    length = moved.shape[-1]
    positions = np.broadcast_to(np.arange(length, dtype=np.float64), sorted_key.shape)
    starts_group = np.ones(sorted_key.shape, dtype=bool)
    starts_group[..., 1:] = sorted_key[..., 1:] != sorted_key[..., :-1]
    group_start = np.maximum.accumulate(np.where(starts_group, positions, 0.0), axis=-1)
    ranks = np.empty_like(group_start)
    np.put_along_axis(ranks, order, group_start + 1.0, axis=-1)
    ranks[missing] = np.nan
    return np.moveaxis(ranks, -1, axis)


def rank_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """Rank every column of a units x nodes frame over all its units."""
    ranks = rank_descending(scores.to_numpy(dtype=np.float64, na_value=np.nan), axis=0)
    return pd.DataFrame(ranks, index=scores.index, columns=scores.columns)


def rank_within_groups(scores: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Rank every column within each group (e.g. region); units with no group get no rank."""
    aligned = groups.reindex(scores.index)
    values = scores.to_numpy(dtype=np.float64, na_value=np.nan)
    ranks = np.full(values.shape, np.nan)
    group_codes = aligned.to_numpy()
    for group in pd.unique(aligned.dropna()):
        members = group_codes == group
        ranks[members] = rank_descending(values[members], axis=0)
    return pd.DataFrame(ranks, index=scores.index, columns=scores.columns)
