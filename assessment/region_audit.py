"""The statistical audit of a region's published results, with its Sobol sensitivity: computed once and cached.

Not a selector (it computes and writes a cache) and not a service (it stores
no row), like `assessment.rank_intervals`. It scores a region snapshot's raw
answers with the framework's nominal normalisation and aggregation
(`assessment.scoring.score`), audits the result
(`assessment.scoring.audit.statistical_audit`: correlations, Cronbach's alpha
and PC1 share, the halves' correlation, nominal weight versus influence,
coverage and imputation, outlier treatment, flags; thresholds from the
version's `MethodParameters`) and runs the variance-based sensitivity of the
ranking to each assumption (`assessment.scoring.sensitivity.sobol_indices`,
Saltelli's design through SALib, N = ``method.sensitivity_samples``).

Published results do not change, so the audit is cached under the snapshot's
key (which changes whenever any published result of the scope does) and the
method parameters (``as_dict``): a version's changed settings give a new audit.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
from django.core.cache import cache

from assessment import scoring
from assessment.framework_cache import framework_scoring_options
from assessment.rank_intervals import ScoredScope
from assessment.scoring.audit import AuditThresholds, StatisticalAudit, statistical_audit
from assessment.scoring.method import MethodParameters
from assessment.scoring.sensitivity import SensitivityResult, sobol_indices


@dataclass(frozen=True)
class RegionAudit:
    """The audit's statistics and the sensitivity of the ranking; ``sensitivity`` is None when it could not run."""

    audit: StatisticalAudit
    sensitivity: SensitivityResult | None
    units: int


# In the key: raised whenever RegionAudit's shape (or its parts') changes, so a deploy never unpickles
# an old one from the shared cache (Redis or the database table outlive every process).
AUDIT_CACHE_VERSION = 1


def _cache_key(snapshot: ScoredScope, method: MethodParameters) -> str:
    parameters = json.dumps(method.as_dict(), sort_keys=True)
    return "region-audit:" + hashlib.sha256(f"{AUDIT_CACHE_VERSION}|{snapshot.key}|{parameters}".encode()).hexdigest()


def region_audit(
    snapshot: ScoredScope,
    method: MethodParameters,
    rater_moves: Callable[[], pd.DataFrame] | None = None,
) -> RegionAudit | None:
    """The audit of the snapshot's results under these method parameters; None when nothing can be scored.

    ``rater_moves`` reads the rater model's chance per answer (cities x level
    indicators, `assessment.selectors.scoring_input.move_probability`), called only
    when the audit is not cached; the answers' confidence and grade belong to
    the published results, so the snapshot's key covers them.
    """
    if snapshot.is_empty:
        return None
    key = _cache_key(snapshot, method)
    cached = cache.get(key)
    if cached is not None:
        return cached
    options = framework_scoring_options(snapshot.framework, snapshot.tree)
    try:
        result = scoring.score(snapshot.tree, snapshot.raw, options)
    except scoring.ScoringInputError:
        # Stored results passed the engine one by one; a failure together leaves the audit out.
        return None
    audit = statistical_audit(result, thresholds=AuditThresholds.from_method(method))
    try:
        sensitivity = sobol_indices(
            snapshot.tree,
            snapshot.raw,
            options,
            method,
            move_probability=rater_moves() if rater_moves is not None else None,
            seed=method.seed,
        )
        # The page and the annex read the indices; the per-scenario ranks stay out of the cache.
        sensitivity = replace(sensitivity, rank_samples=None, outputs=None)
    except scoring.ScoringInputError:
        sensitivity = None
    computed = RegionAudit(audit=audit, sensitivity=sensitivity, units=len(result.aggregates))
    cache.set(key, computed, timeout=None)
    return computed
