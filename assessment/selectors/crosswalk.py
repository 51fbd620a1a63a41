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
from cities.models import City


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
    if not earlier:
        return {}
    links = crosswalk_links(framework)
    tree = framework_scoring_tree(framework)
    options = framework_scoring_options(framework, tree)
    weights = effective_weights(tree)
    indicator_weights = {code: float(weights[code]) for code in tree.indicator_codes}
    earlier_codes = tuple(framework_scoring_tree(previous).indicator_codes)
    found: dict[int, ReExpressed] = {}
    for assessment_id, period in earlier:
        row = raw_answers([assessment_id], [city.code], earlier_codes).loc[city.code]
        carried = carried_answers({code: float(value) for code, value in row.items()}, links)
        if not carried:
            continue
        data = pd.DataFrame(
            [[carried.get(code, float("nan")) for code in tree.indicator_codes]],
            index=pd.Index([city.code], dtype="str", name="uCode"),
            columns=list(tree.indicator_codes),
        )
        result = scoring.score(tree, data, options)
        aggregates = result.aggregates.loc[city.code]
        found[period] = ReExpressed(
            period=period,
            from_version=f"{previous.code} {previous.version}",
            scores={code: (None if pd.isna(value) else float(value)) for code, value in aggregates.items()},
            stage=str(result.stages.loc[city.code]) if result.stages is not None else "",
            coverage=coverage(carried, indicator_weights),
            carried=len(carried),
            indicators=len(tree.indicator_codes),
        )
    return found
