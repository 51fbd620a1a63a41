"""Uncertainty and sensitivity: how sure is the ranking?

A Monte Carlo of R runs.  In run r every node weight at the chosen levels is
perturbed uniformly and independently,

    w_r(c) = w(c) * (1 + p * U_rc),   U_rc ~ Uniform(-1, 1),

with p the perturbation (0.25 = +-25%; weights are relative, so only their
ratios matter), and optionally the normalisation and the aggregation are
drawn uniformly from lists of alternatives (`MonteCarloOptions.from_method`
puts the nominal choice at the head of each list the method names, so the
nominal method is drawn as often as each alternative; JRC/OECD Handbook on
Constructing Composite Indicators (2008), step 7).  Each run re-aggregates and
ranks every unit (see `aggregate.py`, `ranks.py`).  Per unit the result is
the median and the chosen low and high percentiles of its rank over the runs
(and the low and high percentiles of its score of the node) (numpy's
linear interpolation between order statistics), and, with a stage ladder,
the share of runs that put it on each stage.  Ranks are unitless, shares in
[0, 1].

All draws come from one `numpy.random.Generator` seeded with ``seed`` and
are made before any run, so a seed reproduces the result exactly whatever
the block size.  Runs sharing a method choice are computed together: weights
form a (runs x nodes) matrix and each level is a matrix product over the
(units x children) score matrix with its missing-value mask; runs are cut
into blocks only to bound memory.

The rater's judgement.  With ``rater_moves`` (units x level indicators: the
chance an answer moves one level, `method.MethodParameters.rater_move_probability`)
each run moves each such answer by one level, down when u < p/2, up when
p/2 <= u < p (u ~ Uniform(0, 1) drawn for that run and cell), kept within
the indicator's goalposts (0..5 for levels), and normalises the moved value
with the normalisation's fitted parameters (fitted on the nominal data: one
rater's move of one level does not refit the compared set).  Each run's
draws come from its own generator, seeded from the run's number and one
number drawn up front, so the result does not depend on the block size.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assessment.scoring.aggregate import (
    AggregationMethod,
    AggregationPlan,
    NegativeScoreError,
    aggregate_level,
    parse_aggregation,
)
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.impute import impute
from assessment.scoring.method import DEFAULT_METHOD, MethodParameters
from assessment.scoring.normalise import FittedNormalisation, Normalisation, fit_normalisation
from assessment.scoring.ranks import rank_descending
from assessment.scoring.stage_ladder import LadderPlan, critical_ok, requirements_met, stage_index
from assessment.scoring.treat import Treatment, treat
from assessment.scoring.tree import FrameworkTree

__all__ = [
    "MonteCarloOptions",
    "UncertaintyResult",
    "aggregate_runs",
    "run_monte_carlo",
]

FloatArray = NDArray[np.float64]

_DEFAULT_BLOCK_BYTES = 96 * 2**20


@dataclass(frozen=True)
class MonteCarloOptions:
    """What to vary.

    ``levels``: the levels whose node weights are perturbed (1 = indicator
    weights, 2 = the weights of level-2 aggregates in their parents, ...);
    None perturbs all.  ``normalisations`` and ``aggregations``: alternatives
    drawn uniformly per run; empty keeps the nominal choice.  Each
    aggregation alternative is a name or one name per aggregate level.
    ``rater_moves``: units x indicators, the chance an answer moves one level
    (module docstring); None or all zero leaves the answers as given.
    Build it from a framework version's numbers with `from_method`.
    """

    runs: int = DEFAULT_METHOD.runs
    perturbation: float = DEFAULT_METHOD.weight_perturbation
    levels: tuple[int, ...] | None = None
    normalisations: tuple[Normalisation | str, ...] = ()
    aggregations: tuple[str | tuple[str, ...], ...] = ()
    # Imputation alternatives drawn per run: "none" or a method of `impute.py` each.
    imputations: tuple[str, ...] = ()
    seed: int | None = None
    node: str | None = None
    block_bytes: int = field(default=_DEFAULT_BLOCK_BYTES, repr=False)
    rater_moves: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    percentiles: tuple[float, float] = (DEFAULT_METHOD.interval_low, DEFAULT_METHOD.interval_high)

    @classmethod
    def from_method(
        cls,
        method: MethodParameters,
        *,
        nominal_normalisation: Normalisation | str | None = None,
        nominal_aggregation: str | Sequence[str] | None = None,
        nominal_imputation: Sequence[str] = (),
        **overrides: Any,
    ) -> MonteCarloOptions:
        """The Monte Carlo a framework version's method parameters describe.

        Alternatives are drawn uniformly per run beside the nominal choice (as the
        sensitivity analysis reads them): when a kind names alternatives, the nominal
        choice given here heads its list and an alternative that spells it again is dropped.
        """
        normalisations: tuple[Normalisation | str, ...] = method.normalisation_alternatives
        if normalisations and nominal_normalisation is not None:
            nominal = _parsed_normalisation(nominal_normalisation)
            normalisations = (
                nominal,
                *(choice for choice in normalisations if _parsed_normalisation(choice) != nominal),
            )
        aggregations: tuple[str | tuple[str, ...], ...] = method.aggregation_alternatives
        if aggregations and nominal_aggregation is not None:
            nominal_names = _aggregation_names(nominal_aggregation)
            aggregations = (
                nominal_aggregation if isinstance(nominal_aggregation, str) else tuple(nominal_aggregation),
                *(choice for choice in aggregations if _aggregation_names(choice) != nominal_names),
            )
        imputations = method.imputation_alternatives
        if imputations:
            nominal_spelt = "+".join(nominal_imputation) or "none"
            imputations = (
                nominal_spelt,
                *(choice for choice in imputations if _imputation_names(choice) != tuple(nominal_imputation)),
            )
        values: dict[str, Any] = {
            "runs": method.runs,
            "perturbation": method.weight_perturbation,
            "seed": method.seed,
            "normalisations": normalisations,
            "aggregations": aggregations,
            "imputations": imputations,
            "percentiles": (method.interval_low, method.interval_high),
        }
        values.update(overrides)
        return cls(**values)

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if not isinstance(self.runs, int) or self.runs < 1:
            found.append(Problem(None, "runs", "the Monte Carlo needs at least one run"))
        if not 0 <= self.perturbation < 1:
            found.append(Problem(None, "perturbation", "must be in [0, 1): weights must stay positive"))
        return found


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Rank intervals of ``node`` per unit and, with a ladder, stage probabilities."""

    node: str
    runs: int
    seed: int | None
    rank_samples: FloatArray
    ranks: pd.DataFrame
    stage_probability: pd.DataFrame | None
    # The node's score at the low and high percentiles: a change between periods is
    # significant only when the two periods' intervals do not overlap.
    score_interval: pd.DataFrame | None = None


