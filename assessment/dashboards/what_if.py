"""What-if weights: a region re-scored with weights a reader chooses, never touching stored results.

Pure Python: no Django.

A scenario re-aggregates the same normalised answers with other weights
(`assessment.scoring.rescore_with_weights`). A weight runs from WEIGHT_MIN (the
node is left out) to WEIGHT_MAX; the page's sliders take their bounds from here.
"""

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from threading import Lock

import numpy as np
import pandas as pd

from assessment import scoring
from assessment.dashboards.frames import Structure

WEIGHT_MIN = 0.0
WEIGHT_MAX = 3.0


def clean_weights(requested: Mapping[str, str], structure: Structure) -> dict[str, float]:
    """Weights from a query string (``w.<code>=<number>``), for adjustable nodes only, clipped.

    Unknown codes and non-numbers are ignored, so a shared link from an
    older framework version still opens.
    """
    weights: dict[str, float] = {}
    for code in structure.adjustable:
        text = requested.get(code)
        if text is None:
            continue
        try:
            value = float(text)
        except (TypeError, ValueError):
            continue
        if np.isfinite(value):
            weights[code] = float(min(max(value, WEIGHT_MIN), WEIGHT_MAX))
    return weights


class _PreparedCache:
    """A few prepared scorings by snapshot key: a slider drag re-aggregates, never re-normalises."""

    def __init__(self, size: int = 16) -> None:
        self._items: OrderedDict[str, scoring.PreparedScoring] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(
        self, key: str, tree: scoring.FrameworkTree, raw: pd.DataFrame, options: scoring.ScoringOptions
    ) -> scoring.PreparedScoring:
        with self._lock:
            prepared = self._items.get(key)
            if prepared is not None:
                self._items.move_to_end(key)
                return prepared
        prepared = scoring.prepare(tree, raw, options)
        with self._lock:
            self._items[key] = prepared
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return prepared


prepared_scorings = _PreparedCache()


@dataclass(frozen=True)
class WhatIf:
    """A scenario: the weights asked for, and the region's scores and stages under them."""

    weights: dict[str, float]
    scores: pd.DataFrame
    stages: pd.Series


def what_if(
    key: str,
    tree: scoring.FrameworkTree,
    raw: pd.DataFrame,
    options: scoring.ScoringOptions,
    weights: Mapping[str, float],
) -> WhatIf:
    """The region re-scored with ``weights`` replacing the framework's for those nodes."""
    prepared = prepared_scorings.get(key, tree, raw, options)
    result = scoring.rescore_with_weights(prepared, dict(weights))
    stages = result.stages if result.stages is not None else pd.Series(dtype="str")
    return WhatIf(weights=dict(weights), scores=result.aggregates, stages=stages)
