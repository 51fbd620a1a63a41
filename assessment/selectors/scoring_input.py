"""Turn stored frameworks and responses into the scoring engine's plain input.

The engine (`assessment.scoring`) knows nothing of the ORM; this module is
the one adapter between them.
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from assessment.models import Assessment, Framework, FrameworkNode, Indicator, Response, StageRung
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


def raw_answers(assessment_ids: list[int], city_codes: list[str], indicator_codes: tuple[str, ...]) -> pd.DataFrame:
    """Cities × indicators, raw values in one query; N/A and unanswered are NaN."""
    columns = list(indicator_codes)
    position = {code: i for i, code in enumerate(columns)}
    row_of = {code: i for i, code in enumerate(city_codes)}
    values = np.full((len(city_codes), len(columns)), np.nan)
    rows = Response.objects.filter(assessment_id__in=assessment_ids).values_list(
        "assessment__city_id",
        "indicator__node__code",
        "level",
        "value",
        "not_applicable",
        "indicator__type",
    )
    for city, code, level, value, not_applicable, kind in rows:
        raw = None if not_applicable else (level if kind == Indicator.Type.LEVEL else value)
        if raw is not None and code in position and city in row_of:
            values[row_of[city], position[code]] = float(raw)
    return pd.DataFrame(values, index=pd.Index(city_codes, dtype="str", name="uCode"), columns=columns)


def assessments_raw_data(assessments: Iterable[Assessment], tree: FrameworkTree) -> pd.DataFrame:
    """Units (city codes) × indicator codes, raw values; missing and N/A answers are NaN."""
    assessment_list = list(assessments)
    return raw_answers([a.pk for a in assessment_list], [a.city_id for a in assessment_list], tree.indicator_codes)
