import numpy as np
import pytest

from assessment.scoring import (
    MonteCarloOptions,
    ScoringInputError,
    ScoringOptions,
    prepare,
    rescore_with_weights,
    score,
)

from .frameworks import dual_space_tree, random_raw


@pytest.fixture(scope="module")
def prepared():
    return prepare(dual_space_tree(), random_raw(25, seed=11, missing_share=0.05))


def test_the_same_seed_gives_the_same_intervals_and_another_seed_does_not(prepared):
    options = MonteCarloOptions(runs=50, perturbation=0.3, seed=42)
    first = rescore_with_weights(prepared, monte_carlo=options).uncertainty
    again = rescore_with_weights(prepared, monte_carlo=options).uncertainty
    other = rescore_with_weights(
        prepared, monte_carlo=MonteCarloOptions(runs=50, perturbation=0.3, seed=43)
    ).uncertainty
    np.testing.assert_array_equal(first.rank_samples, again.rank_samples)
    assert not np.array_equal(first.rank_samples, other.rank_samples)


def test_without_perturbation_every_run_gives_the_nominal_ranks_and_stage(prepared):
    result = rescore_with_weights(prepared, monte_carlo=MonteCarloOptions(runs=7, perturbation=0.0, seed=1))
    uncertainty = result.uncertainty
    nominal = result.ranks["DSMI"].to_numpy()
    for column in ("rank_p05", "rank_median", "rank_p95"):
        np.testing.assert_array_equal(uncertainty.ranks[column].to_numpy(), nominal)
    stage_probability = uncertainty.stage_probability
    for unit, stage in result.stages.items():
        assert stage_probability.loc[unit, stage] == 1.0


def test_vectorised_runs_equal_scoring_each_run_alone(prepared):
    runs, perturbation, seed = 6, 0.25, 9
    result = rescore_with_weights(
        prepared,
        monte_carlo=MonteCarloOptions(runs=runs, perturbation=perturbation, seed=seed, block_bytes=1),
    )
    codes = prepared.tree.codes
    base = prepared.node_weights()
    factors = 1 + perturbation * np.random.default_rng(seed).uniform(-1, 1, (runs, len(codes)))
    for run in range(runs):
        alone = rescore_with_weights(prepared, dict(zip(codes, base * factors[run], strict=True)))
        np.testing.assert_array_equal(result.uncertainty.rank_samples[run], alone.ranks["DSMI"].to_numpy())


def test_method_choices_are_drawn_per_run_and_match_scoring_each_run_alone():
    tree = dual_space_tree()
    raw = random_raw(15, seed=12)
    runs, seed = 8, 5
    options = MonteCarloOptions(
        runs=runs,
        perturbation=0.2,
        seed=seed,
        normalisations=("goalposts", "minmax:1,100"),
        aggregations=("arithmetic", "geometric"),
    )
    result = score(tree, raw, ScoringOptions(monte_carlo=options))
    rng = np.random.default_rng(seed)
    factors = 1 + 0.2 * rng.uniform(-1, 1, (runs, len(tree.codes)))
    normalisation = rng.integers(2, size=runs)
    aggregation = rng.integers(2, size=runs)
    for run in range(runs):
        weights = dict(zip(tree.codes, factors[run], strict=True))
        alone = score(
            tree,
            raw,
            ScoringOptions(
                normalisation=("goalposts", "minmax:1,100")[normalisation[run]],
                aggregation=("arithmetic", "geometric")[aggregation[run]],
                weights=weights,
            ),
        )
        np.testing.assert_array_equal(result.uncertainty.rank_samples[run], alone.ranks["DSMI"].to_numpy())


def test_intervals_are_ordered_and_stage_probabilities_sum_to_one(prepared):
    uncertainty = rescore_with_weights(
        prepared, monte_carlo=MonteCarloOptions(runs=200, perturbation=0.5, seed=3, levels=(2, 3))
    ).uncertainty
    ranks = uncertainty.ranks
    assert (ranks["rank_p05"] <= ranks["rank_median"]).all()
    assert (ranks["rank_median"] <= ranks["rank_p95"]).all()
    np.testing.assert_allclose(uncertainty.stage_probability.sum(axis=1), 1.0)


def test_perturbing_only_chosen_levels_leaves_the_others(prepared):
    uncertainty = rescore_with_weights(
        prepared, monte_carlo=MonteCarloOptions(runs=20, perturbation=0.5, seed=3, levels=(4,))
    ).uncertainty
    # Only the root's own weight is perturbed, and it has no siblings.
    assert (uncertainty.ranks["rank_p05"] == uncertainty.ranks["rank_p95"]).all()


def test_bad_monte_carlo_options_are_input_errors(prepared):
    with pytest.raises(ScoringInputError):
        rescore_with_weights(prepared, monte_carlo=MonteCarloOptions(runs=0, perturbation=1.5))
