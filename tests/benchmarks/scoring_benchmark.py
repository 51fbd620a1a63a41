"""Scoring-engine benchmark: synthetic COINr-format data, timed against bare numpy.

Run as a script to print the table pasted into docs/performance.md:

    .venv/bin/python -m tests.benchmarks.scoring_benchmark

The data: 1,000 units x 200 indicators (random directions and weights, 5%
of values missing), 200 -> 20 pillars -> 4 sub-indices -> 1 index (four
levels), written as iMeta/iData CSV files and read back with the engine's
COINr reader.  Scoring uses min-max to [0, 100] and weighted arithmetic means,
COINr's defaults, so that the bare numpy computation beside it does exactly
the same arithmetic: direction, min-max, masked weighted means level by
level, min-method ranks of every aggregate.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from assessment.scoring import (
    FrameworkTree,
    IndicatorSpec,
    MonteCarloOptions,
    Node,
    Rung,
    ScoringOptions,
    StageLadder,
    prepare,
    read_idata,
    read_imeta,
    rescore_with_weights,
    score,
    tree_from_imeta,
)
from assessment.scoring.method import DEFAULT_METHOD

REPO_ROOT = Path(__file__).resolve().parents[2]
UNITS = 1000
INDICATORS = 200
PILLARS = 20
SUB_INDICES = 4
MISSING_SHARE = 0.05
# The default method's draws and factor range (one home for method numbers).
MONTE_CARLO_RUNS = DEFAULT_METHOD.runs
PERTURBATION = DEFAULT_METHOD.weight_perturbation
OPTIONS = ScoringOptions(normalisation="minmax:0,100", aggregation="arithmetic")


def synthetic_coinr_tables(seed: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    """iMeta and iData frames in COINr's format."""
    rng = np.random.default_rng(seed)
    meta_rows = [
        {
            "Level": 1,
            "iCode": f"I{i:03d}",
            "iName": f"Indicator {i}",
            "Direction": int(rng.choice([1, -1])),
            "Weight": round(float(rng.uniform(0.5, 2.0)), 3),
            "Parent": f"P{i * PILLARS // INDICATORS:02d}",
            "Type": "Indicator",
        }
        for i in range(INDICATORS)
    ]
    meta_rows += [
        {
            "Level": 2,
            "iCode": f"P{p:02d}",
            "iName": f"Pillar {p}",
            "Direction": 1,
            "Weight": round(float(rng.uniform(0.5, 2.0)), 3),
            "Parent": f"S{p * SUB_INDICES // PILLARS}",
            "Type": "Aggregate",
        }
        for p in range(PILLARS)
    ]
    meta_rows += [
        {
            "Level": 3,
            "iCode": f"S{s}",
            "iName": f"Sub-index {s}",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": "Index",
            "Type": "Aggregate",
        }
        for s in range(SUB_INDICES)
    ]
    meta_rows.append(
        {
            "Level": 4,
            "iCode": "Index",
            "iName": "Index",
            "Direction": 1,
            "Weight": 1.0,
            "Parent": None,
            "Type": "Aggregate",
        }
    )
    imeta = pd.DataFrame(meta_rows)
    values = rng.lognormal(mean=2.0, sigma=0.8, size=(UNITS, INDICATORS))
    values[rng.random(values.shape) < MISSING_SHARE] = np.nan
    idata = pd.DataFrame(values, columns=[row["iCode"] for row in meta_rows[:INDICATORS]])
    idata.insert(0, "uCode", [f"U{u:04d}" for u in range(UNITS)])
    idata.insert(1, "uName", [f"Unit {u}" for u in range(UNITS)])
    return imeta, idata


@dataclass(frozen=True)
class Dataset:
    tree: FrameworkTree
    raw: pd.DataFrame
    read_seconds: float


def load_dataset() -> Dataset:
    """Write the synthetic tables as CSV and read them back as the command does."""
    imeta, idata = synthetic_coinr_tables()
    with tempfile.TemporaryDirectory() as folder:
        meta_path = Path(folder) / "iMeta.csv"
        data_path = Path(folder) / "iData.csv"
        imeta.to_csv(meta_path, index=False)
        idata.to_csv(data_path, index=False)
        started = time.perf_counter()
        tree = tree_from_imeta(read_imeta(meta_path))
        raw, _others = read_idata(data_path, tree)
        read_seconds = time.perf_counter() - started
    return Dataset(tree, raw, read_seconds)


