"""Small frameworks for scoring tests, shaped like the Dual-Space framework.

DSMI -> IC (W1, B1, W2, B2, W3) and XB (X1, X2) -> indicators of every type.
The ladder is the framework's: S1 needs W1, S1+ needs B1, S2 needs W2,
S2+ needs B2, S3 needs W3, S4 needs XB.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assessment.scoring import FrameworkTree, IndicatorSpec, Node, Rung, StageLadder

DIMENSIONS = {
    "IC": ["W1", "B1", "W2", "B2", "W3"],
    "XB": ["X1", "X2"],
}

# code: (parent, type, direction, lower, upper, critical)
INDICATORS: dict[str, tuple[str, str, int, float, float, bool]] = {
    "W1.1": ("W1", "quantitative", 1, 0.0, 100.0, False),
    "W1.2": ("W1", "level", 1, 0.0, 5.0, True),
    "W1.3": ("W1", "level", 1, 0.0, 5.0, False),
    "B1.1": ("B1", "quantitative", 1, 0.0, 100.0, False),
    "B1.2": ("B1", "binary", 1, 0.0, 1.0, False),
    "B1.3": ("B1", "level", 1, 0.0, 5.0, False),
    "W2.1": ("W2", "level", 1, 0.0, 5.0, False),
    "W2.2": ("W2", "level", 1, 0.0, 5.0, False),
    "B2.1": ("B2", "quantitative", 1, 0.0, 100.0, False),
    "B2.2": ("B2", "count", 1, 0.0, 50.0, False),
    "W3.1": ("W3", "level", 1, 0.0, 5.0, False),
    "W3.2": ("W3", "quantitative", -1, 0.0, 30.0, False),
    "X1.1": ("X1", "level", 1, 0.0, 5.0, False),
    "X1.2": ("X1", "level", 1, 0.0, 5.0, False),
    "X2.1": ("X2", "count", 1, 0.0, 200.0, False),
    "X2.2": ("X2", "binary", 1, 0.0, 1.0, False),
}

LADDER = StageLadder(
    rungs=(
        Rung("S1", ("W1",)),
        Rung("S1+", ("B1",)),
        Rung("S2", ("W2",)),
        Rung("S2+", ("B2",)),
        Rung("S3", ("W3",)),
        Rung("S4", ("XB",)),
    ),
    base_stage="S0",
)


def dual_space_tree(weights: dict[str, float] | None = None, ladder: StageLadder | None = LADDER) -> FrameworkTree:
    weights = weights or {}
    indicators = [
        IndicatorSpec(
            code=code,
            parent=parent,
            weight=weights.get(code, 1.0),
            direction=direction,
            type=kind,  # type: ignore[arg-type]
            lower=lower,
            upper=upper,
            critical=critical,
        )
        for code, (parent, kind, direction, lower, upper, critical) in INDICATORS.items()
    ]
    aggregates = [Node("DSMI", None, 4, weights.get("DSMI", 1.0))]
    for half, dimensions in DIMENSIONS.items():
        aggregates.append(Node(half, "DSMI", 3, weights.get(half, 1.0)))
        aggregates.extend(Node(code, half, 2, weights.get(code, 1.0)) for code in dimensions)
    return FrameworkTree(tuple(indicators), tuple(aggregates), ladder)


def random_raw(units: int, seed: int = 0, missing_share: float = 0.0) -> pd.DataFrame:
    """Valid raw values for `dual_space_tree`, city-like codes as the index."""
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    for code, (_parent, kind, _direction, lower, upper, _critical) in INDICATORS.items():
        if kind == "level":
            values = rng.integers(0, 6, units).astype(float)
        elif kind == "binary":
            values = rng.integers(0, 2, units).astype(float)
        elif kind == "count":
            values = rng.integers(int(lower), int(upper) + 1, units).astype(float)
        else:
            values = rng.uniform(lower, upper, units)
        if missing_share:
            values[rng.random(units) < missing_share] = np.nan
        columns[code] = values
    index = pd.Index([f"{310000 + 100 * unit}" for unit in range(units)], name="uCode", dtype="str")
    return pd.DataFrame(columns, index=index)


def one_city(**values: float) -> pd.DataFrame:
    """A single city with every indicator at its middle unless given (codes with '_' for '.')."""
    row: dict[str, float] = {}
    for code, (_parent, kind, _direction, lower, upper, _critical) in INDICATORS.items():
        row[code] = float(round((lower + upper) / 2)) if kind in ("level", "count", "binary") else (lower + upper) / 2
    for key, value in values.items():
        row[key.replace("_", ".")] = value
    return pd.DataFrame([row], index=pd.Index(["320500"], name="uCode", dtype="str"))
