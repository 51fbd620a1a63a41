"""The scoring engine: one entry point from raw data to ranked, staged results.

    score(tree, data, options) -> ScoreResult

runs, for a framework tree and a units x indicators table of raw values:

1. validation (every problem with its row and column, one error);
2. optional imputation of missing raw values, flagged (`impute.py`);
3. normalisation per indicator after direction (`normalise.py`), default
   goalposts onto 0-100 points;
4. aggregation level by level, a method per level, missing children skipped
   with their siblings' weights renormalised (`aggregate.py`):
   A = sum(w_c v_c) / sum(w_c) over present children for the arithmetic mean;
5. ranks of every aggregate, highest first, ties "min" (`ranks.py`), over all
   units and within groups;
6. each unit's stage on the ladder (`stage_ladder.py`) and, on demand, its
   gap to the next rung (`stage_gap.py`);
7. optionally a Monte Carlo of rank intervals and stage probabilities
   (`uncertainty.py`).

Steps 1-3 depend only on the data and are kept in a `PreparedScoring`, so
`rescore_with_weights(prepared, weights)` re-runs only steps 4-6 (what a
weight slider needs).  Scores are normalised points; ranks are whole numbers
stored as floats (missing when the score is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assessment.scoring.aggregate import (
    AggregationMethod,
    AggregationPlan,
    NegativeScoreError,
    aggregate_tree,
    parse_aggregation,
)
from assessment.scoring.denominate import denominate
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.impute import impute
from assessment.scoring.normalise import FittedNormalisation, Normalisation, fit_normalisation
from assessment.scoring.ranks import rank_descending, rank_within_groups
from assessment.scoring.stage_gap import GapContext, StageGap, gap_to_next_rung, gaps_table
from assessment.scoring.stage_ladder import LadderPlan, critical_ok, requirements_met, stage_index
from assessment.scoring.treat import Treatment, treat
from assessment.scoring.tree import FrameworkTree
from assessment.scoring.uncertainty import MonteCarloOptions, UncertaintyResult, run_monte_carlo

__all__ = [
    "PreparedScoring",
    "ScoreResult",
    "ScoringOptions",
    "prepare",
    "rescore_with_weights",
    "score",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ScoringOptions:
    """How to score.

    ``normalisation``: a `Normalisation` or its text form (``goalposts``,
    ``minmax:0,100``, ``zscore``, ...), with per-indicator
    ``indicator_normalisation`` overrides.  ``aggregation``: one method for
    every aggregate level or one per level from the lowest up (a list or
    ``"arithmetic,geometric,arithmetic"``).  ``availability_threshold``: the
    share of a node's child weight that must be present (None: any).
    ``imputation``: methods applied in order (``group_mean``,
    ``previous_period``).  ``denominate``: first divide each indicator by the
    data column its spec names (`denominate.py`, COINr's ``Denominate()``; the
    columns come in ``score(..., denominators=)``).  ``treatment``: outlier treatment after imputation,
    before normalisation (`treat.py`, COINr's ``Treat()``; None: none).
    ``weights``: node weights by code replacing the tree's.  ``monte_carlo``:
    run the uncertainty analysis.
    """

    normalisation: Normalisation | str = "goalposts"
    indicator_normalisation: Mapping[str, Normalisation | str] = field(default_factory=dict)
    aggregation: str | Sequence[str] = "arithmetic"
    availability_threshold: float | None = None
    imputation: Sequence[str] = ()
    denominate: bool = False
    treatment: Treatment | None = None
    weights: Mapping[str, float] | None = None
    monte_carlo: MonteCarloOptions | None = None
    # The gap plan moves no indicator more than this many steps (levels) in one period (stage_gap.py); None: no cap.
    gap_steps_per_period: float | None = None


@dataclass(frozen=True, eq=False)
class PreparedScoring:
    """The data-dependent part of a scoring run: validated, imputed, normalised."""

    tree: FrameworkTree
    options: ScoringOptions
    units: pd.Index
    raw: FloatArray
    imputed: pd.DataFrame | None
    normalised: FloatArray
    fitted: FittedNormalisation
    normalisation: Normalisation
    overrides: dict[str, Normalisation]
    plan: AggregationPlan
    methods: tuple[AggregationMethod, ...]
    ladder: LadderPlan | None
    critical_ok: NDArray[np.bool_] | None
    groups: pd.Series | None
    warnings: tuple[str, ...]
    # Per cell, the treatment that changed it ("" elsewhere), and per indicator its details (`treat.treat`).
    treated: pd.DataFrame | None = None
    treatment_details: pd.DataFrame | None = None
    # Per cell, why denomination left a measured value missing ("" elsewhere); None without denomination.
    denominated: pd.DataFrame | None = None
    # The raw values as validated, before imputation and treatment (the Monte Carlo's alternatives start here).
    measured: FloatArray | None = None

    def node_weights(self, weights: Mapping[str, float] | None = None) -> FloatArray:
        """The tree's node weights (tree.codes order) with ``weights`` replacing some."""
        base = self.tree.weight_of
        if not weights:
            return np.array([base[code] for code in self.tree.codes], dtype=np.float64)
        problems = [Problem(code, "weight", "unknown node code") for code in weights if code not in base]
        problems.extend(
            Problem(code, "weight", f"must be a number >= 0, not {value!r}")
            for code, value in weights.items()
            if code in base and not (np.isfinite(value) and value >= 0)
        )
        if problems:
            raise ScoringInputError(problems)
        return np.array([float(weights.get(code, base[code])) for code in self.tree.codes], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Everything a scoring run produces; frames are indexed by unit.

    ``normalised`` (indicators), ``aggregates`` (every aggregate, lowest level
    first) and ``ranks`` (of every aggregate) are plain DataFrames; ``stages``
    holds each unit's stage code and ``rungs_reached`` which rungs it reaches
    on its own.  ``imputed`` and ``gaps`` are computed on first access.
    """

    tree: FrameworkTree
    options: ScoringOptions
    weights: pd.Series
    raw: pd.DataFrame
    normalised: pd.DataFrame
    aggregates: pd.DataFrame
    ranks: pd.DataFrame
    group_ranks: pd.DataFrame | None
    stages: pd.Series | None
    rungs_reached: pd.DataFrame | None
    uncertainty: UncertaintyResult | None
    warnings: tuple[str, ...]
    prepared: PreparedScoring = field(repr=False)
    node_values: FloatArray = field(repr=False)
    stage_indices: NDArray[np.int64] | None = field(repr=False)

    @property
    def scores(self) -> pd.DataFrame:
        """Normalised indicators and aggregates side by side."""
        return pd.concat([self.normalised, self.aggregates], axis=1)

    @cached_property
    def imputed(self) -> pd.DataFrame:
        """Per cell, the imputation method that filled it; missing where the value was measured."""
        if self.prepared.imputed is not None:
            return self.prepared.imputed
        empty = np.full(self.raw.shape, None, dtype=object)
        return pd.DataFrame(empty, index=self.raw.index, columns=self.raw.columns, dtype="str")

    @property
    def treated(self) -> pd.DataFrame | None:
        """Per cell, the outlier treatment that changed it ("" where none); None when nothing was treated."""
        return self.prepared.treated

    @property
    def denominated(self) -> pd.DataFrame | None:
        """Per cell, why denomination left a value missing ("" where none); None without denomination."""
        return self.prepared.denominated

    @property
    def treatment_details(self) -> pd.DataFrame | None:
        """Per indicator: skew and kurtosis before and after, points winsorised, transformation."""
        return self.prepared.treatment_details

    @cached_property
    def gaps(self) -> dict[str, StageGap]:
        """Per unit, what it takes to reach the next rung (empty without a ladder)."""
        prepared = self.prepared
        if prepared.ladder is None or self.stage_indices is None:
            return {}
        context = GapContext.build(
            tree=self.tree,
            fitted=prepared.fitted,
            plan=prepared.plan,
            ladder=prepared.ladder,
            node_weights=self.weights.to_numpy(dtype=np.float64),
            methods=prepared.methods,
            availability_threshold=prepared.options.availability_threshold,
            normalised=prepared.normalised,
            steps_per_period=prepared.options.gap_steps_per_period,
        )
        return {
            str(unit): gap_to_next_rung(
                context,
                str(unit),
                prepared.raw[row],
                prepared.normalised[row],
                int(self.stage_indices[row]),
            )
            for row, unit in enumerate(prepared.units)
        }

    @property
    def gap_table(self) -> pd.DataFrame:
        """The gaps as one row per improvement."""
        return gaps_table(list(self.gaps.values()))


def score(
    tree: FrameworkTree,
    data: pd.DataFrame,
    options: ScoringOptions | None = None,
    *,
    groups: pd.Series | None = None,
    previous: pd.DataFrame | None = None,
    denominators: pd.DataFrame | None = None,
) -> ScoreResult:
    """Score ``data`` (units x indicator codes, raw values) on ``tree``.

    ``groups`` maps unit -> group (region) for group-mean imputation and
    within-group ranks; ``previous`` is the previous period's raw data for
    previous-period imputation; ``denominators`` holds the denominator
    columns by unit (read when ``options.denominate``).  Raises `ScoringInputError`.
    """
    options = options or ScoringOptions()
    prepared = prepare(tree, data, options, groups=groups, previous=previous, denominators=denominators)
    return rescore_with_weights(prepared, options.weights, monte_carlo=options.monte_carlo)


def prepare(
    tree: FrameworkTree,
    data: pd.DataFrame,
    options: ScoringOptions | None = None,
    *,
    groups: pd.Series | None = None,
    previous: pd.DataFrame | None = None,
    denominators: pd.DataFrame | None = None,
) -> PreparedScoring:
    """Validate, impute and normalise: the part of `score` that weights do not change."""
    options = options or ScoringOptions()
    normalisation = _as_normalisation(options.normalisation)
    overrides = {code: _as_normalisation(spec) for code, spec in options.indicator_normalisation.items()}
    plan = AggregationPlan.from_tree(tree)
    methods = parse_aggregation(options.aggregation, len(plan.levels))
    problems: list[Problem] = []
    threshold = options.availability_threshold
    if threshold is not None and not 0 < threshold <= 1:
        problems.append(Problem(None, "availability_threshold", "must be in (0, 1]"))
    if groups is not None and groups.index.has_duplicates:
        problems.append(Problem(None, "groups", "a unit appears twice in the groups"))
    if problems:
        raise ScoringInputError(problems)

    raw = _validated_matrix(tree, data)
    units = data.index
    codes = list(tree.indicator_codes)
    denominated = None
    if options.denominate:
        # COINr's order: denominate, impute, treat, normalise, aggregate.
        frame, denominated = denominate(
            pd.DataFrame(raw, index=units, columns=codes),
            denominators if denominators is not None else pd.DataFrame(index=units),
            {spec.code: spec.denominator for spec in tree.indicators if spec.denominator},
        )
        raw = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    measured = raw
    if options.imputation:
        frame = pd.DataFrame(raw, index=units, columns=codes)
        filled, flags = impute(frame, options.imputation, groups=groups, previous=previous)
        imputed: pd.DataFrame | None = flags
        raw = filled.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        imputed = None
    treated = treatment_details = None
    if options.treatment is not None:
        frame, treated, treatment_details = treat(pd.DataFrame(raw, index=units, columns=codes), options.treatment)
        raw = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    normalised, fitted = fit_normalisation(raw, tree, normalisation, overrides)

    warnings = list(fitted.warnings)
    ladder = LadderPlan.from_tree(tree)
    if ladder is not None:
        scales = {normalisation, *overrides.values()}
        if any(not spec.is_bounded or (spec.low, spec.high) != (0.0, 100.0) for spec in scales):
            warnings.append("the stage ladder reads scores on the 0-100 scale; this normalisation is not on it")
    return PreparedScoring(
        tree=tree,
        options=options,
        units=units,
        raw=raw,
        imputed=imputed,
        normalised=normalised,
        fitted=fitted,
        normalisation=normalisation,
        overrides=overrides,
        plan=plan,
        methods=methods,
        ladder=ladder,
        critical_ok=critical_ok(normalised, ladder) if ladder is not None else None,
        groups=groups,
        warnings=tuple(warnings),
        treated=treated,
        treatment_details=treatment_details,
        denominated=denominated,
        measured=measured,
    )


def rescore_with_weights(
    prepared: PreparedScoring,
    weights: Mapping[str, float] | None = None,
    *,
    monte_carlo: MonteCarloOptions | None = None,
) -> ScoreResult:
    """Aggregate, rank and stage the prepared data with ``weights`` (by code) replacing the tree's.

    Normalisation is reused, so this is what a weight slider calls.
    """
    tree = prepared.tree
    plan = prepared.plan
    node_weights = prepared.node_weights(weights)
    n_indicators = plan.n_indicators
    values = np.empty((len(prepared.units), len(tree.codes)))
    values[:, :n_indicators] = prepared.normalised
    try:
        aggregate_tree(values, node_weights, plan, prepared.methods, prepared.options.availability_threshold)
    except NegativeScoreError as error:
        raise ScoringInputError(
            Problem(
                str(prepared.units[unit]),
                tree.codes[node],
                "geometric and harmonic means need scores >= 0; normalise to [1, 100]",
            )
            for unit, node in error.cells
        ) from None

    units = prepared.units
    aggregate_codes = list(tree.aggregate_codes)
    aggregate_values = values[:, n_indicators:]
    aggregates = pd.DataFrame(aggregate_values, index=units, columns=aggregate_codes)
    ranks = pd.DataFrame(rank_descending(aggregate_values, axis=0), index=units, columns=aggregate_codes)
    group_ranks = rank_within_groups(aggregates, prepared.groups) if prepared.groups is not None else None

    stages = rungs_reached = stage_indices = None
    ladder = prepared.ladder
    if ladder is not None and prepared.critical_ok is not None:
        reached = requirements_met(values, ladder) & prepared.critical_ok
        stage_indices = stage_index(reached)
        stages = pd.Series(
            np.array(ladder.stages, dtype=object)[stage_indices],
            index=units,
            name="stage",
            dtype="str",
        )
        rungs_reached = pd.DataFrame(reached, index=units, columns=list(ladder.rung_codes))

    uncertainty = None
    if monte_carlo is not None:
        uncertainty = run_monte_carlo(
            tree=tree,
            units=units,
            raw=prepared.raw,
            normalised=prepared.normalised,
            fitted=prepared.fitted,
            normalisation=prepared.normalisation,
            overrides=prepared.overrides,
            plan=plan,
            node_weights=node_weights,
            methods=prepared.methods,
            availability_threshold=prepared.options.availability_threshold,
            ladder=ladder,
            options=monte_carlo,
            measured=prepared.measured,
            groups=prepared.groups,
            treatment=prepared.options.treatment,
        )

    return ScoreResult(
        tree=tree,
        options=prepared.options,
        weights=pd.Series(node_weights, index=list(tree.codes), name="weight"),
        raw=pd.DataFrame(prepared.raw, index=units, columns=list(tree.indicator_codes)),
        normalised=pd.DataFrame(prepared.normalised, index=units, columns=list(tree.indicator_codes)),
        aggregates=aggregates,
        ranks=ranks,
        group_ranks=group_ranks,
        stages=stages,
        rungs_reached=rungs_reached,
        uncertainty=uncertainty,
        warnings=prepared.warnings,
        prepared=prepared,
        node_values=values,
        stage_indices=stage_indices,
    )


def _as_normalisation(spec: Normalisation | str) -> Normalisation:
    return Normalisation.parse(spec) if isinstance(spec, str) else spec


def _validated_matrix(tree: FrameworkTree, data: pd.DataFrame) -> FloatArray:
    """The raw indicator matrix (units x indicators, tree order), or every problem found."""
    problems: list[Problem] = []
    if data.index.has_duplicates:
        index_name = str(data.index.name or "unit")
        for unit in data.index[data.index.duplicated()].unique():
            problems.append(Problem(str(unit), index_name, "duplicate unit"))
    codes = list(tree.indicator_codes)
    missing = [code for code in codes if code not in data.columns]
    problems.extend(Problem(None, code, "missing indicator column") for code in missing)
    if data.columns.has_duplicates:
        problems.extend(
            Problem(None, str(code), "duplicate column") for code in data.columns[data.columns.duplicated()]
        )
    if problems:
        raise ScoringInputError(problems)

    selected = data if list(data.columns) == codes else data.loc[:, codes]
    # dtype.kind covers numpy and pandas' nullable dtypes; anything else is checked cell by cell.
    non_numeric = [code for code, dtype in zip(codes, selected.dtypes, strict=True) if dtype.kind not in "iuf"]
    if non_numeric:
        converted = {}
        for code in non_numeric:
            column = selected[code]
            numbers = pd.to_numeric(column, errors="coerce")
            bad = column.notna() & numbers.isna() & column.astype("str").str.strip().ne("")
            problems.extend(Problem(str(unit), code, f"not a number: {value!r}") for unit, value in column[bad].items())
            converted[code] = numbers
        selected = selected.assign(**converted)
    if problems:
        raise ScoringInputError(problems)
    raw = selected.to_numpy(dtype=np.float64, na_value=np.nan)

    kinds = tree.indicator_arrays.kind
    lows = tree.indicator_arrays.lower
    highs = tree.indicator_arrays.upper
    checks: list[tuple[NDArray[np.bool_], NDArray[np.intp], str]] = []
    infinite = np.isinf(raw)
    if infinite.any():
        checks.append((infinite, np.arange(len(codes)), "not a finite number"))
    with np.errstate(invalid="ignore"):
        for kind, reason in (
            ("level", "a level must be a whole number within the goalposts"),
            ("binary", "a yes/no indicator must be 0 or 1"),
            ("count", "a count must be a whole number >= 0"),
        ):
            columns = np.flatnonzero(kinds == kind)
            if not columns.size:
                continue
            values = raw[:, columns]
            if kind == "level":
                bad = (values != np.round(values)) | (values < lows[columns]) | (values > highs[columns])
            elif kind == "binary":
                bad = (values != 0) & (values != 1)
            else:
                bad = (values != np.round(values)) | (values < 0)
            bad &= ~np.isnan(values)
            if bad.any():
                checks.append((bad, columns, reason))
    for mask, columns, reason in checks:
        for row, position in np.argwhere(mask)[:200]:
            indicator = int(columns[position])
            problems.append(Problem(str(data.index[row]), codes[indicator], f"{reason}, not {raw[row, indicator]!r}"))
    if problems:
        raise ScoringInputError(problems)
    return raw