def bare_numpy_scorer(tree: FrameworkTree) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The same arithmetic written directly in numpy, with the tree unpacked beforehand."""
    codes = list(tree.codes)
    column = {code: position for position, code in enumerate(codes)}
    direction = np.array([spec.direction for spec in tree.indicators], dtype=np.float64)
    levels = []
    for level in tree.aggregate_levels:
        parents = [code for code in tree.aggregate_codes if tree.level_of(code) == level]
        children = [child for parent in parents for child in tree.children_of[parent]]
        weights = np.zeros((len(children), len(parents)))
        for position, child in enumerate(children):
            weights[position, parents.index(tree.parent_of[child])] = tree.weight_of[child]
        levels.append(
            (
                np.array([column[c] for c in children]),
                np.array([column[p] for p in parents]),
                weights,
            )
        )
    n_indicators = len(tree.indicators)

    def scorer(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        oriented = raw * direction
        low = np.nanmin(oriented, axis=0)
        high = np.nanmax(oriented, axis=0)
        values = np.empty((raw.shape[0], len(codes)))
        values[:, :n_indicators] = (oriented - low) / (high - low) * 100.0
        for children, parents, weights in levels:
            scores = values[:, children]
            present = ~np.isnan(scores)
            values[:, parents] = (np.where(present, scores, 0.0) @ weights) / (present @ weights)
        aggregates = values[:, n_indicators:]
        order = np.argsort(-aggregates, axis=0)
        ordered = np.take_along_axis(-aggregates, order, axis=0)
        starts = np.ones(ordered.shape, dtype=bool)
        starts[1:] = ordered[1:] != ordered[:-1]
        first = np.maximum.accumulate(np.where(starts, np.arange(len(ordered))[:, None], 0), axis=0)
        ranks = np.empty_like(aggregates)
        np.put_along_axis(ranks, order, first + 1.0, axis=0)
        return aggregates, ranks

    return scorer


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    action()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


# The default framework's shape: dimensions and their indicator counts (FRAMEWORK.md).
REGION_DIMENSIONS = {
    "IC": {"W1": 6, "B1": 5, "W2": 4, "B2": 5, "W3": 6},
    "XB": {"X1": 4, "X2": 6, "X3": 4, "X4": 5, "X5": 4, "X6": 5},
}
REGION_CITIES = 41


def region_dataset(seed: int = 41) -> tuple[FrameworkTree, pd.DataFrame]:
    """41 cities on a Dual-Space-shaped framework of level indicators, with the stage ladder."""
    rng = np.random.default_rng(seed)
    indicators, aggregates = [], [Node("DSMI")]
    for half, dimensions in REGION_DIMENSIONS.items():
        aggregates.append(Node(half, "DSMI"))
        for dimension, count in dimensions.items():
            aggregates.append(Node(dimension, half))
            indicators += [
                IndicatorSpec(f"{dimension}.{i}", dimension, type="level", critical=i == 1) for i in range(1, count + 1)
            ]
    ladder = StageLadder(
        tuple(
            Rung(code, (node,))
            for code, node in [
                ("S1", "W1"),
                ("S1+", "B1"),
                ("S2", "W2"),
                ("S2+", "B2"),
                ("S3", "W3"),
                ("S4", "XB"),
            ]
        )
    )
    tree = FrameworkTree(tuple(indicators), tuple(aggregates), ladder)
    levels = rng.integers(1, 6, (REGION_CITIES, len(indicators))).astype(np.float64)
    raw = pd.DataFrame(
        levels,
        columns=list(tree.indicator_codes),
        index=pd.Index([f"{320000 + 100 * c}" for c in range(REGION_CITIES)], dtype="str"),
    )
    return tree, raw


@dataclass(frozen=True)
class Figures:
    read_seconds: float
    score_seconds: float
    bare_seconds: float
    rescore_seconds: float
    monte_carlo_seconds: float
    peak_rss_mib: float
    peak_traced_mib: float
    max_difference: float
    region_rescore_seconds: float
    region_gaps_seconds: float

    @property
    def ratio(self) -> float:
        return self.score_seconds / self.bare_seconds


def measure_speed(repeats: int = 30) -> Figures:
    dataset = load_dataset()
    scorer = bare_numpy_scorer(dataset.tree)
    matrix = dataset.raw.to_numpy(dtype=np.float64)
    # Alternate the two so drift in machine load hits both alike.
    score_timings, bare_timings = [], []
    for _ in range(3):
        score_timings.append(median_seconds(lambda: score(dataset.tree, dataset.raw, OPTIONS), repeats))
        bare_timings.append(median_seconds(lambda: scorer(matrix), repeats))
    result = score(dataset.tree, dataset.raw, OPTIONS)
    aggregates, ranks = scorer(matrix)
    difference = float(np.nanmax(np.abs(result.aggregates.to_numpy() - aggregates)))
    if not np.array_equal(result.ranks.to_numpy(), ranks):
        difference = float("inf")
    prepared = prepare(dataset.tree, dataset.raw, OPTIONS)
    rescore = median_seconds(lambda: rescore_with_weights(prepared, {"P00": 2.0}), repeats)
    memory = measure_monte_carlo_in_subprocess()
    region_tree, region_raw = region_dataset()
    region = prepare(region_tree, region_raw)
    region_rescore = median_seconds(lambda: rescore_with_weights(region, {"W1": 2.0}), repeats)
    region_gaps = median_seconds(lambda: rescore_with_weights(region, {"W1": 2.0}).gaps, 5)
    return Figures(
        read_seconds=dataset.read_seconds,
        score_seconds=min(score_timings),
        bare_seconds=min(bare_timings),
        rescore_seconds=rescore,
        monte_carlo_seconds=memory["seconds"],
        peak_rss_mib=memory["peak_rss_mib"],
        peak_traced_mib=memory["peak_traced_mib"],
        max_difference=difference,
        region_rescore_seconds=region_rescore,
        region_gaps_seconds=region_gaps,
    )


def monte_carlo_child() -> None:
    """Run in a fresh interpreter: the Monte Carlo alone, its time and peak memory as JSON."""
    dataset = load_dataset()
    prepared = prepare(dataset.tree, dataset.raw, OPTIONS)
    options = MonteCarloOptions.from_method(DEFAULT_METHOD)
    started = time.perf_counter()
    rescore_with_weights(prepared, monte_carlo=options)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    rescore_with_weights(prepared, monte_carlo=options)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mib": peak_rss_kib / 1024,
                "peak_traced_mib": traced_peak / 2**20,
            }
        )
    )


def measure_monte_carlo_in_subprocess() -> dict[str, float]:
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.benchmarks.scoring_benchmark import monte_carlo_child; monte_carlo_child()",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def table(figures: Figures) -> str:
    rows = [
        ("Read iMeta + iData CSV (1,000 x 200)", f"{figures.read_seconds * 1e3:.1f} ms", "-"),
        (
            "`score()` 1,000 units x 200 indicators, 4 levels",
            f"{figures.score_seconds * 1e3:.1f} ms",
            "< 50 ms",
        ),
        ("Bare numpy, same arithmetic, same run", f"{figures.bare_seconds * 1e3:.1f} ms", "-"),
        ("Ratio engine / bare numpy", f"{figures.ratio:.2f}x", "< 3x"),
        (
            "`rescore_with_weights()` 1,000 x 200 (weight slider)",
            f"{figures.rescore_seconds * 1e3:.1f} ms",
            "-",
        ),
        (
            "`rescore_with_weights()` 41 cities x 54 level indicators, with stages",
            f"{figures.region_rescore_seconds * 1e3:.2f} ms",
            "-",
        ),
        (
            "... then every city's gap to the next rung",
            f"{figures.region_gaps_seconds * 1e3:.0f} ms",
            "-",
        ),
        (
            f"Monte Carlo, {MONTE_CARLO_RUNS:,} weight runs (+-{PERTURBATION:.0%}) with ranks",
            f"{figures.monte_carlo_seconds:.2f} s",
            "< 5 s",
        ),
        (
            "Peak resident memory of the Monte Carlo process",
            f"{figures.peak_rss_mib:.0f} MiB",
            "< 1024 MiB",
        ),
        (
            "Peak traced allocations during the Monte Carlo",
            f"{figures.peak_traced_mib:.0f} MiB",
            "-",
        ),
        (
            "Largest difference engine vs bare numpy",
            f"{figures.max_difference:.1e}",
            "ranks identical",
        ),
    ]
    lines = ["| measure | value | limit |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {limit} |" for name, value, limit in rows]
    return "\n".join(lines)


def main() -> None:
    import os

    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, {os.cpu_count()} cores")
    print(table(measure_speed()))


if __name__ == "__main__":
    main()
