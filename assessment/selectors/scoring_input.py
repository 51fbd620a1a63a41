"""Turn stored responses into the scoring engine's plain input: raw answers, cities × indicators.

The engine (`assessment.scoring`) knows nothing of the ORM; this module and
`assessment.framework_cache` (a version's tree and scoring options) are the
adapters between them.
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from assessment.models import Assessment, Indicator, Response
from assessment.scoring import FrameworkTree


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
