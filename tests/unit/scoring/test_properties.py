"""Properties every scoring run must keep, checked on generated data."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.scoring import ScoringOptions, prepare, rescore_with_weights, score
from assessment.scoring.stage_ladder import LadderPlan, requirements_met, stage_index

from .frameworks import INDICATORS, dual_space_tree, random_raw

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TREE = dual_space_tree()
CODES = list(INDICATORS)
methods = st.sampled_from(["arithmetic", "geometric", "harmonic"])
monotone_methods = st.sampled_from(["arithmetic", "geometric"])


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 10_000),
    constant=st.floats(1e-3, 1e3),
    weights=st.lists(st.floats(0.1, 10.0), min_size=len(TREE.codes), max_size=len(TREE.codes)),
    aggregation=st.lists(methods, min_size=3, max_size=3),
    normalisation=st.sampled_from(["goalposts", "minmax:1,100"]),
)
def test_multiplying_all_weights_by_a_constant_changes_nothing(seed, constant, weights, aggregation, normalisation):
    raw = random_raw(12, seed=seed, missing_share=0.1)
    prepared = prepare(TREE, raw, ScoringOptions(normalisation=normalisation, aggregation=aggregation))
    base = dict(zip(TREE.codes, weights, strict=True))
    scaled = {code: weight * constant for code, weight in base.items()}
    before = rescore_with_weights(prepared, base)
    after = rescore_with_weights(prepared, scaled)
    np.testing.assert_allclose(after.aggregates, before.aggregates, rtol=1e-9, atol=1e-9)
    # Ranks may only differ where two units tie to rounding error.
    separated = clear_of_others(before.aggregates.to_numpy())
    np.testing.assert_array_equal(after.ranks.to_numpy()[separated], before.ranks.to_numpy()[separated])
    assert (after.stages == before.stages).all()


def clear_of_others(values: np.ndarray) -> np.ndarray:
    distances = np.abs(values[:, None, :] - values[None, :, :])
    own = np.arange(len(values))
    distances[own, own, :] = np.inf
    return np.nan_to_num(distances, nan=np.inf).min(axis=1) > 1e-9


def improved(raw, unit: str, code: str, amount: float, worse: bool = False):
    _parent, kind, direction, lower, upper, _critical = INDICATORS[code]
    sign = -1 if worse else 1
    changed = raw.copy()
    value = raw.loc[unit, code]
    if kind in ("level", "binary", "count"):
        step = max(1.0, round(amount * (upper - lower)))
        new = value + sign * direction * step
    else:
        new = value + sign * direction * amount * (upper - lower)
    changed.loc[unit, code] = float(min(max(new, lower), upper))
    return changed


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 10_000),
    unit_index=st.integers(0, 9),
    code=st.sampled_from(CODES),
    amount=st.floats(0.01, 1.0),
    aggregation=st.lists(monotone_methods, min_size=3, max_size=3),
    normalisation=st.sampled_from(["goalposts", "minmax:0,100", "minmax:1,100"]),
)
def test_raising_one_indicator_never_lowers_any_ancestor(seed, unit_index, code, amount, aggregation, normalisation):
    raw = random_raw(10, seed=seed, missing_share=0.1)
    unit = raw.index[unit_index]
    if np.isnan(raw.loc[unit, code]):
        return
    options = ScoringOptions(normalisation=normalisation, aggregation=aggregation)
    before = score(TREE, raw, options)
    after = score(TREE, improved(raw, unit, code, amount), options)
    ancestors = list(TREE.ancestors(code))
    old = before.aggregates.loc[unit, ancestors].to_numpy()
    new = after.aggregates.loc[unit, ancestors].to_numpy()
    assert np.all((new >= old - 1e-9) | (np.isnan(old) & np.isnan(new)))


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 10_000),
    kept=st.lists(st.booleans(), min_size=15, max_size=15),
    unit_index=st.integers(0, 14),
)
def test_with_goalposts_a_units_scores_do_not_depend_on_the_others(seed, kept, unit_index):
    raw = random_raw(15, seed=seed, missing_share=0.1)
    kept[unit_index] = True
    unit = raw.index[unit_index]
    everyone = score(TREE, raw)
    some = score(TREE, raw.loc[np.array(kept)])
    np.testing.assert_allclose(some.normalised.loc[unit], everyone.normalised.loc[unit], rtol=0, atol=1e-12)
    np.testing.assert_allclose(some.aggregates.loc[unit], everyone.aggregates.loc[unit], rtol=0, atol=1e-12)
    assert some.stages[unit] == everyone.stages[unit]


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 10_000),
    unit_index=st.integers(0, 9),
    code=st.sampled_from(CODES),
    amount=st.floats(0.01, 1.0),
)
def test_the_stage_never_rises_when_an_indicator_score_falls(seed, unit_index, code, amount):
    raw = random_raw(10, seed=seed, missing_share=0.05)
    unit = raw.index[unit_index]
    if np.isnan(raw.loc[unit, code]):
        return
    before = score(TREE, raw)
    after = score(TREE, improved(raw, unit, code, amount, worse=True))
    stages = TREE.ladder.stages
    assert stages.index(after.stages[unit]) <= stages.index(before.stages[unit])


@PROPERTY_SETTINGS
@given(
    scores=st.lists(st.floats(0, 100), min_size=len(TREE.codes), max_size=len(TREE.codes)),
    node=st.integers(0, len(TREE.codes) - 1),
    drop=st.floats(0, 100),
)
def test_the_stage_never_rises_when_any_node_score_falls(scores, node, drop):
    ladder = LadderPlan.from_tree(TREE)
    values = np.array([scores])
    lowered = values.copy()
    lowered[0, node] -= drop
    assert stage_index(requirements_met(lowered, ladder))[0] <= stage_index(requirements_met(values, ladder))[0]
