"""What-if weights: a region re-scored with weights a reader chooses, never touching stored results.

Pure Python: no Django.

A scenario re-aggregates the same normalised answers with other weights
(`assessment.scoring.rescore_with_weights`). A weight runs from WEIGHT_MIN (the
node is left out) to WEIGHT_MAX; the page's sliders take their bounds from here.
"""

from collections.abc import Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class WhatIf:
    """A scenario: the weights asked for, and the region's scores and stages under them."""

    weights: dict[str, float]
    scores: pd.DataFrame
    stages: pd.Series


def what_if(prepared: scoring.PreparedScoring, weights: Mapping[str, float]) -> WhatIf:
    """The region re-scored with ``weights`` replacing the framework's for those nodes.

    ``prepared`` is the region's normalised answers (`scoring.prepare`), kept in
    the shared cache by `assessment.what_if_cache`: a slider drag re-aggregates, never re-normalises.
    """
    result = scoring.rescore_with_weights(prepared, dict(weights))
    stages = result.stages if result.stages is not None else pd.Series(dtype="str")
    return WhatIf(weights=dict(weights), scores=result.aggregates, stages=stages)
