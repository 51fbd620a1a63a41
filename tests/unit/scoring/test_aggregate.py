import numpy as np
import pandas as pd
import pytest

from assessment.scoring import (
    FrameworkTree,
    IndicatorSpec,
    Node,
    ScoringInputError,
    ScoringOptions,
    score,
)
from assessment.scoring.aggregate import parse_aggregation


def two_level_tree(weights=(1.0, 2.0, 3.0)) -> FrameworkTree:
    return FrameworkTree(
        (
            *(IndicatorSpec(code, "D", weight=w, lower=0, upper=100) for code, w in zip("abc", weights, strict=True)),
            IndicatorSpec("e", "E", lower=0, upper=100),
        ),
        (Node("D", "Top"), Node("E", "Top"), Node("Top")),
    )


def frame(rows: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.Index(["u1", "u2", "u3"][: len(next(iter(rows.values())))], dtype="str"))


def aggregates(data: pd.DataFrame, **options) -> pd.DataFrame:
    return score(two_level_tree(), data, ScoringOptions(**options)).aggregates


def test_arithmetic_mean_skips_missing_children_and_renormalises_weights():
    data = frame({"a": [10, np.nan], "b": [20, 40], "c": [30, np.nan], "e": [50, np.nan]})
    result = aggregates(data)
    assert result.loc["u1", "D"] == pytest.approx((10 * 1 + 20 * 2 + 30 * 3) / 6)
    assert result.loc["u2", "D"] == pytest.approx(40)
    assert np.isnan(result.loc["u2", "E"])
    assert result.loc["u2", "Top"] == pytest.approx(40)


def test_aggregate_is_missing_only_when_all_children_are():
    data = frame({"a": [np.nan], "b": [np.nan], "c": [np.nan], "e": [np.nan]})
    assert aggregates(data).isna().all().all()


def test_availability_threshold_is_a_share_of_weight():
    data = frame({"a": [10, 10], "b": [20, np.nan], "c": [np.nan, np.nan], "e": [50, 50]})
    result = aggregates(data, availability_threshold=0.5)
    # u1 has a and b present: 3 of 6 weight = 0.5, enough; u2 has 1 of 6.
    assert result.loc["u1", "D"] == pytest.approx(50 / 3)
    assert np.isnan(result.loc["u2", "D"])


def test_geometric_and_harmonic_means_with_weights():
    data = frame({"a": [10], "b": [20], "c": [40], "e": [50]})
    geometric = aggregates(data, aggregation="geometric")
    harmonic = aggregates(data, aggregation=["harmonic", "arithmetic"])
    assert geometric.loc["u1", "D"] == pytest.approx((10 * 20**2 * 40**3) ** (1 / 6))
    assert harmonic.loc["u1", "D"] == pytest.approx(6 / (1 / 10 + 2 / 20 + 3 / 40))
    assert harmonic.loc["u1", "Top"] == pytest.approx((harmonic.loc["u1", "D"] + 50) / 2)


def test_a_zero_child_makes_geometric_and_harmonic_means_zero():
    data = frame({"a": [0], "b": [20], "c": [40], "e": [50]})
    assert aggregates(data, aggregation="geometric").loc["u1", "D"] == 0
    assert aggregates(data, aggregation="harmonic").loc["u1", "D"] == 0


def test_geometric_mean_of_negative_scores_names_the_unit():
    data = frame({"a": [1, 2], "b": [2, 5], "c": [3, 3], "e": [4, 1]})
    with pytest.raises(ScoringInputError) as error:
        aggregates(data, normalisation="zscore", aggregation="geometric")
    assert {problem.row for problem in error.value.problems} <= {"u1", "u2"}
    assert {problem.column for problem in error.value.problems} <= {"a", "b", "c", "e"}
    assert "normalise to [1, 100]" in str(error.value)


def test_aggregation_list_must_match_the_levels():
    assert parse_aggregation("arithmetic, geometric", 2) == ("arithmetic", "geometric")
    assert parse_aggregation(["harmonic"], 3) == ("harmonic",) * 3
    with pytest.raises(ScoringInputError, match="one per aggregate level"):
        parse_aggregation("arithmetic,geometric,arithmetic", 2)
    with pytest.raises(ScoringInputError, match="unknown method"):
        parse_aggregation("median", 2)
