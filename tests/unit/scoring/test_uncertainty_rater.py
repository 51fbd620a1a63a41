"""The rater model in the Monte Carlo: each level answer moves one level with its own chance."""

import numpy as np
import pandas as pd
import pytest

from assessment.scoring import MonteCarloOptions, prepare, rescore_with_weights
from assessment.scoring.method import DEFAULT_METHOD, MethodParameters
from assessment.scoring.normalise import Normalisation
from assessment.scoring.uncertainty import _RaterDraws

from .frameworks import dual_space_tree, random_raw


@pytest.fixture(scope="module")
def prepared():
    return prepare(dual_space_tree(), random_raw(30, seed=21))


def level_codes(prepared):
    return [spec.code for spec in prepared.tree.indicators if spec.type == "level"]


def moves(prepared, probability: float) -> pd.DataFrame:
    codes = level_codes(prepared)
    return pd.DataFrame(probability, index=prepared.units, columns=codes)


def draws(prepared, probability: float, entropy: int = 7) -> _RaterDraws:
    rater = _RaterDraws.of(prepared.tree, prepared.units, prepared.raw, moves(prepared, probability), entropy)
    assert rater is not None
    return rater


def test_a_zero_chance_gives_the_weights_only_intervals(prepared):
    options = MonteCarloOptions(runs=40, perturbation=0.25, seed=3)
    weights_only = rescore_with_weights(prepared, monte_carlo=options).uncertainty
    zero = rescore_with_weights(
        prepared,
        monte_carlo=MonteCarloOptions(runs=40, perturbation=0.25, seed=3, rater_moves=moves(prepared, 0.0)),
    ).uncertainty
    np.testing.assert_array_equal(weights_only.rank_samples, zero.rank_samples)


def test_answers_move_one_level_as_often_as_their_chance_says_and_stay_on_the_scale(prepared):
    probability, runs = 0.3, 200
    rater = draws(prepared, probability)
    scores = rater.scores(prepared.normalised, prepared.fitted, np.arange(runs))
    columns = [prepared.tree.codes.index(code) for code in level_codes(prepared)]
    nominal = prepared.normalised[:, columns]
    moved = scores[:, :, columns]
    change = moved - nominal
    # One level is 20 points on the 0-100 goalposts; a move past 0 or 5 is kept on the scale.
    assert set(np.unique(np.round(change, 9))) <= {-20.0, 0.0, 20.0}
    assert moved.min() >= 0 and moved.max() <= 100
    # Cells that can move both ways (levels 1-4): the share moved is the chance, within 4 binomial sigmas.
    inner = (nominal > 0) & (nominal < 100)
    cells = int(inner.sum()) * runs
    share = float((change[:, inner] != 0).sum()) / cells
    assert abs(share - probability) < 4 * np.sqrt(probability * (1 - probability) / cells)
    # Other indicators never move.
    others = [i for i in range(prepared.normalised.shape[1]) if i not in columns]
    np.testing.assert_array_equal(
        scores[:, :, others],
        np.broadcast_to(prepared.normalised[:, others], (runs, *prepared.normalised[:, others].shape)),
    )


def test_a_runs_moves_do_not_depend_on_the_block_it_is_drawn_in(prepared):
    rater = draws(prepared, 0.5)
    whole = rater.scores(prepared.normalised, prepared.fitted, np.arange(10))
    tail = rater.scores(prepared.normalised, prepared.fitted, np.arange(5, 10))
    np.testing.assert_array_equal(whole[5:], tail)


def test_uncertain_answers_widen_the_rank_intervals(prepared):
    base = dict(runs=200, perturbation=DEFAULT_METHOD.weight_perturbation, seed=4)
    sure = rescore_with_weights(prepared, monte_carlo=MonteCarloOptions(**base)).uncertainty.ranks
    unsure = rescore_with_weights(
        prepared, monte_carlo=MonteCarloOptions(**base, rater_moves=moves(prepared, 0.4))
    ).uncertainty.ranks
    width = lambda ranks: (ranks["rank_p95"] - ranks["rank_p05"]).mean()  # noqa: E731
    assert width(unsure) > width(sure)


def test_the_chance_comes_from_confidence_and_grade():
    method = DEFAULT_METHOD
    assert method.rater_move_probability("high", "A") < method.rater_move_probability("low", "F")
    high, grade_a = method.rater_move_by_confidence["high"], method.rater_move_by_quality["A"]
    assert method.rater_move_probability("high", "A") == pytest.approx(1 - (1 - high) * (1 - grade_a))


