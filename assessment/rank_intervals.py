"""Rank intervals: the Monte Carlo over a region's weights and raters' judgements, computed once and cached.

Not a selector (it computes and writes a cache) and not a service (it stores
no row: everything it keeps can be computed again from the published
results). It scores a region snapshot's raw answers with the framework's
normalisation and aggregation over the draws the framework version's method
parameters describe (`Framework.method_parameters()`; the engine's
`assessment.scoring.uncertainty` has the formulas): every weight times a
factor in [1 - p, 1 + p], and every level answer moved by one level with the
chance its confidence and data-quality grade give; a version that names
method alternatives (normalisation, aggregation, imputation) has one drawn
per run beside its own method. It keeps each city's index
rank at the method's low percentile / median / high percentile, and the share
of draws on each stage.

Published results do not change, so the ranks are cached under the snapshot's
key (which changes whenever any published result of the scope does) with the
runs, seed and every method parameter: the first reader of a period pays for
the Monte Carlo. The cache is the shared one (config/services.py: Redis or
the database), so a result published on one machine gives new intervals on
every machine: its new scoring time changes the snapshot's key.
"""

import hashlib
import json
from typing import Protocol

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.framework_cache import framework_scoring_options
from assessment.models import Framework
from assessment.scoring.method import MethodParameters
from assessment.selectors.scoring_input import move_probability

RANK_COLUMNS = ["rank_p05", "rank_median", "rank_p95"]
# In the key: raised whenever the cached frame's columns change, so a deploy never reads an old frame
# from the shared cache (Redis or the database table outlive every process).
RANKS_CACHE_VERSION = 1


def method_stated(method: MethodParameters) -> dict[str, str]:
    """The method's numbers as captions and the report's annex state them.

    Draws, the weight factor's range, the interval's percentiles, the share of draws it holds,
    and the method alternatives drawn beside the published method as sentences ("" when none).
    """
    low, high = method.weight_factor_bounds()
    # Sentences naming the method alternatives a version draws beside its own (none by default).
    alternatives = [
        sentence % {"choices": ", ".join(choices)}
        for sentence, choices in (
            (
                _("Each draw also uses, with equal chances, the published normalisation or one of: %(choices)s."),
                method.normalisation_alternatives,
            ),
            (
                _("Each draw also uses, with equal chances, the published aggregation or one of: %(choices)s."),
                method.aggregation_alternatives,
            ),
            (
                _("Each draw also uses, with equal chances, the published imputation or one of: %(choices)s."),
                method.imputation_alternatives,
            ),
        )
        if choices
    ]
    return {
        "runs": str(method.runs),
        "low": f"{low:g}",
        "high": f"{high:g}",
        "interval_low": f"{method.interval_low:g}",
        "interval_high": f"{method.interval_high:g}",
        "coverage": f"{method.interval_high - method.interval_low:g}",
        "alternatives": " ".join(alternatives),
    }


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
    @property
    def assessment_ids(self) -> dict[str, int]: ...


def ranks_key(snapshot: ScoredScope, runs: int, seed: int) -> str:
    """The shared cache's key of the snapshot's rank intervals: the same string in every process."""
    # The method's numbers are in the key: a version whose settings change gets new intervals.
    parameters = json.dumps(snapshot.framework.method_parameters().as_dict(), sort_keys=True)
    version = f"{RANKS_CACHE_VERSION}|{snapshot.key}|{runs}|{seed}|{parameters}"
    return "mc-ranks:" + hashlib.sha256(version.encode()).hexdigest()


def monte_carlo_ranks(snapshot: ScoredScope, runs: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """Each city's index rank interval (RANK_COLUMNS) over the method's draws; cached under the snapshot's key.

    ``runs`` and ``seed`` override the framework version's (the read API lets a caller ask for others).
    """
    method = snapshot.framework.method_parameters()
    runs = method.runs if runs is None else runs
    seed = method.seed if seed is None else seed
    no_intervals = pd.DataFrame(columns=RANK_COLUMNS)
    if snapshot.is_empty or runs <= 0:
        return no_intervals
    cache_key = ranks_key(snapshot, runs, seed)
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    nominal = framework_scoring_options(snapshot.framework, snapshot.tree)
    options = scoring.ScoringOptions(
        normalisation=nominal.normalisation,
        aggregation=nominal.aggregation,
        monte_carlo=scoring.MonteCarloOptions.from_method(
            method,
            nominal_normalisation=nominal.normalisation,
            nominal_aggregation=nominal.aggregation,
            nominal_imputation=nominal.imputation,
            runs=runs,
            seed=seed,
            rater_moves=move_probability(snapshot, method),
        ),
    )
    try:
        result = scoring.score(snapshot.tree, snapshot.raw, options)
    except scoring.ScoringInputError:
        # Stored results passed the engine one by one; a failure together leaves the intervals out.
        return no_intervals
    if result.uncertainty is None:
        return no_intervals
    ranks = result.uncertainty.ranks
    if result.uncertainty.score_interval is not None:
        ranks = ranks.join(result.uncertainty.score_interval)
    probability = result.uncertainty.stage_probability
    if probability is not None and result.stages is not None:
        # The share of draws that keep each city on the stage its published answers give it.
        nominal = result.stages.reindex(probability.index)
        shares = [
            probability.loc[city, stage] if stage in probability.columns else np.nan for city, stage in nominal.items()
        ]
        ranks = ranks.assign(stage_share=pd.Series(shares, index=probability.index, dtype=float))
    cache.set(cache_key, ranks, timeout=None)
    return ranks
