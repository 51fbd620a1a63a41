"""The stage ladder: which rung each unit reaches.

Pure Python: no Django.

Scores here are normalised points on the 0-100 scale (goalposts by default).

Rung k is *reached* by a unit when, for every node N the rung requires,

    score(N) >= threshold_k                                     and
    n_i >= critical_floor_k for every critical indicator i under N,

and every critical indicator the rung or a rung below it *gates* (a gate
outside the required nodes, such as cybersecurity from S1+) is at least
critical_floor_k too,

where a missing score or a missing critical indicator does not reach (the
ladder certifies what is shown, not what is assumed).  A unit's stage is the
highest rung that it and every rung below it reach, i.e. the number of
leading reached rungs; reaching none leaves it at the ladder's base stage.

The gap to the next rung is planned in `stage_gap.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from assessment.scoring.tree import FrameworkTree

__all__ = [
    "TOLERANCE",
    "LadderPlan",
    "critical_ok",
    "requirements_met",
    "stage_index",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

# Levels and counts must land on whole numbers; tolerate float noise when comparing.
# The gap planner (stage_gap.py) compares with the same tolerance, so a planned gap reaches the rung.
TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class LadderPlan:
    """The ladder compiled to node-matrix columns (columns = ``tree.codes``)."""

    stages: tuple[str, ...]
    rung_codes: tuple[str, ...]
    required_columns: tuple[IntArray, ...]
    thresholds: FloatArray
    critical_columns: tuple[IntArray, ...]
    floors: FloatArray

    @classmethod
    def from_tree(cls, tree: FrameworkTree) -> LadderPlan | None:
        if tree.ladder is None:
            return None
        column = {code: position for position, code in enumerate(tree.codes)}
        required: list[IntArray] = []
        critical: list[IntArray] = []
        for rung in tree.ladder.rungs:
            required.append(np.array([column[code] for code in rung.requires], dtype=np.intp))
            under = {code for node in rung.requires for code in tree.indicators_under[node]}
            # A gate is checked from its rung up: the ladder is cumulative, so a unit below it on a
            # lower rung never reaches this one (module docstring).
            rungs_so_far = tree.ladder.rungs[: tree.ladder.rungs.index(rung) + 1]
            under |= {code for earlier in rungs_so_far for code in earlier.gates}
            critical.append(
                np.array(
                    [
                        column[code]
                        for code in tree.indicator_codes
                        if code in under and tree.indicator_by_code[code].critical
                    ],
                    dtype=np.intp,
                )
            )
        return cls(
            stages=tree.ladder.stages,
            rung_codes=tuple(rung.code for rung in tree.ladder.rungs),
            required_columns=tuple(required),
            thresholds=np.array([rung.threshold for rung in tree.ladder.rungs], dtype=np.float64),
            critical_columns=tuple(critical),
            floors=np.array([rung.critical_floor for rung in tree.ladder.rungs], dtype=np.float64),
        )


def critical_ok(normalised: FloatArray, plan: LadderPlan) -> BoolArray:
    """(units, rungs): no critical indicator under the rung is below its floor or missing."""
    columns = [
        np.all(normalised[..., indicators] >= floor - TOLERANCE, axis=-1)
        for indicators, floor in zip(plan.critical_columns, plan.floors, strict=True)
    ]
    return np.stack(columns, axis=-1)


def requirements_met(node_values: FloatArray, plan: LadderPlan) -> BoolArray:
    """(..., units, rungs): every required node reaches the rung's threshold."""
    columns = [
        np.all(node_values[..., nodes] >= threshold - TOLERANCE, axis=-1)
        for nodes, threshold in zip(plan.required_columns, plan.thresholds, strict=True)
    ]
    return np.stack(columns, axis=-1)


def stage_index(reached: BoolArray) -> NDArray[np.int64]:
    """Number of leading reached rungs along the last axis (0 = base stage)."""
    leading: NDArray[np.int64] = np.logical_and.accumulate(reached, axis=-1).sum(axis=-1)
    return leading
