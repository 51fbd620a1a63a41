"""Store what the scoring engine says about an approved assessment."""

import hashlib
import json
import math
from typing import Any

import pandas as pd

from assessment import scoring
from assessment.framework_cache import framework_scoring_options, framework_scoring_tree
from assessment.models import Assessment, AssessmentResult
from assessment.scoring.ranks import rank_frame
from assessment.scoring.stage_gap import StageGap
from assessment.selectors.scoring_input import assessments_raw_data


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else round(number, 10)


def gap_as_dict(gap: StageGap | None) -> dict[str, Any]:
    if gap is None:
        return {}
    return {
        "stage": gap.stage,
        "next_stage": gap.next_stage,
        "reachable": gap.reachable,
        "note": gap.note,
        "shortfalls": [
            {"node": item.node, "score": _number(item.score), "threshold": _number(item.threshold)}
            for item in gap.shortfalls
        ],
        "improvements": [
            {
                "indicator": item.indicator,
                "node": item.node,
                "reason": item.reason,
                "from_raw": None if item.from_raw is None else _number(item.from_raw),
                "to_raw": _number(item.to_raw),
                "from_normalised": None if item.from_normalised is None else _number(item.from_normalised),
                "to_normalised": _number(item.to_normalised),
                "effort": _number(item.effort),
                "gain": _number(item.gain),
            }
            for item in gap.improvements
        ],
    }


def input_hash(framework_key: str, raw: pd.DataFrame, options: scoring.ScoringOptions) -> str:
    payload = {
        "engine": scoring.ENGINE_VERSION,
        "framework": framework_key,
        "options": repr(options),
        "data": {column: _number(value) for column, value in raw.iloc[0].items()},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def assessment_result_store(*, assessment: Assessment) -> AssessmentResult:
    """Score one city with the framework's fixed goalposts and store every node's score and the stage.

    Goalposts make a city's scores independent of the other cities, so each
    result can be computed alone, at approval, and never changes afterwards.
    """
    framework = assessment.framework
    tree = framework_scoring_tree(framework)
    options = framework_scoring_options(framework, tree)
    raw = assessments_raw_data([assessment], tree)
    result = scoring.score(tree, raw, options)
    unit = assessment.city_id
    scores = {code: _number(value) for code, value in result.aggregates.loc[unit].items()}
    normalised = {code: _number(value) for code, value in result.normalised.loc[unit].items()}
    stage = str(result.stages.loc[unit]) if result.stages is not None else ""
    stored, _created = AssessmentResult.objects.update_or_create(
        assessment=assessment,
        defaults={
            "engine_version": scoring.ENGINE_VERSION,
            "input_hash": input_hash(f"{framework.code} {framework.version}", raw, options),
            "scores": scores,
            "normalised": normalised,
            "index_score": scores.get(tree.root),
            "stage": stage,
            "gap": gap_as_dict(result.gaps.get(unit)),
        },
    )
    stored.region_ranks = region_ranks_when_approved(assessment=assessment, scores=scores)
    stored.save(update_fields=["region_ranks"])
    return stored


def region_ranks_when_approved(*, assessment: Assessment, scores: dict[str, float | None]) -> dict[str, dict[str, int]]:
    """Rank this city among the scored cities of each of its regions, as things stand now.

    The scored cities are Assessment.objects.standing_scored(): approved or
    published results, a correction in progress leaving the original standing.

    The engine's rank rule (`scoring/ranks.py`): highest score first, ties
    share the lowest rank. Later approvals of
    other cities do not rewrite this snapshot; dashboards rank live.
    """
    ranks: dict[str, dict[str, int]] = {}
    for region in assessment.city.regions.all():
        standing = (
            Assessment.objects.standing_scored()
            .filter(city__regions=region, framework=assessment.framework, period=assessment.period)
            .exclude(city=assessment.city)
        )
        peers = AssessmentResult.objects.filter(assessment__in=standing).values_list("assessment__city_id", "scores")
        table = pd.DataFrame({city: peer_scores for city, peer_scores in peers} | {assessment.city_id: scores}).T
        table = table.apply(pd.to_numeric, errors="coerce")
        ranked = rank_frame(table)
        ranks[region.code] = {
            code: int(rank) for code, rank in ranked.loc[assessment.city_id].items() if not math.isnan(rank)
        }
    return ranks
