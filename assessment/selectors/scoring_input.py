"""Turn stored responses into the scoring engine's plain input: raw answers, cities × indicators.

The engine (`assessment.scoring`) knows nothing of the ORM; this module and
`assessment.framework_cache` (a version's tree and scoring options) are the
adapters between them.
"""

from collections.abc import Iterable
from typing import Protocol

import numpy as np
import pandas as pd

from assessment.models import Assessment, Indicator, Response
from assessment.scoring import FrameworkTree
from assessment.scoring.method import MethodParameters


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


class AnsweredScope(Protocol):
    """What the rater model needs of a region snapshot (`selectors.results.RegionSnapshot`)."""

    @property
    def tree(self) -> FrameworkTree: ...
    @property
    def raw(self) -> pd.DataFrame: ...
    @property
    def assessment_ids(self) -> dict[str, int]: ...


def move_probability(snapshot: AnsweredScope, method: MethodParameters) -> pd.DataFrame:
    """Cities x level indicators: each published answer's chance to move a level, from its confidence and grade.

    One query. An indicator a city left unanswered or marked not applicable has
    no answer to move: 0.
    """
    level_codes = [spec.code for spec in snapshot.tree.indicators if spec.type == Indicator.Type.LEVEL]
    cities = list(snapshot.raw.index)
    frame = pd.DataFrame(np.zeros((len(cities), len(level_codes))), index=snapshot.raw.index, columns=level_codes)
    answers = Response.objects.filter(
        assessment_id__in=list(snapshot.assessment_ids.values()),
        indicator__type=Indicator.Type.LEVEL,
        level__isnull=False,
        not_applicable=False,
    ).values_list("assessment__city_id", "indicator__node__code", "confidence", "quality")
    # Positions, not .loc per answer: a region holds about 1,500 level answers.
    rows = {city: position for position, city in enumerate(frame.index)}
    columns = {code: position for position, code in enumerate(frame.columns)}
    chances = frame.to_numpy(copy=True)
    for city, code, confidence, quality in answers:
        if city in rows and code in columns:
            chances[rows[city], columns[code]] = method.rater_move_probability(confidence, quality)
    return pd.DataFrame(chances, index=frame.index, columns=frame.columns)