def run_monte_carlo(
    *,
    tree: FrameworkTree,
    units: pd.Index,
    raw: FloatArray,
    normalised: FloatArray,
    fitted: FittedNormalisation,
    normalisation: Normalisation,
    overrides: dict[str, Normalisation],
    plan: AggregationPlan,
    node_weights: FloatArray,
    methods: Sequence[AggregationMethod],
    availability_threshold: float | None,
    ladder: LadderPlan | None,
    options: MonteCarloOptions,
    measured: FloatArray | None = None,
    groups: pd.Series | None = None,
    treatment: Treatment | None = None,
) -> UncertaintyResult:
    """Run the Monte Carlo described in the module docstring.

    ``measured``: the raw values before imputation and treatment (needed for
    imputation alternatives, and so the raters move only measured answers);
    ``groups`` and ``treatment``: the nominal run's, for re-imputing.
    """
    problems = options.problems()
    node = options.node or tree.root
    if node not in tree.aggregate_by_code:
        problems.append(Problem(node, "node", "the Monte Carlo ranks an aggregate of the framework"))
    if problems:
        raise ScoringInputError(problems)
    rng = np.random.default_rng(options.seed)
    runs = options.runs
    n_units = len(units)

    perturbed = np.array([options.levels is None or tree.level_of(code) in options.levels for code in tree.codes])
    factors = np.ones((runs, len(tree.codes)))
    factors[:, perturbed] += options.perturbation * rng.uniform(-1.0, 1.0, (runs, int(perturbed.sum())))
    run_weights = node_weights * factors

    normalisation_choices = [
        Normalisation.parse(choice) if isinstance(choice, str) else choice for choice in options.normalisations
    ]
    aggregation_choices = [parse_aggregation(choice, len(plan.levels)) for choice in options.aggregations]
    normalisation_pick = (
        rng.integers(len(normalisation_choices), size=runs) if normalisation_choices else np.zeros(runs, dtype=np.int64)
    )
    aggregation_pick = (
        rng.integers(len(aggregation_choices), size=runs) if aggregation_choices else np.zeros(runs, dtype=np.int64)
    )
    # Imputation alternatives re-impute the measured values (and re-treat them when the nominal
    # run treated outliers); each imputation is then normalised by each normalisation choice.
    raw_choices = [raw]
    if options.imputations:
        if measured is None:
            raise ScoringInputError([Problem(None, "imputations", "imputation alternatives need the measured values")])
        raw_choices = [_reimputed(measured, tree, units, name, groups, treatment) for name in options.imputations]
    normalised_choices: list[FloatArray] = []
    fitted_choices: list[FittedNormalisation] = []
    for imputed_raw in raw_choices:
        if normalisation_choices:
            fits = [fit_normalisation(imputed_raw, tree, choice, overrides) for choice in normalisation_choices]
        elif options.imputations:
            fits = [fit_normalisation(imputed_raw, tree, normalisation, overrides)]
        else:
            fits = [(normalised, fitted)]
        normalised_choices += [fit[0] for fit in fits]
        fitted_choices += [fit[1] for fit in fits]
    rater = _RaterDraws.of(tree, units, raw, options.rater_moves, int(rng.integers(2**63 - 1)), measured)
    # Drawn after every earlier draw, so results without imputation alternatives keep their seed's values.
    if options.imputations:
        per_imputation = max(len(normalisation_choices), 1)
        normalisation_pick = rng.integers(len(raw_choices), size=runs) * per_imputation + normalisation_pick
    method_choices: list[Sequence[AggregationMethod]] = list(aggregation_choices) or [methods]

    rank_samples = np.empty((runs, n_units))
    score_samples = np.empty((runs, n_units))
    stages = np.zeros((runs, n_units), dtype=np.int64) if ladder is not None else None
    node_column = tree.codes.index(node)
    # Per run a block holds every aggregate plus a few (runs x units x nodes) temporaries
    # of the widest level; the shared indicator matrix is not per run.
    widest = max(level.n_parents + int((level.child_columns >= plan.n_indicators).sum()) for level in plan.levels)
    per_run = n_units * (len(tree.codes) - plan.n_indicators + 6 * widest) * 8
    block = max(1, options.block_bytes // per_run)

    if rater is not None:
        # Each run has its own indicator matrix: count it in the block's memory.
        block = max(1, options.block_bytes // (per_run + n_units * plan.n_indicators * 8 * 2))
    for normalisation_index, nominal_scores in enumerate(normalised_choices):
        nominal_floor = critical_ok(nominal_scores, ladder) if ladder is not None else None
        for aggregation_index, level_methods in enumerate(method_choices):
            chosen = np.flatnonzero(
                (normalisation_pick == normalisation_index) & (aggregation_pick == aggregation_index)
            )
            for start in range(0, chosen.size, block):
                run_ids = chosen[start : start + block]
                indicator_scores, passed_floor = nominal_scores, nominal_floor
                if rater is not None:
                    indicator_scores = rater.scores(nominal_scores, fitted_choices[normalisation_index], run_ids)
                    passed_floor = critical_ok(indicator_scores, ladder) if ladder is not None else None
                aggregates = aggregate_runs(
                    indicator_scores,
                    run_weights[run_ids],
                    plan,
                    level_methods,
                    availability_threshold,
                    units,
                )
                node_scores = _column(indicator_scores, aggregates, node_column, plan.n_indicators)
                score_samples[run_ids] = node_scores
                rank_samples[run_ids] = rank_descending(node_scores, axis=-1)
                if ladder is not None and stages is not None and passed_floor is not None:
                    stages[run_ids] = stage_index(
                        _reached(indicator_scores, aggregates, plan.n_indicators, ladder) & passed_floor
                    )

    # The interval's ends (the method's percentiles) keep the columns' historical names.
    low, high = options.percentiles
    if np.isnan(rank_samples).any():
        with warnings.catch_warnings():
            # A unit never ranked (its score always missing) has missing intervals.
            warnings.simplefilter("ignore", RuntimeWarning)
            p05, median, p95 = np.nanpercentile(rank_samples, [low, 50.0, high], axis=0)
    else:
        # nanpercentile loops over units in Python; without gaps the plain one is vectorised.
        p05, median, p95 = np.percentile(rank_samples, [low, 50.0, high], axis=0)
    ranks = pd.DataFrame({"rank_p05": p05, "rank_median": median, "rank_p95": p95}, index=units)
    with warnings.catch_warnings():
        # A unit never scored has a missing score interval.
        warnings.simplefilter("ignore", RuntimeWarning)
        score_low, score_high = np.nanpercentile(score_samples, [low, high], axis=0)
    score_interval = pd.DataFrame({"score_low": score_low, "score_high": score_high}, index=units)
    stage_probability = None
    if ladder is not None and stages is not None:
        n_stages = len(ladder.stages)
        counts = np.bincount((np.arange(n_units) * n_stages + stages).ravel(), minlength=n_units * n_stages).reshape(
            n_units, n_stages
        )
        stage_probability = pd.DataFrame(counts / runs, index=units, columns=list(ladder.stages))
    return UncertaintyResult(
        node=node,
        runs=runs,
        seed=options.seed,
        rank_samples=rank_samples,
        ranks=ranks,
        stage_probability=stage_probability,
        score_interval=score_interval,
    )


def _parsed_normalisation(choice: Normalisation | str) -> Normalisation:
    """A normalisation choice as the engine reads it ("minmax" and "minmax:0,100" are one)."""
    return Normalisation.parse(choice) if isinstance(choice, str) else choice


def _aggregation_names(choice: str | Sequence[str]) -> tuple[str, ...]:
    """An aggregation choice's names per level, one name when every level uses it."""
    names = tuple(choice.split(",")) if isinstance(choice, str) else tuple(choice)
    return names[:1] if len(set(names)) == 1 else names


def _imputation_names(choice: str) -> tuple[str, ...]:
    """An imputation choice's methods: "none" for none, else names joined by "+"."""
    return () if choice in ("", "none") else tuple(choice.split("+"))


def aggregate_runs(
    indicator_scores: FloatArray,
    weights: FloatArray,
    plan: AggregationPlan,
    methods: Sequence[AggregationMethod],
    availability_threshold: float | None,
    units: pd.Index,
    same_presence: bool = True,
) -> FloatArray:
    """(runs, units, aggregates) for a block of runs, each with its weights.

    ``indicator_scores`` is (units, indicators), shared by the runs, or
    (runs, units, indicators).  ``same_presence``: per-run scores have their
    missing cells in the same places in every run (true for the raters' moves;
    the sensitivity analysis, whose runs may impute differently, says false).
    A negative score under a geometric or harmonic mean is a `ScoringInputError`
    naming the unit and the node.
    """
    runs = weights.shape[0]
    n_indicators = plan.n_indicators
    # indicator_scores is (units, indicators), shared by the runs, or (runs, units, indicators).
    n_units = indicator_scores.shape[-2]
    aggregates = np.empty((runs, n_units, len(plan.codes) - n_indicators))
    for level, method in zip(plan.levels, methods, strict=True):
        columns = level.child_columns
        present = None
        if columns.max() < n_indicators:
            children = indicator_scores[..., columns]
            if indicator_scores.ndim == 3 and same_presence:
                # Per-run scores from the raters' moves: which answers exist is the same in every run.
                present = ~np.isnan(indicator_scores[0][:, columns])
        else:
            children = np.empty((runs, n_units, columns.size))
            from_indicators = columns < n_indicators
            children[..., from_indicators] = indicator_scores[..., columns[from_indicators]]
            children[..., ~from_indicators] = aggregates[..., columns[~from_indicators] - n_indicators]
        try:
            aggregates[..., level.parent_columns - n_indicators] = aggregate_level(
                children, weights[:, columns], level, method, availability_threshold, present
            )
        except NegativeScoreError as error:
            raise ScoringInputError(
                Problem(
                    str(units[unit]),
                    plan.codes[columns[child]],
                    f"{method} mean of a negative score",
                )
                for unit, child in error.cells
            ) from None
    return aggregates


def _column(indicator_scores: FloatArray, aggregates: FloatArray, column: int, n_indicators: int) -> FloatArray:
    if column < n_indicators:
        return np.broadcast_to(indicator_scores[..., column], aggregates.shape[:2])
    result: FloatArray = aggregates[..., column - n_indicators]
    return result


def _reached(
    indicator_scores: FloatArray, aggregates: FloatArray, n_indicators: int, ladder: LadderPlan
) -> NDArray[np.bool_]:
    needed = np.unique(np.concatenate(ladder.required_columns))
    values = np.full(aggregates.shape[:2] + (int(needed.max()) + 1,), np.nan)
    for column in needed:
        values[..., column] = _column(indicator_scores, aggregates, int(column), n_indicators)
    met: NDArray[np.bool_] = requirements_met(values, ladder)
    return met


@dataclass(frozen=True, eq=False)
class _RaterDraws:
    """The cells whose answers may move a level, and how to draw a run's moves (module docstring)."""

    rows: NDArray[np.int64]
    columns: NDArray[np.int64]
    probability: FloatArray
    raw: FloatArray
    lower: FloatArray
    upper: FloatArray
    entropy: int

    @classmethod
    def of(
        cls,
        tree: FrameworkTree,
        units: pd.Index,
        raw: FloatArray,
        moves: pd.DataFrame | None,
        entropy: int,
        measured: FloatArray | None = None,
    ) -> _RaterDraws | None:
        """None when no answer can move (no table, or every chance zero); only measured answers move."""
        if moves is None:
            return None
        codes = [spec.code for spec in tree.indicators]
        aligned = moves.reindex(index=units, columns=codes).fillna(0.0).to_numpy(dtype=float)
        aligned[np.isnan(raw if measured is None else measured)] = 0.0
        rows, columns = np.nonzero(aligned > 0)
        if rows.size == 0:
            return None
        bounds = np.array([spec.goalposts or (-np.inf, np.inf) for spec in tree.indicators], dtype=float)
        return cls(
            rows=rows,
            columns=columns,
            probability=aligned[rows, columns],
            raw=raw[rows, columns],
            lower=bounds[columns, 0],
            upper=bounds[columns, 1],
            entropy=entropy,
        )

    def scores(self, nominal: FloatArray, fitted: FittedNormalisation, run_ids: NDArray[np.int64]) -> FloatArray:
        """(runs, units, indicators): the nominal scores with each run's moved answers normalised again."""
        down, up = self._steps(nominal, fitted)
        scores = np.broadcast_to(nominal, (run_ids.size, *nominal.shape)).copy()
        for position, run in enumerate(run_ids):
            u = np.random.default_rng([self.entropy, int(run)]).random(self.rows.size)
            moved = np.flatnonzero(u < self.probability)
            step = np.where(u[moved] < self.probability[moved] / 2, down[moved], up[moved])
            scores[position, self.rows[moved], self.columns[moved]] += step
        return scores

    def _steps(self, nominal: FloatArray, fitted: FittedNormalisation) -> tuple[FloatArray, FloatArray]:
        """Each cell's change of score for a move one level down and one level up (0 where it cannot move).

        The same for every run, so computed once per normalisation: a moved answer is
        normalised with the fitted affine map; a column the map cannot re-apply keeps its score.
        """
        current = nominal[self.rows, self.columns]
        steps = []
        for step in (-1.0, 1.0):
            moved = _apply_cells(fitted, np.clip(self.raw + step, self.lower, self.upper), self.columns)
            steps.append(np.where(np.isnan(moved), 0.0, moved - current))
        return steps[0], steps[1]


def _apply_cells(fitted: FittedNormalisation, values: FloatArray, columns: NDArray[np.int64]) -> FloatArray:
    """`FittedNormalisation.apply` for single cells, each in its own indicator's column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (values * fitted.direction[columns] - fitted.origin[columns]) / fitted.span[columns] * fitted.width[
            columns
        ] + fitted.base[columns]
    clipped: FloatArray = np.clip(scaled, fitted.clip_low[columns], fitted.clip_high[columns])
    return np.where(fitted.affine[columns], clipped, np.nan)


def _reimputed(
    measured: FloatArray,
    tree: FrameworkTree,
    units: pd.Index,
    name: str,
    groups: pd.Series | None,
    treatment: Treatment | None,
) -> FloatArray:
    """The measured values imputed by ``name``, then treated as the nominal run was.

    ``name``: "none" (left missing) or methods of `impute.py` joined by "+", applied in order
    (the sensitivity analysis spells its choices the same way).
    """
    frame = pd.DataFrame(measured, index=units, columns=list(tree.indicator_codes))
    methods = list(_imputation_names(name))
    if methods:
        frame, _flags = impute(frame, methods, groups=groups)
    if treatment is not None:
        frame, _flags, _details = treat(frame, treatment)
    result: FloatArray = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return result
