"""What-if's prepared scoring of a region's published results: normalised once, kept in the shared cache.

Not a selector (it computes and writes a cache) and not a service (it stores
no row), like `assessment.rank_intervals`. A what-if scenario re-aggregates
the region's normalised answers with the reader's weights
(`assessment.dashboards.what_if.what_if`); validating, imputing and
normalising them (`assessment.scoring.prepare`) does not depend on the
weights, so it is done once per published version and kept in
`django.core.cache.cache`, which every web process on every machine reads: a
slider drag answered by another machine re-aggregates too.

The key is the snapshot's key (which changes whenever any published result of
the scope does) and the framework version's key (`version_key`, which carries
FRAMEWORK_CACHE_VERSION: the prepared scoring holds a FrameworkTree), hashed
with SHA-256 so it is the same string in every process.
"""

import hashlib

from django.core.cache import cache

from assessment import scoring
from assessment.framework_cache import version_key
from assessment.selectors.results import RegionSnapshot

# A reader's scenarios for a period are tried within a visit; a day bounds what the cache keeps.
PREPARED_SECONDS = 24 * 3600


def prepared_key(snapshot: RegionSnapshot) -> str:
    """The shared cache's key of the snapshot's prepared scoring: the same in every process."""
    version = f"{snapshot.key}|{version_key(snapshot.framework, 'prepared')}"
    return "what-if-prepared:" + hashlib.sha256(version.encode()).hexdigest()


def prepared_scoring(snapshot: RegionSnapshot, options: scoring.ScoringOptions) -> scoring.PreparedScoring:
    """The snapshot's raw answers validated, imputed and normalised with the version's options; cached."""
    key = prepared_key(snapshot)
    prepared = cache.get(key)
    if prepared is None:
        prepared = scoring.prepare(snapshot.tree, snapshot.raw, options)
        cache.set(key, prepared, timeout=PREPARED_SECONDS)
    return prepared
