"""A city's earlier results re-expressed in a later framework version (issue 20, point 3).

The rule of what carries is pure (scoring/crosswalk.py); this module reads the
earlier version's published answers of the city and the later version's
cross-walk, and scores the carried answers on the later version's tree, so a
trend can run across the version break without comparing unlike numbers
silently. Only the version's direct predecessor is re-expressed.
"""

from dataclasses import dataclass

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from assessment import scoring
from assessment.framework_cache import framework_scoring_options, framework_scoring_tree
from assessment.models import Framework, Indicator
from assessment.scoring.crosswalk import Link, carried_answers, coverage
from assessment.scoring.explain import effective_weights
from assessment.selectors.results import published_results_visible_to
from assessment.selectors.scoring_input import raw_answers
from cities.models import City, Region


@dataclass(frozen=True)
class ReExpressed:
    """An earlier period's result scored in the later version from the answers that carry."""

    period: int
    from_version: str  # "DSMF 1.0"
    scores: dict[str, float | None]  # the later version's aggregates
    stage: str
    coverage: float  # share of the later index's indicator weight that carried
    carried: int
    indicators: int


def crosswalk_links(framework: Framework) -> list[Link]:
    """The later version's indicators with the earlier ones each continues and how."""
    indicators = Indicator.objects.filter(node__framework=framework).select_related("node")
    return [
        Link(
            code=indicator.node.code,
            continues=tuple(sorted(earlier.node.code for earlier in indicator.continues.all())),
            kind=indicator.change_kind,
        )
        for indicator in indicators.prefetch_related("continues__node")
    ]


@dataclass(frozen=True)
class ReExpressedTable:
    """Earlier results of several cities re-expressed in a later version, as plain tables indexed by city code."""

    scores: pd.DataFrame  # cities x the later version's aggregates
    stages: pd.Series
    coverage: pd.Series  # share of the later index's indicator weight that carried, per city
    carried: pd.Series  # number of indicators that carried, per city
    indicators: int
    from_version: str


def _re_expressed_table(framework: Framework, earlier: list[tuple[int, str]]) -> ReExpressedTable | None:
    """Score the carried answers of ``earlier`` ((assessment id, city code) under ``framework.previous``) at once."""
    previous = framework.previous
    if previous is None or not earlier:
        return None
    links = crosswalk_links(framework)
    tree = framework_scoring_tree(framework)
    options = framework_scoring_options(framework, tree)
    weights = effective_weights(tree)
    indicator_weights = {code: float(weights[code]) for code in tree.indicator_codes}
    codes = [city for _pk, city in earlier]
    raw = raw_answers([pk for pk, _city in earlier], codes, tuple(framework_scoring_tree(previous).indicator_codes))
    carried = {city: carried_answers({c: float(v) for c, v in raw.loc[city].items()}, links) for city in codes}
    kept = [city for city in codes if carried[city]]
    if not kept:
        return None
    data = pd.DataFrame(
        [[carried[city].get(code, float("nan")) for code in tree.indicator_codes] for city in kept],
        index=pd.Index(kept, dtype="str", name="uCode"),
        columns=list(tree.indicator_codes),
    )
    result = scoring.score(tree, data, options)
    return ReExpressedTable(
        scores=result.aggregates,
        stages=result.stages if result.stages is not None else pd.Series("", index=data.index, dtype="str"),
        coverage=pd.Series({city: coverage(carried[city], indicator_weights) for city in kept}, dtype=float),
        carried=pd.Series({city: len(carried[city]) for city in kept}, dtype=int),
        indicators=len(tree.indicator_codes),
        from_version=f"{previous.code} {previous.version}",
    )


def re_expressed_results(
    *, city: City, framework: Framework, kind: str, user: AbstractBaseUser | AnonymousUser
) -> dict[int, ReExpressed]:
    """Period -> the city's standing published result under the previous version, re-expressed in ``framework``."""
    previous = framework.previous
    if previous is None:
        return {}
    earlier = list(
        published_results_visible_to(user)
        .filter(city=city, framework=previous, kind=kind, result__isnull=False)
        .order_by("period")
        .values_list("pk", "period")
    )
    found: dict[int, ReExpressed] = {}
    for assessment_id, period in earlier:
        table = _re_expressed_table(framework, [(assessment_id, city.code)])
        if table is None:
            continue
        aggregates = table.scores.loc[city.code]
        found[period] = ReExpressed(
            period=period,
            from_version=table.from_version,
            scores={code: (None if pd.isna(value) else float(value)) for code, value in aggregates.items()},
            stage=str(table.stages.loc[city.code]),
            coverage=float(table.coverage.loc[city.code]),
            carried=int(table.carried.loc[city.code]),
            indicators=table.indicators,
        )
    return found


def re_expressed_region(
    *, region: Region, framework: Framework, kind: str, user: AbstractBaseUser | AnonymousUser, before: int
) -> tuple[int, ReExpressedTable] | None:
    """The region's latest period before ``before`` under the previous version, re-expressed in ``framework``.

    For the movers across a version break: None when the previous version has no published result there.
    """
    previous = framework.previous
    if previous is None:
        return None
    published = published_results_visible_to(user).filter(
        city__regions=region, framework=previous, kind=kind, period__lt=before, result__isnull=False
    )
    period = published.order_by("-period").values_list("period", flat=True).first()
    if period is None:
        return None
    earlier = list(published.filter(period=period).order_by("city_id").values_list("pk", "city_id").distinct())
    table = _re_expressed_table(framework, earlier)
    return (period, table) if table is not None else None