def test_each_run_equals_scoring_its_moved_answers_alone(prepared):
    from dataclasses import replace

    runs, seed = 6, 8
    options = MonteCarloOptions(runs=runs, perturbation=0.0, seed=seed, rater_moves=moves(prepared, 0.5), block_bytes=1)
    result = rescore_with_weights(prepared, monte_carlo=options).uncertainty
    # The engine draws the weight factors first, then the number that seeds every run's moves.
    rng = np.random.default_rng(seed)
    rng.uniform(-1.0, 1.0, (runs, len(prepared.tree.codes)))
    rater = draws(prepared, 0.5, entropy=int(rng.integers(2**63 - 1)))
    moved = rater.scores(prepared.normalised, prepared.fitted, np.arange(runs))
    for run in range(runs):
        alone = rescore_with_weights(replace(prepared, normalised=moved[run]))
        np.testing.assert_array_equal(result.rank_samples[run], alone.ranks["DSMI"].to_numpy())


def test_imputation_alternatives_are_drawn_per_run_and_match_scoring_each_alone():
    from assessment.scoring import ScoringOptions, score

    tree = dual_space_tree()
    raw = random_raw(20, seed=31)
    # Gaps in a few indicators only, so regression has fully measured predictors to work from.
    for column in raw.columns[:4]:
        raw.loc[raw.index[[1, 5, 9]], column] = np.nan
    groups = pd.Series(["north", "south"] * 10, index=raw.index)
    runs = 12
    options = ScoringOptions(
        imputation=("group_mean",),
        monte_carlo=MonteCarloOptions(runs=runs, perturbation=0.0, seed=2, imputations=("none", "regression")),
    )
    result = score(tree, raw, options, groups=groups)
    alone = {
        name: score(tree, raw, ScoringOptions(imputation=() if name == "none" else (name,)), groups=groups)
        .ranks[tree.root]
        .to_numpy()
        for name in ("none", "regression")
    }
    assert not np.array_equal(alone["none"], alone["regression"])
    samples = result.uncertainty.rank_samples
    for run in range(runs):
        assert any(np.array_equal(samples[run], ranks) for ranks in alone.values())
    assert any(np.array_equal(samples[run], alone["none"]) for run in range(runs))
    assert any(np.array_equal(samples[run], alone["regression"]) for run in range(runs))


def test_the_nominal_method_is_drawn_beside_the_alternatives_a_version_names():
    method = MethodParameters(
        normalisation_alternatives=("zscore", "minmax"),
        aggregation_alternatives=("geometric", "arithmetic"),
        imputation_alternatives=("none", "regression"),
    )
    options = MonteCarloOptions.from_method(
        method,
        nominal_normalisation="minmax:0,100",
        nominal_aggregation=["arithmetic", "arithmetic"],
        nominal_imputation=("regression",),
    )
    # "minmax" is the nominal min-max again and "arithmetic" the nominal per-level list: each is drawn once.
    assert options.normalisations == (Normalisation.parse("minmax:0,100"), "zscore")
    assert options.aggregations == (("arithmetic", "arithmetic"), "geometric")
    assert options.imputations == ("regression", "none")
    # Without alternatives the nominal choice is kept and nothing is drawn.
    plain = MonteCarloOptions.from_method(MethodParameters(), nominal_normalisation="zscore")
    assert plain.normalisations == () and plain.aggregations == () and plain.imputations == ()


def test_a_high_confidence_grade_a_answer_moves_rarely():
    tree, runs = dual_space_tree(), 2000
    data = random_raw(30, seed=22)
    prepared = prepare(tree, data)
    probability = DEFAULT_METHOD.rater_move_probability("high", "A")
    rater = draws(prepared, probability, entropy=11)
    columns = [prepared.tree.codes.index(code) for code in level_codes(prepared)]
    change = (
        rater.scores(prepared.normalised, prepared.fitted, np.arange(runs))[:, :, columns]
        - (prepared.normalised[:, columns])
    )
    inner = (prepared.normalised[:, columns] > 0) & (prepared.normalised[:, columns] < 100)
    cells = int(inner.sum()) * runs
    share = float((change[:, inner] != 0).sum()) / cells
    # The share moved is the model's chance for (high, A), within 4 binomial sigmas, and rare.
    assert abs(share - probability) < 4 * np.sqrt(probability * (1 - probability) / cells)
    assert share < DEFAULT_METHOD.rater_move_probability("low", "F") / 2


def test_the_same_seed_gives_the_same_rater_draws_and_another_seed_does_not(prepared):
    def samples(seed: int) -> np.ndarray:
        options = MonteCarloOptions.from_method(DEFAULT_METHOD, runs=50, seed=seed, rater_moves=moves(prepared, 0.3))
        return rescore_with_weights(prepared, monte_carlo=options).uncertainty.rank_samples

    np.testing.assert_array_equal(samples(5), samples(5))
    assert not np.array_equal(samples(5), samples(6))
