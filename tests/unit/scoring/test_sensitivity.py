"""Sobol indices (assessment/scoring/sensitivity.py): the SALib integration on cases known analytically, then the
scenario model against the engine scoring each scenario alone."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample

from assessment.scoring import FrameworkTree, ScoringInputError, ScoringOptions, score
from assessment.scoring.method import MethodParameters
from assessment.scoring.sensitivity import (
    SENTENCE_KEYS,
    analyse_model,
    assumptions_of,
    saltelli_design,
    sentence_key,
    sobol_indices,
    unit_indices,
)

from .frameworks import INDICATORS, dual_space_tree, random_raw

# 2^13 base points: the estimators' standard error shrinks as 1/sqrt(N); at this N SALib's bootstrap half-widths on
# the Ishigami function are about 0.01-0.03, so an estimate within 0.05 of the exact value is what N can promise.
ISHIGAMI_BASE = 2**13
TOLERANCE = 0.05


def _ishigami(design: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x1, x2, x3 = design[:, 0], design[:, 1], design[:, 2]
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


def _ishigami_exact(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Ishigami and Homma 1990; Sobol' and Levitan 1999: the variance shares of each input."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / variance, np.array([v1 + v13, v2, v13]) / variance


def test_ishigami_indices_match_the_analytic_values():
    problem = {
        "num_vars": 3,
        "names": ["x1", "x2", "x3"],
        "bounds": [[-np.pi, np.pi]] * 3,
        "groups": ["x1", "x2", "x3"],
    }
    indices, output = analyse_model(problem, _ishigami, ISHIGAMI_BASE, seed=1)
    first, total = _ishigami_exact()
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=1e-4)
    np.testing.assert_allclose(indices["S1"].to_numpy(), first, atol=TOLERANCE)
    np.testing.assert_allclose(indices["ST"].to_numpy(), total, atol=TOLERANCE)
    assert list(indices.index) == ["x1", "x2", "x3"]
    assert output.shape == (ISHIGAMI_BASE * (2 * 3 + 2),)
    assert (indices["S1_conf"] < TOLERANCE).all() and (indices["ST_conf"] < TOLERANCE).all()


def test_a_grouped_linear_model_gives_each_group_its_share_of_the_variance():
    # Y = sum a_i X_i, X_i ~ U(0, 1) independent: V = sum a_i^2 / 12, and a group's S1 = ST = its a_i^2 share.
    coefficients = np.array([1.0, 2.0, 3.0, 0.5, 0.0])
    groups = ["g1", "g1", "g2", "g3", "g3"]
    problem = {"num_vars": 5, "names": list("abcde"), "bounds": [[0.0, 1.0]] * 5, "groups": groups}
    indices, _ = analyse_model(problem, lambda design: design @ coefficients, 2**12, seed=3)
    squares = coefficients**2
    expected = np.array([squares[:2].sum(), squares[2], squares[3:].sum()]) / squares.sum()
    assert list(indices.index) == ["g1", "g2", "g3"]
    np.testing.assert_allclose(indices["S1"].to_numpy(), expected, atol=0.03)
    np.testing.assert_allclose(indices["ST"].to_numpy(), expected, atol=0.03)


def test_the_vectorised_design_is_salibs_own_sample():
    problem = {
        "num_vars": 6,
        "names": list("abcdef"),
        "bounds": [[0, 1], [0.75, 1.25], [0, 1], [-1, 2], [0, 1], [0, 1]],
        "groups": ["w", "r", "w", "n", "r", "r"],
    }
    expected = sobol_sample.sample(problem, 32, calc_second_order=True, scramble=True, seed=7)
    np.testing.assert_array_equal(saltelli_design(problem, 32, seed=7), expected)


@pytest.fixture(scope="module")
def region():
    return dual_space_tree(), random_raw(30, seed=21, missing_share=0.05)


def test_each_scenario_is_the_engine_scoring_its_weights_and_moved_answers_alone(region):
    tree, raw = region
    method = MethodParameters(sensitivity_samples=8)
    result = sobol_indices(tree, raw, ScoringOptions(), method)
    assumptions = result.assumptions
    assert [a.code for a in assumptions] == ["weights", "rater"]
    problem = {
        "num_vars": sum(a.size for a in assumptions),
        "names": [n for a in assumptions for n in a.variables],
        "bounds": [list(b) for a in assumptions for b in a.bounds],
        "groups": [a.code for a in assumptions for _ in a.variables],
    }
    design = saltelli_design(problem, 8, seed=method.seed)
    nominal = score(tree, raw).ranks["DSMI"].to_numpy()
    np.testing.assert_array_equal(result.nominal_ranks.to_numpy(), nominal)
    weights, rater = assumptions
    nodes = [code for code in tree.codes if code != tree.root]
    for row in (0, 5, 17, design.shape[0] - 1):
        factors = design[row, : weights.size]
        moved = raw.copy()
        for (unit, column), chance, u in zip(rater.cells, rater.moves, design[row, weights.size :], strict=True):
            step = -1 if u < chance / 2 else (1 if u > 1 - chance / 2 else 0)
            code = tree.indicator_codes[column]
            moved.iloc[unit, moved.columns.get_loc(code)] = float(np.clip(raw.iloc[unit][code] + step, 0, 5))
        alone = score(
            tree,
            moved,
            ScoringOptions(weights={code: tree.weight_of[code] * f for code, f in zip(nodes, factors, strict=True)}),
        )
        np.testing.assert_array_equal(result.rank_samples[row], alone.ranks["DSMI"].to_numpy())
        shift = np.nanmean(np.abs(alone.ranks["DSMI"].to_numpy() - nominal))
        assert result.outputs[row] == pytest.approx(shift)


def test_the_result_names_what_it_analysed_and_is_reproducible(region):
    tree, raw = region
    method = MethodParameters(sensitivity_samples=16)
    first = sobol_indices(tree, raw, ScoringOptions(), method)
    again = sobol_indices(tree, raw, ScoringOptions(), method)
    pd.testing.assert_frame_equal(first.indices, again.indices)
    assert list(first.indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert first.output == "mean_abs_rank_shift"
    assert first.samples == 16 * (2 * 2 + 2)
    assert first.most_influential == first.indices["ST"].idxmax()
    assert set(first.sentences.values()) <= set(SENTENCE_KEYS)
    other = sobol_indices(tree, raw, ScoringOptions(), method, seed=method.seed + 1)
    assert not np.array_equal(first.outputs, other.outputs)


def test_an_alternative_that_changes_nothing_has_zero_indices_and_the_one_that_does_leads():
    # Every level indicator spans its goalposts 0-5 in the data, so min-max 0-100 equals goalposts on them;
    # without level answers moving or weights varying, only the aggregation alternative moves the ranking.
    tree = dual_space_tree()
    level_codes = [code for code, spec in INDICATORS.items() if spec[1] == "level"]
    raw = random_raw(30, seed=4).loc[:, level_codes]
    raw.iloc[0] = 0.0
    raw.iloc[1] = 5.0
    # B2 and X2 hold no level indicator.
    levels_only = FrameworkTree(
        tuple(spec for spec in tree.indicators if spec.code in level_codes),
        tuple(node for node in tree.aggregates if node.code not in ("B2", "X2")),
        None,
    )
    method = MethodParameters(
        weight_perturbation=0.0,
        normalisation_alternatives=("minmax:0,100",),
        aggregation_alternatives=("geometric",),
        sensitivity_samples=32,
    )
    no_moves = pd.DataFrame(0.0, index=raw.index, columns=level_codes)
    result = sobol_indices(levels_only, raw, ScoringOptions(), method, move_probability=no_moves)
    assert list(result.indices.index) == ["normalisation", "aggregation"]
    assert result.indices.loc["normalisation", "S1"] == 0.0
    assert result.indices.loc["normalisation", "ST"] == 0.0
    assert result.most_influential == "aggregation"
    assert result.sentences["normalisation"] == "negligible"


def test_empty_lists_and_a_zero_perturbation_leave_their_assumption_out(region):
    tree, raw = region
    none = assumptions_of(tree, raw, ScoringOptions(), MethodParameters(weight_perturbation=0.0), pd.DataFrame())
    assert [a.code for a in none] == []
    spelt_twice = MethodParameters(normalisation_alternatives=("goalposts", "goalposts:0,100"))
    assert [a.code for a in assumptions_of(tree, raw, ScoringOptions(), spelt_twice)] == ["weights", "rater"]
    with_choice = MethodParameters(
        normalisation_alternatives=("goalposts", "minmax:0,100"), imputation_alternatives=("group_mean",)
    )
    found = {a.code: a for a in assumptions_of(tree, raw, ScoringOptions(), with_choice)}
    assert found["normalisation"].choices == ("goalposts", "minmax:0,100")
    assert found["imputation"].choices == ("none", "group_mean")


def test_only_measured_level_answers_with_a_chance_to_move_are_variables(region):
    tree, raw = region
    chance = pd.DataFrame(0.2, index=raw.index, columns=["W1.2", "W1.3"])
    chance.iloc[0, 0] = 0.0
    rater = {a.code: a for a in assumptions_of(tree, raw, ScoringOptions(), MethodParameters(), chance)}["rater"]
    measured = raw[["W1.2", "W1.3"]].notna().to_numpy().copy()
    measured[0, 0] = False
    assert rater.size == int(measured.sum())
    assert set(rater.moves) == {0.2}
    default = {a.code: a for a in assumptions_of(tree, raw, ScoringOptions(), MethodParameters())}["rater"]
    assert set(default.moves) == {MethodParameters().rater_move_probability()}


def test_imputation_alternatives_use_the_groups(region):
    tree, raw = region
    groups = pd.Series(["a", "b"] * 15, index=raw.index)
    method = MethodParameters(imputation_alternatives=("group_mean",), sensitivity_samples=8)
    result = sobol_indices(tree, raw, ScoringOptions(), method, groups=groups)
    assert "imputation" in result.indices.index


def test_nothing_uncertain_is_refused(region):
    tree, raw = region
    with pytest.raises(ScoringInputError):
        sobol_indices(
            tree, raw, ScoringOptions(), MethodParameters(weight_perturbation=0.0), move_probability=pd.DataFrame()
        )


@pytest.mark.parametrize(
    ("s1", "st", "key"),
    [
        (0.0, 0.01, "negligible"),
        (0.5, 0.55, "alone"),
        (0.2, 0.6, "with_interactions"),
        (0.01, 0.4, "through_interactions"),
    ],
)
def test_sentence_keys(s1, st, key):
    assert sentence_key("weights", s1, st, MethodParameters()) == key


def test_a_units_indices_come_from_the_same_runs(region):
    tree, raw = region
    method = MethodParameters(sensitivity_samples=16)
    result = sobol_indices(tree, raw, ScoringOptions(), method)
    assert result.rank_samples.shape == (result.samples, len(raw.index))
    one = unit_indices(result, 3, method)
    assert list(one.index) == list(result.indices.index)
    assert list(one.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    # A unit whose rank never moves has nothing to share out.
    still = result.rank_samples.copy()
    still[:, 3] = result.nominal_ranks.iloc[3]
    frozen = unit_indices(replace(result, rank_samples=still), 3, method)
    assert (frozen.to_numpy() == 0).all()
