"""The Monte Carlo over every assumption, timed beside the weights-only one in the same run.

Run as a script (one core: the thread variables are set before numpy loads):

    .venv/bin/python -m tests.benchmarks.uncertainty_benchmark

The data: 1,000 units x 200 indicators, 150 of them level answers (0-5, the
rater model moves them) and 50 quantities, 200 -> 20 pillars -> 4 sub-indices
-> 1 index.  Two Monte Carlos of 1,000 runs each, alternated three times so
drift in machine load hits both alike: (a) weights only, +-25 % (the kind the
app ran before issue 19); (b) weights, the raters' judgement (each level
answer with a chance of 0.05 to 0.44 to move one level, drawn from the rater
model's own range) and two normalisation alternatives (min-max and z-score)
drawn per run.  Issue 19's target: (b) under 5 s on one core.  Then (c): (b)
with 5 % of the quantities missing, imputed by regression in the nominal run,
and two imputation alternatives ("none" and regression) drawn per run beside
the two normalisations (four normalised matrices).
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from assessment.scoring import (  # noqa: E402
    FrameworkTree,
    IndicatorSpec,
    MonteCarloOptions,
    Node,
    ScoringOptions,
    prepare,
    rescore_with_weights,
)
from assessment.scoring.method import DEFAULT_METHOD  # noqa: E402
from tests.benchmarks.scoring_benchmark import median_seconds  # noqa: E402

UNITS, INDICATORS, LEVEL_INDICATORS, PILLARS, SUB_INDICES = 1000, 200, 150, 20, 4
MISSING_SHARE = 0.05
# The draws, factor range and seed are the default method's (one home for method numbers).
RUNS = DEFAULT_METHOD.runs


def dataset(seed: int = 19) -> tuple[FrameworkTree, pd.DataFrame, pd.DataFrame]:
    """The tree, the raw values and each level answer's chance to move."""
    rng = np.random.default_rng(seed)
    indicators = tuple(
        IndicatorSpec(
            f"I{i:03d}",
            f"P{i * PILLARS // INDICATORS:02d}",
            weight=float(rng.uniform(0.5, 2.0)),
            type="level" if i < LEVEL_INDICATORS else "quantitative",
        )
        for i in range(INDICATORS)
    )
    aggregates = (
        Node("INDEX"),
        *(Node(f"S{s}", "INDEX") for s in range(SUB_INDICES)),
        *(Node(f"P{p:02d}", f"S{p * SUB_INDICES // PILLARS}") for p in range(PILLARS)),
    )
    tree = FrameworkTree(indicators, aggregates)
    units = pd.Index([f"U{u:04d}" for u in range(UNITS)], dtype="str")
    values = np.hstack(
        [
            rng.integers(0, 6, (UNITS, LEVEL_INDICATORS)).astype(float),
            rng.lognormal(3, 1, (UNITS, INDICATORS - LEVEL_INDICATORS)),
        ]
    )
    raw = pd.DataFrame(values, index=units, columns=list(tree.indicator_codes))
    confidences, grades = list(DEFAULT_METHOD.rater_move_by_confidence), list(DEFAULT_METHOD.rater_move_by_quality)
    chances = [
        [
            DEFAULT_METHOD.rater_move_probability(str(rng.choice(confidences)), str(rng.choice(grades)))
            for _ in range(LEVEL_INDICATORS)
        ]
        for _ in range(UNITS)
    ]
    moves = pd.DataFrame(chances, index=units, columns=list(tree.indicator_codes)[:LEVEL_INDICATORS])
    return tree, raw, moves


def main() -> None:
    tree, raw, moves = dataset()
    prepared = prepare(tree, raw, ScoringOptions(normalisation="minmax:0,100", aggregation="arithmetic"))
    weights_only = MonteCarloOptions.from_method(DEFAULT_METHOD)
    everything = MonteCarloOptions.from_method(
        DEFAULT_METHOD, rater_moves=moves, normalisations=("minmax:0,100", "zscore")
    )
    # (c): some quantities missing, imputed by regression; imputation alternatives drawn per run.
    gappy = raw.copy()
    quantities = gappy.columns[LEVEL_INDICATORS:]
    holes = np.random.default_rng(20).random((UNITS, len(quantities))) < MISSING_SHARE
    gappy[quantities] = gappy[quantities].mask(holes)
    prepared_gappy = prepare(
        tree, gappy, ScoringOptions(normalisation="minmax:0,100", aggregation="arithmetic", imputation=("regression",))
    )
    with_imputation = MonteCarloOptions.from_method(
        DEFAULT_METHOD,
        rater_moves=moves,
        normalisations=("minmax:0,100", "zscore"),
        imputations=("none", "regression"),
    )
    a, b, c = [], [], []
    for _ in range(3):
        a.append(median_seconds(lambda: rescore_with_weights(prepared, monte_carlo=weights_only), 1))
        b.append(median_seconds(lambda: rescore_with_weights(prepared, monte_carlo=everything), 1))
        c.append(median_seconds(lambda: rescore_with_weights(prepared_gappy, monte_carlo=with_imputation), 1))
    weights_s, all_s, imputed_s = min(a), min(b), min(c)
    print(f"| Monte Carlo, {RUNS:,} runs, weights only | {weights_s:.2f} s | - |")
    print(
        f"| Monte Carlo, {RUNS:,} runs, weights + raters' judgement + 2 normalisation alternatives "
        f"| {all_s:.2f} s | < 5 s |"
    )
    print(
        f"| Monte Carlo, {RUNS:,} runs, the same + 2 imputation alternatives, {MISSING_SHARE:.0%} of quantities "
        f"missing | {imputed_s:.2f} s | - |"
    )
    print(f"| ratio (every assumption / weights only), same run | {all_s / weights_s:.2f} | - |")


if __name__ == "__main__":
    main()
