import numpy as np
import pandas as pd
import pytest

from assessment.scoring import FrameworkTree, IndicatorSpec, Node, Normalisation, ScoringInputError
from assessment.scoring.normalise import fit_normalisation, normalise_indicators


def tree_of(*indicators: IndicatorSpec) -> FrameworkTree:
    return FrameworkTree(indicators, (Node("D"),))


def normalise(values, spec, **indicator):
    tree = tree_of(IndicatorSpec("i", "D", **indicator))
    result, fitted = fit_normalisation(np.array(values, dtype=float)[:, None], tree, Normalisation.parse(spec))
    return result[:, 0], fitted


def test_minmax_maps_the_compared_set_onto_a_b_after_direction():
    higher, _ = normalise([2, 4, np.nan, 6], "minmax:1,100")
    lower, _ = normalise([2, 4, np.nan, 6], "minmax:0,100", direction=-1)
    np.testing.assert_allclose(higher, [1, 50.5, np.nan, 100])
    np.testing.assert_allclose(lower, [100, 50, np.nan, 0])


def test_zscore_uses_the_sample_standard_deviation():
    values = np.array([1.0, 2.0, 4.0, 9.0])
    result, _ = normalise(values, "zscore")
    np.testing.assert_allclose(result, (values - values.mean()) / values.std(ddof=1))


def test_goalposts_are_fixed_clipped_and_scaled_to_0_100():
    result, _ = normalise([-5, 0, 30, 100, 140], "goalposts", lower=0, upper=100)
    reversed_, _ = normalise([0, 15, 30, 45], "goalposts", lower=0, upper=30, direction=-1)
    np.testing.assert_allclose(result, [0, 0, 30, 100, 100])
    np.testing.assert_allclose(reversed_, [100, 50, 0, 0])


def test_goalposts_of_levels_and_binaries_default_to_their_type():
    levels, _ = normalise([0, 3, 5], "goalposts", type="level")
    answers, _ = normalise([0, 1], "goalposts", type="binary")
    np.testing.assert_allclose(levels, [0, 60, 100])
    np.testing.assert_allclose(answers, [0, 100])


def test_goalposts_need_goalposts_for_quantities():
    with pytest.raises(ScoringInputError) as error:
        normalise([1, 2], "goalposts")
    assert [(p.row, p.column) for p in error.value.problems] == [("i", "lower")]


def test_distance_to_target_is_capped_at_the_target():
    result, _ = normalise([10, 20, 30, 50], "distance_to_target", target=30)
    lower_better, _ = normalise([10, 20, 30], "distance_to_target", target=15, direction=-1)
    np.testing.assert_allclose(result, [0, 50, 100, 100])
    np.testing.assert_allclose(lower_better, [100, 66.66666666666667, 0])


def test_rank_and_percentile_share_the_lowest_rank_on_ties():
    ranks, _ = normalise([5, 1, 5, np.nan, 3], "rank")
    percentiles, _ = normalise([5, 1, 5, np.nan, 3], "percentile")
    np.testing.assert_allclose(ranks, [3, 1, 3, np.nan, 2])
    np.testing.assert_allclose(percentiles, [200 / 3, 0, 200 / 3, np.nan, 100 / 3])


def test_none_only_applies_direction():
    result, _ = normalise([1, 2], "none", direction=-1)
    np.testing.assert_allclose(result, [-1, -2])


def test_a_constant_indicator_is_missing_with_a_warning():
    result, fitted = normalise([3, 3, 3], "minmax:0,100")
    assert np.isnan(result).all()
    assert any("same value" in warning for warning in fitted.warnings)


def test_fitted_parameters_invert_back_to_raw_units():
    tree = tree_of(IndicatorSpec("a", "D", lower=0, upper=30, direction=-1), IndicatorSpec("b", "D"))
    raw = np.array([[3.0, 10.0], [12.0, 20.0], [27.0, 15.0]])
    for spec in ("goalposts", "zscore"):
        overrides = {"b": Normalisation.parse("minmax:0,100")}
        normalised, fitted = fit_normalisation(raw, tree, Normalisation.parse(spec), overrides)
        np.testing.assert_allclose(fitted.apply(raw), normalised)
        if spec == "goalposts":
            np.testing.assert_allclose(fitted.invert(normalised), raw)


@pytest.mark.parametrize("text", ["minmax:0", "minmax:a,b", "minmax:5,1", "zscore:0,0", "softmax"])
def test_bad_normalisation_specs_are_input_errors(text):
    with pytest.raises(ScoringInputError):
        Normalisation.parse(text)


def test_normalise_indicators_keeps_the_frame_shape():
    tree = tree_of(IndicatorSpec("a", "D", type="level"))
    frame = pd.DataFrame({"a": [1.0, 4.0]}, index=pd.Index(["x", "y"], dtype="str"))
    result = normalise_indicators(frame, tree)
    assert result.loc["y", "a"] == pytest.approx(80.0)
