"""Rank intervals: the Monte Carlo over a region's weights, computed once and cached.

Not a selector (it computes and writes a cache) and not a service (it stores
no row: everything it keeps can be computed again from the published
results). It scores a region snapshot's raw answers with the framework's
normalisation and aggregation, every weight times 1 + p U, U ~ Uniform(-1, 1),
over ``runs`` draws (the method's constants, `assessment.scoring.uncertainty`),
and keeps each city's index rank p05 / median / p95.

Published results do not change, so the ranks are cached under the snapshot's
key (which changes whenever any published result of the scope does) with the
runs and seed: the first reader of a period pays for the Monte Carlo.
"""

import hashlib
from typing import Protocol

import pandas as pd
from django.core.cache import cache

from assessment import scoring
from assessment.framework_cache import framework_scoring_options
from assessment.models import Framework
from assessment.scoring.uncertainty import (
    MONTE_CARLO_RUNS,
    MONTE_CARLO_SEED,
    WEIGHT_PERTURBATION,
    weight_factor_bounds,
)

RANK_COLUMNS = ["rank_p05", "rank_median", "rank_p95"]


def method_stated() -> dict[str, str]:
    """The method's numbers as captions and the report's annex state them: runs and the weight factor's range."""
    low, high = weight_factor_bounds(WEIGHT_PERTURBATION)
    return {"runs": str(MONTE_CARLO_RUNS), "low": f"{low:g}", "high": f"{high:g}"}


class ScoredScope(Protocol):
    """What the Monte Carlo needs of a region snapshot (`selectors.results.RegionSnapshot`).

    A protocol, not an import: the results selectors read their intervals from here.
    """

    @property
    def framework(self) -> Framework: ...
    @property
    def tree(self) -> scoring.FrameworkTree: ...
    @property
    def raw(self) -> pd.DataFrame: ...
    @property
    def key(self) -> str: ...
    @property
    def is_empty(self) -> bool: ...


def monte_carlo_ranks(
    snapshot: ScoredScope, runs: int = MONTE_CARLO_RUNS, seed: int = MONTE_CARLO_SEED
) -> pd.DataFrame:
    """Each city's index rank p05 / median / p95 over ``runs`` weight draws; cached under the snapshot's key."""
    no_intervals = pd.DataFrame(columns=RANK_COLUMNS)
    if snapshot.is_empty or runs <= 0:
        return no_intervals
    cache_key = "mc-ranks:" + hashlib.sha256(f"{snapshot.key}|{runs}|{seed}".encode()).hexdigest()
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    nominal = framework_scoring_options(snapshot.framework, snapshot.tree)
    options = scoring.ScoringOptions(
        normalisation=nominal.normalisation,
        aggregation=nominal.aggregation,
        monte_carlo=scoring.MonteCarloOptions(runs=runs, perturbation=WEIGHT_PERTURBATION, seed=seed),
    )
    try:
        result = scoring.score(snapshot.tree, snapshot.raw, options)
    except scoring.ScoringInputError:
        # Stored results passed the engine one by one; a failure together leaves the intervals out.
        return no_intervals
    ranks = result.uncertainty.ranks if result.uncertainty is not None else no_intervals
    cache.set(cache_key, ranks, timeout=None)
    return ranks
