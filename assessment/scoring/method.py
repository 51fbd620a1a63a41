"""The method's numbers, in one place: how uncertainty and sensitivity are run.

Pure Python: no Django.

Every number a reader is told about the method (draws, perturbation, seed,
the rater model, the alternatives tried) is a field of `MethodParameters`.
A framework version stores its own in ``Framework.method`` (a JSON object
with these field names, editable while the version is a draft); the
application reads them with ``Framework.method_parameters()`` and every
caption, the methodology text and both reports format their numbers from
the object they get, never from a literal.  `DEFAULT_METHOD` is what a
version that sets nothing uses.

The rater model.  A level answer (0-5) is a judgement; in each Monte Carlo
draw it moves by one level, up or down with equal chance (kept within the
scale), with probability

    p = 1 - (1 - p_confidence) * (1 - p_quality)

where ``p_confidence`` comes from the rater's stated confidence and
``p_quality`` from the answer's data-quality grade (A-F): two independent
reasons a second rater reading the same evidence could land one level away.
An answer with neither recorded uses the "" entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.impute import IMPUTATION_METHODS

__all__ = ["DEFAULT_METHOD", "MethodParameters"]

_CONFIDENCE_MOVE = {"high": 0.05, "medium": 0.15, "low": 0.30, "": 0.15}
_QUALITY_MOVE = {"A": 0.0, "B": 0.02, "C": 0.05, "D": 0.10, "E": 0.15, "F": 0.20, "": 0.10}


@dataclass(frozen=True)
class MethodParameters:
    """What the Monte Carlo and the sensitivity analysis vary, and how much."""

    # Draws of the Monte Carlo behind rank intervals and stage probabilities.
    runs: int = 1000
    # Each weight is multiplied by a factor drawn uniformly in [1 - p, 1 + p].
    weight_perturbation: float = 0.25
    # Fixed so that every reader of a period gets the same intervals.
    seed: int = 1
    # Rater model (module docstring): probability a level answer moves one level.
    rater_move_by_confidence: Mapping[str, float] = field(default_factory=lambda: dict(_CONFIDENCE_MOVE))
    rater_move_by_quality: Mapping[str, float] = field(default_factory=lambda: dict(_QUALITY_MOVE))
    # Method alternatives drawn uniformly per run beside the nominal one
    # (engine spellings: "minmax:0,100", "goalposts", "zscore"; "arithmetic", "geometric").
    # None by default: a framework version names the ones it allows.
    normalisation_alternatives: tuple[str, ...] = ()
    aggregation_alternatives: tuple[str, ...] = ()
    imputation_alternatives: tuple[str, ...] = ()
    # Base sample size N of the Sobol (Saltelli) design: N * (2k + 2) model runs for k assumptions.
    sensitivity_samples: int = 256
    # Percentiles reported as a rank interval.
    interval_low: float = 5.0
    interval_high: float = 95.0
    # How the sensitivity sentence reads an assumption's Sobol indices (sensitivity.sentence_key):
    # a total index below this explains a negligible share of the ranking's variance;
    sensitivity_negligible_st: float = 0.05
    # ... and a total index within this of the first-order one acts mostly alone.
    sensitivity_interaction_gap: float = 0.1
    # The statistical audit's flags (audit.AuditThresholds, where each is explained and sourced):
    audit_redundancy_r: float = 0.9
    audit_negative_r: float = -0.4
    audit_alpha: float = 0.7
    audit_axes_distinct_r: float = 0.7
    audit_mismatch_factor: float = 2.0
    audit_coverage: float = 0.65
    audit_imputation: float = 0.2
    # The gap plan moves an indicator at most this many steps (levels) in one period (stage_gap.py);
    # None: no cap, as DSMF 1.0 planned.
    gap_steps_per_period: float | None = None

    def weight_factor_bounds(self) -> tuple[float, float]:
        """The range of the factor a weight is multiplied by: (1 - p, 1 + p)."""
        return 1 - self.weight_perturbation, 1 + self.weight_perturbation

    def rater_move_probability(self, confidence: str = "", quality: str = "") -> float:
        """The chance a level answer moves one level in a draw (module docstring)."""
        by_confidence = self.rater_move_by_confidence
        by_quality = self.rater_move_by_quality
        p_confidence = by_confidence.get(confidence or "", by_confidence.get("", 0.0))
        p_quality = by_quality.get(quality or "", by_quality.get("", 0.0))
        return 1 - (1 - p_confidence) * (1 - p_quality)

    def problems(self) -> list[Problem]:
        """What makes these parameters unusable, each naming its field."""
        found: list[Problem] = []
        if not isinstance(self.runs, int) or self.runs < 1:
            found.append(Problem(None, "runs", "the Monte Carlo needs at least one run"))
        if not 0 <= self.weight_perturbation < 1:
            found.append(Problem(None, "weight_perturbation", "must be in [0, 1): weights must stay positive"))
        for name in ("rater_move_by_confidence", "rater_move_by_quality"):
            for key, value in getattr(self, name).items():
                if not 0 <= float(value) <= 1:
                    found.append(Problem(None, f"{name}.{key}", "a probability must be in [0, 1]"))
        for choice in self.imputation_alternatives:
            unknown = [name for name in str(choice).split("+") if name not in ("none", *IMPUTATION_METHODS)]
            if unknown:
                found.append(
                    Problem(
                        None,
                        "imputation_alternatives",
                        f"'{choice}': use none or {', '.join(IMPUTATION_METHODS)} (several joined by +)",
                    )
                )
        if not isinstance(self.sensitivity_samples, int) or self.sensitivity_samples < 8:
            found.append(Problem(None, "sensitivity_samples", "needs at least 8 base samples"))
        steps = self.gap_steps_per_period
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, float)) or not steps >= 1):
            found.append(Problem(None, "gap_steps_per_period", "must be at least one step, or null for no cap"))
        if not 0 <= self.interval_low < self.interval_high <= 100:
            found.append(Problem(None, "interval_low", "percentiles must satisfy 0 <= low < high <= 100"))
        return found

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in ``Framework.method``."""
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, tuple):
                data[name] = list(value)
            elif isinstance(value, Mapping):
                data[name] = dict(value)
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> MethodParameters:
        """Read a stored JSON object over the defaults; unknown keys and bad values are problems."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        problems = [Problem(None, key, "unknown method parameter") for key in data if key not in known]
        if problems:
            raise ScoringInputError(problems)
        values: dict[str, Any] = {}
        for key, value in data.items():
            default = getattr(DEFAULT_METHOD, key)
            if isinstance(default, tuple):
                values[key] = tuple(value)
            elif isinstance(default, Mapping):
                values[key] = {**default, **dict(value)}
            else:
                values[key] = value
        parameters = replace(DEFAULT_METHOD, **values)
        problems = parameters.problems()
        if problems:
            raise ScoringInputError(problems)
        return parameters


DEFAULT_METHOD = MethodParameters()
