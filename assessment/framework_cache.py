"""What a framework version computes to, built from its rows and kept in the shared cache.

The engine's tree (`assessment.scoring.FrameworkTree`), its scoring options
(normalisation and aggregation per level) and the node names. A published or
retired version never changes (`Framework.save` refuses), so each is built
once and kept in `django.core.cache.cache` (Redis or the database table,
config/services.py), which every process on every machine reads: nothing
here is per-process state that two machines could see differently. A draft
is read afresh on every call and never cached.

The key names the version, not the primary key alone (a restored database,
or a test database, can give another version the same pk): framework pk,
code, version and publication time, plus FRAMEWORK_CACHE_VERSION, raised
whenever FrameworkTree's or ScoringOptions' shape changes so that a deploy
never unpickles an object of the old shape. Within one request the value is
also kept on the Framework instance itself (a per-request memo: the
instance lives as long as the request's objects), because the labels, the
panels and the selectors ask for the tree dozens of times per page.

This is the adapter from stored frameworks to the engine's plain input
(responses are turned into raw answers by `assessment.selectors.scoring_input`).

What else is cached, and where (issue 22: several machines):
- shared cache: the Monte Carlo rank intervals (`assessment.rank_intervals`),
  the statistical audit (`assessment.region_audit`), the rendered region and
  audit pages (`assessment.views.dashboards`, `assessment.views.audit`), the
  what-if prepared scorings (`assessment.what_if_cache`); all keyed by the
  published results' version (`RegionSnapshot.key`) through hashlib, never
  `hash()` (randomised per process).
- per request or per task only: the English names cities share
  (`cities.models.ambiguous_english_names`, forgotten when a request or a
  task starts), a user's roles (`accounts.roles`, on the user object),
  `cached_property` values of a page's RegionView and CityHeadline.
- per process, because they derive only from files shipped in the release,
  never from the database: the province outlines (`cities.outlines`, from
  static/geo/provinces.geojson), the report fetcher's class and unused TLS
  context (`assessment.reports.fetcher`), and the report's figures being
  drawn by the warm chart browser (`assessment.reports.svg`, in-flight work
  of one render, not a cache).
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.core.cache import cache

from assessment.models import Framework, FrameworkNode, Indicator, StageRung
from assessment.scoring import FrameworkTree, ScoringOptions

# Raised whenever FrameworkTree, ScoringOptions or the names' shape changes: old pickles are then never read.
FRAMEWORK_CACHE_VERSION = 1

# The framework's stored normalisation names, in the engine's notation.
_ENGINE_NORMALISATION = {
    Framework.Normalisation.GOALPOSTS: "goalposts",
    Framework.Normalisation.MINMAX: "minmax:0,100",
    Framework.Normalisation.ZSCORE: "zscore",
}


def version_key(framework: Framework, what: str) -> str:
    """The shared cache's key of ``what`` for this version: the same string in every process."""
    published = framework.published_at.isoformat() if framework.published_at else "unpublished"
    return ":".join(
        [
            "framework",
            str(FRAMEWORK_CACHE_VERSION),
            what,
            str(framework.pk),
            quote(framework.code, safe=""),
            quote(framework.version, safe=""),
            published,
        ]
    )


def _cached[Value](framework: Framework, what: str, build: Callable[[], Value]) -> Value:
    """``build()`` for a draft; for a frozen version, the request's memo, else the shared cache, else built and kept."""
    if framework.status == Framework.Status.DRAFT:
        return build()
    key = version_key(framework, what)
    # The per-request memo lives on the instance, which the request's objects hold and then drop.
    memo: dict[str, Any] = framework.__dict__.setdefault("_framework_cache", {})
    if key in memo:
        return memo[key]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=None)
    memo[key] = value
    return value


def framework_scoring_tree(framework: Framework) -> FrameworkTree:
    """The engine's tree for a version; published versions never change, so it is cached."""
    return _cached(framework, "tree", lambda: _scoring_tree(framework))


def _scoring_tree(framework: Framework) -> FrameworkTree:
    nodes = list(FrameworkNode.objects.filter(framework=framework).select_related("parent", "indicator"))
    indicators, aggregates = [], []
    for node in nodes:
        parent = node.parent.code if node.parent else None
        if node.kind == FrameworkNode.Kind.INDICATOR:
            indicator: Indicator = node.indicator
            indicators.append(
                {
                    "code": node.code,
                    "parent": parent,
                    "weight": float(node.weight),
                    "direction": indicator.direction,
                    "type": indicator.type,
                    "lower": indicator.lower,
                    "upper": indicator.upper,
                    "target": indicator.target,
                    "critical": indicator.critical,
                    "name": node.name_en,
                    "control": indicator.control or "city",
                }
            )
        else:
            aggregates.append({"code": node.code, "parent": parent, "weight": float(node.weight), "name": node.name_en})
    stages = list(StageRung.objects.filter(framework=framework).prefetch_related("requires", "gates").order_by("order"))
    base = stages[0].code if stages and not stages[0].requires.all() else "S0"
    rungs = [
        {
            "code": stage.code,
            "requires": tuple(sorted(node.code for node in stage.requires.all())),
            "gates": tuple(sorted(node.code for node in stage.gates.all())),
            "threshold": float(framework.stage_threshold),
            "critical_floor": float(framework.critical_floor),
            "name": stage.name_en,
        }
        for stage in stages
        if stage.requires.all()
    ]
    return FrameworkTree.from_records(indicators, aggregates, rungs or None, base_stage=base)


def framework_scoring_options(framework: Framework, tree: FrameworkTree) -> ScoringOptions:
    """The version's normalisation and aggregation per level; cached like the tree."""
    return _cached(framework, "options", lambda: _scoring_options(framework, tree))


def _scoring_options(framework: Framework, tree: FrameworkTree) -> ScoringOptions:
    kinds = dict(FrameworkNode.objects.filter(framework=framework).values_list("code", "kind"))
    by_level: dict[int, str] = {}
    for code in tree.aggregate_codes:
        by_level.setdefault(tree.level_of(code), kinds.get(code, "group"))
    methods = [framework.aggregation.get(by_level[level], "arithmetic") for level in sorted(by_level)]
    return ScoringOptions(
        normalisation=_ENGINE_NORMALISATION[framework.normalisation],
        aggregation=methods,
        gap_steps_per_period=framework.method_parameters().gap_steps_per_period,
    )


def node_names(framework: Framework) -> dict[str, tuple[str, str]]:
    """Node code → (Chinese name, English name); cached for versions that no longer change."""
    return _cached(
        framework,
        "names",
        lambda: {
            code: (name_zh, name_en)
            for code, name_zh, name_en in framework.nodes.values_list("code", "name_zh", "name_en")
        },
    )
