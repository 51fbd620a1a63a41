"""What a framework version computes to, built from its rows and cached per process.

The engine's tree (`assessment.scoring.FrameworkTree`), its scoring options
(normalisation and aggregation per level) and the node names. A published or
retired version never changes, so each is built once per process and kept in
a module-level dict; a draft is read afresh on every call. This is the
adapter from stored frameworks to the engine's plain input (responses are
turned into raw answers by `assessment.selectors.scoring_input`).
"""

from assessment.models import Framework, FrameworkNode, Indicator, StageRung
from assessment.scoring import FrameworkTree, ScoringOptions

# The framework's stored normalisation names, in the engine's notation.
_ENGINE_NORMALISATION = {
    Framework.Normalisation.GOALPOSTS: "goalposts",
    Framework.Normalisation.MINMAX: "minmax:0,100",
    Framework.Normalisation.ZSCORE: "zscore",
}

# Keyed by what identifies a frozen version, not by primary key alone: a
# restored database (or a test database) can give another version the same pk.
_tree_cache: dict[tuple[int, str, str, object], FrameworkTree] = {}


def _cache_key(framework: Framework) -> tuple[int, str, str, object]:
    return (framework.pk, framework.code, framework.version, framework.published_at)


def framework_scoring_tree(framework: Framework) -> FrameworkTree:
    """The engine's tree for a version; published versions never change, so it is cached."""
    cached = _tree_cache.get(_cache_key(framework))
    if cached is not None and framework.status != Framework.Status.DRAFT:
        return cached
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
                }
            )
        else:
            aggregates.append({"code": node.code, "parent": parent, "weight": float(node.weight), "name": node.name_en})
    stages = list(StageRung.objects.filter(framework=framework).prefetch_related("requires").order_by("order"))
    base = stages[0].code if stages and not stages[0].requires.all() else "S0"
    rungs = [
        {
            "code": stage.code,
            "requires": tuple(sorted(node.code for node in stage.requires.all())),
            "threshold": float(framework.stage_threshold),
            "critical_floor": float(framework.critical_floor),
            "name": stage.name_en,
        }
        for stage in stages
        if stage.requires.all()
    ]
    tree = FrameworkTree.from_records(indicators, aggregates, rungs or None, base_stage=base)
    if framework.status != Framework.Status.DRAFT:
        _tree_cache[_cache_key(framework)] = tree
    return tree


_options_cache: dict[tuple[int, str, str, object], ScoringOptions] = {}


def framework_scoring_options(framework: Framework, tree: FrameworkTree) -> ScoringOptions:
    """The version's normalisation and aggregation per level; cached like the tree."""
    cached = _options_cache.get(_cache_key(framework))
    if cached is not None and framework.status != Framework.Status.DRAFT:
        return cached
    options = _scoring_options(framework, tree)
    if framework.status != Framework.Status.DRAFT:
        _options_cache[_cache_key(framework)] = options
    return options


def _scoring_options(framework: Framework, tree: FrameworkTree) -> ScoringOptions:
    kinds = dict(FrameworkNode.objects.filter(framework=framework).values_list("code", "kind"))
    by_level: dict[int, str] = {}
    for code in tree.aggregate_codes:
        by_level.setdefault(tree.level_of(code), kinds.get(code, "group"))
    methods = [framework.aggregation.get(by_level[level], "arithmetic") for level in sorted(by_level)]
    return ScoringOptions(normalisation=_ENGINE_NORMALISATION[framework.normalisation], aggregation=methods)


_names_cache: dict[tuple[int, str, str, object], dict[str, tuple[str, str]]] = {}


def node_names(framework: Framework) -> dict[str, tuple[str, str]]:
    """Node code → (Chinese name, English name); cached for versions that no longer change."""
    key = _cache_key(framework)
    cached = _names_cache.get(key)
    if cached is not None and framework.status != Framework.Status.DRAFT:
        return cached
    names = {
        code: (name_zh, name_en) for code, name_zh, name_en in framework.nodes.values_list("code", "name_zh", "name_en")
    }
    if framework.status != Framework.Status.DRAFT:
        _names_cache[key] = names
    return names
