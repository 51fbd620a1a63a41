"""Variance-based sensitivity of the ranking to each assumption: Sobol indices through SALib.

Pure Python: no Django.

The model.  An uncertain input of the method is an *assumption*; each is a
group of SALib variables (Sobol' 1993 indices of a group of inputs, as in
Jacques, Lavergne and Devictor 2006; SALib's ``groups``), so the indices
answer "how much of the ranking's variation does this assumption explain",
whatever its number of variables:

- ``weights``: one factor per node (the root excepted), uniform in
  ``MethodParameters.weight_factor_bounds()``; a node's weight is its tree
  weight times its factor;
- ``rater``: one uniform u per measured level cell (unit x level indicator)
  with a chance p > 0 to move (``move_probability``, else the rater model's
  value for an answer with no confidence or grade recorded,
  ``MethodParameters.rater_move_probability()``); the inverse CDF of the
  move {-1: p/2, 0: 1 - p, +1: p/2} maps u to a move of one level down
  (u < p/2), none, or up (u > 1 - p/2), kept within the indicator's scale;
- ``normalisation`` / ``aggregation`` / ``imputation``: one uniform u each,
  mapped to choice floor(u * k) of the k choices: the nominal one (the
  scoring options') followed by the alternatives of ``MethodParameters``'
  list that differ from it.  An assumption whose list is empty, or whose
  width is zero, is left out.

A scenario scores the units with its weights, moved answers, normalisation,
aggregation and imputation (the engine's own functions: `fit_normalisation`,
`uncertainty.aggregate_runs`, `impute`, `rank_descending`).  Imputation fills the
measured data before the rater moves are applied, and only measured cells
move (an imputed value is not a rater's judgement).  The output analysed is
JRC practice (Saisana, Saltelli and Tarantola 2005, "Uncertainty and
sensitivity analysis techniques as tools for the quality assessment of
composite indicators", J. R. Stat. Soc. A 168(2)):

    R_bar(scenario) = mean over units u of |rank_u(scenario) - rank_u(nominal)|

the average shift in rank of the index (the framework's root), over the
units ranked in both.  Per-scenario ranks are kept (``rank_samples``) so a
per-unit index can be computed from the same runs (`unit_indices`).

The design is Saltelli's (Saltelli 2002; Saltelli et al. 2010, "Variance
based sensitivity analysis of model output", Comput. Phys. Commun. 181),
SALib's ``SALib.sample.sobol.sample`` with second-order rows
(`saltelli_design` builds the same matrix faster): N * (2G + 2) scenarios
for G assumptions, N = ``method.sensitivity_samples``
(a power of two keeps the Sobol sequence balanced), scrambled with
``method.seed``.  ``SALib.analyze.sobol.analyze`` returns per assumption

    S1 = V[E(Y | X_g)] / V(Y)        (first order: its effect alone)
    ST = E[V(Y | X_~g)] / V(Y)       (total: with every interaction)

(Jansen's and Saltelli's 2010 estimators) and the half-widths of their 95 %
bootstrap confidence intervals.  All numbers are unitless shares of the
variance of R_bar; S1 <= ST up to estimation error.  With few units the
output takes few distinct values and intervals widen: read ``S1_conf`` and
``ST_conf`` before comparing two close indices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from SALib.analyze import sobol as sobol_analyze
from SALib.util import compute_groups_matrix, scale_samples
from scipy.stats import qmc

from assessment.scoring.aggregate import (
    AggregationMethod,
    AggregationPlan,
    parse_aggregation,
)
from assessment.scoring.engine import ScoringOptions, prepare
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.method import DEFAULT_METHOD, MethodParameters
from assessment.scoring.normalise import Normalisation, fit_normalisation
from assessment.scoring.ranks import rank_descending
from assessment.scoring.tree import FrameworkTree
from assessment.scoring.uncertainty import aggregate_runs

__all__ = [
    "analyse_model",
    "ASSUMPTIONS",
    "OUTPUT_MEAN_ABS_RANK_SHIFT",
    "SENTENCE_KEYS",
    "Assumption",
    "SensitivityResult",
    "assumptions_of",
    "saltelli_design",
    "sentence_key",
    "sobol_indices",
    "unit_indices",
]

FloatArray = NDArray[np.float64]

ASSUMPTIONS: tuple[str, ...] = ("weights", "rater", "normalisation", "aggregation", "imputation")
OUTPUT_MEAN_ABS_RANK_SHIFT = "mean_abs_rank_shift"
# What an index means, for the UI's one sentence (see `sentence_key`).
SENTENCE_KEYS: tuple[str, ...] = ("negligible", "alone", "with_interactions", "through_interactions")

# Normalisations whose fit does not read the data: the rater's moved answers reuse the nominal fit.
_DATA_FREE_NORMALISATIONS = frozenset({"goalposts", "distance_to_target", "none"})
# Scenarios scored together; bounds the (scenarios x units x nodes) temporaries.
_BLOCK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Assumption:
    """One uncertain input, as a group of SALib variables.

    ``variables`` are SALib's names (unique across assumptions), ``bounds``
    their uniform ranges; ``choices`` are, for a method assumption, the
    nominal choice followed by the alternatives; ``cells`` are, for the
    rater, the (unit row, indicator column) of each variable and ``moves``
    their chance to move.
    """

    code: str
    variables: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    choices: tuple[str, ...] = ()
    cells: tuple[tuple[int, int], ...] = ()
    moves: tuple[float, ...] = ()

    @property
    def size(self) -> int:
        """The number of SALib variables."""
        return len(self.variables)


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Sobol indices of ``output`` per assumption (index = assumption code; S1, S1_conf, ST, ST_conf)."""

    indices: pd.DataFrame
    output: str
    samples: int
    most_influential: str
    sentences: Mapping[str, str] = field(default_factory=dict)
    assumptions: tuple[Assumption, ...] = ()
    base_samples: int = 0
    nominal_ranks: pd.Series | None = None
    rank_samples: FloatArray | None = field(default=None, repr=False)
    outputs: FloatArray | None = field(default=None, repr=False)


def sentence_key(assumption: str, s1: float, st: float, method: MethodParameters | None = None) -> str:
    """What an assumption's indices mean, as one of `SENTENCE_KEYS` (the UI writes the sentence).

    ``negligible``: ST below ``method.sensitivity_negligible_st``; ``alone``:
    most of its total effect is first order (ST - S1 within
    ``method.sensitivity_interaction_gap``); ``through_interactions``: S1
    itself negligible; else ``with_interactions``.  ``assumption`` is
    accepted so that a caller reads it beside the indices; the key does not
    depend on it.
    """
    method = method or DEFAULT_METHOD
    if not np.isfinite(st) or st < method.sensitivity_negligible_st:
        return "negligible"
    s1 = s1 if np.isfinite(s1) else 0.0
    if st - s1 <= method.sensitivity_interaction_gap:
        return "alone"
    if s1 < method.sensitivity_negligible_st:
        return "through_interactions"
    return "with_interactions"


def assumptions_of(
    tree: FrameworkTree,
    raw: pd.DataFrame,
    options: ScoringOptions,
    method: MethodParameters,
    move_probability: pd.DataFrame | None = None,
) -> tuple[Assumption, ...]:
    """The assumptions the analysis varies, in `ASSUMPTIONS` order, the empty ones left out."""
    found: list[Assumption] = []
    low, high = method.weight_factor_bounds()
    if high > low:
        nodes = [code for code in tree.codes if code != tree.root]
        found.append(Assumption("weights", tuple(f"w:{code}" for code in nodes), ((low, high),) * len(nodes)))

    codes = list(tree.indicator_codes)
    levels = [column for column, kind in enumerate(tree.indicator_arrays.kind) if kind == "level"]
    if levels:
        measured = raw.reindex(columns=codes).notna().to_numpy()
        default = method.rater_move_probability()
        if move_probability is None:
            chance = np.full((len(raw.index), len(codes)), default)
        else:
            chance = move_probability.reindex(index=raw.index, columns=codes).fillna(0.0).to_numpy(dtype=np.float64)
        cells = [
            (row, column)
            for row in range(len(raw.index))
            for column in levels
            if measured[row, column] and chance[row, column] > 0
        ]
        if cells:
            found.append(
                Assumption(
                    "rater",
                    tuple(f"r:{raw.index[row]}:{codes[column]}" for row, column in cells),
                    ((0.0, 1.0),) * len(cells),
                    cells=tuple(cells),
                    moves=tuple(float(chance[row, column]) for row, column in cells),
                )
            )

    nominal_normalisation = (
        options.normalisation if isinstance(options.normalisation, str) else options.normalisation.label
    )
    nominal_aggregation = options.aggregation if isinstance(options.aggregation, str) else ",".join(options.aggregation)
    nominal_imputation = "+".join(options.imputation) or "none"
    n_levels = len(AggregationPlan.from_tree(tree).levels)
    same: dict[str, Callable[[str], object]] = {
        "normalisation": lambda text: Normalisation.parse(text),
        "aggregation": lambda text: parse_aggregation(text, n_levels),
        "imputation": lambda text: tuple(_imputation_methods(text)),
    }
    for code, nominal, alternatives in (
        ("normalisation", nominal_normalisation, method.normalisation_alternatives),
        ("aggregation", nominal_aggregation, method.aggregation_alternatives),
        ("imputation", nominal_imputation, method.imputation_alternatives),
    ):
        # Spellings differ ("minmax" and "minmax:0,100"): the engine's parse says whether two choices are one.
        seen = [same[code](nominal)]
        choices = [nominal]
        for choice in alternatives:
            parsed = same[code](choice)
            if parsed not in seen:
                seen.append(parsed)
                choices.append(choice)
        if len(choices) > 1:
            found.append(Assumption(code, (f"m:{code}",), ((0.0, 1.0),), choices=tuple(choices)))
    return tuple(found)


def _imputation_methods(text: str) -> tuple[str, ...]:
    """An imputation choice's methods: "none" for none, else names joined by "+"."""
    return () if text in ("", "none") else tuple(text.split("+"))


def sobol_indices(
    tree: FrameworkTree,
    raw: pd.DataFrame,
    options: ScoringOptions,
    method: MethodParameters,
    move_probability: pd.DataFrame | None = None,
    seed: int | None = None,
    *,
    groups: pd.Series | None = None,
    previous: pd.DataFrame | None = None,
) -> SensitivityResult:
    """First-order and total Sobol indices of the index's mean rank shift per assumption (module docstring).

    ``move_probability`` (units x level indicators, the rater model's chance
    per answer) defaults to the model's value for an unrecorded answer;
    ``seed`` defaults to ``method.seed``; ``groups`` and ``previous`` serve
    imputation alternatives as in `score`.  Raises `ScoringInputError` when
    nothing is uncertain or a scenario cannot be scored.
    """
    seed = method.seed if seed is None else seed
    assumptions = assumptions_of(tree, raw, options, method, move_probability)
    if not assumptions:
        raise ScoringInputError([Problem(None, "method", "no assumption varies: nothing to analyse")])
    problem = _salib_problem(assumptions)
    base = method.sensitivity_samples
    model = _ScenarioModel(tree, raw, options, assumptions, groups=groups, previous=previous)
    nominal = model.nominal_ranks()
    kept: dict[str, FloatArray] = {}

    def mean_abs_rank_shift(design: FloatArray) -> FloatArray:
        kept["ranks"] = model.ranks(design)
        return _mean_abs_shift(kept["ranks"], nominal)

    indices, output = analyse_model(problem, mean_abs_rank_shift, base, seed=seed)
    return _result(indices, assumptions, kept["ranks"], output, nominal, raw.index, base, method)


def analyse_model(
    problem: Mapping[str, object], model: Callable[[FloatArray], FloatArray], base: int, *, seed: int
) -> tuple[pd.DataFrame, FloatArray]:
    """Grouped Sobol indices of a vectorised ``model`` (design rows -> outputs) and the outputs it gave.

    The one path every analysis takes, so the validation on the Ishigami
    function and on a grouped linear model checks what the audit runs:
    `saltelli_design` then ``SALib.analyze.sobol.analyze`` (second order,
    95 % bootstrap intervals seeded with ``seed``).
    """
    design = saltelli_design(problem, base, seed=seed)
    output = np.asarray(model(design), dtype=np.float64)
    return _analysed(problem, output, seed), output


def saltelli_design(problem: Mapping[str, object], base: int, *, seed: int) -> FloatArray:
    """SALib's ``sobol.sample(problem, base, calc_second_order=True, scramble=True, seed=seed)``, vectorised.

    The same rows in the same order: per base point i, A_i, then A_i with
    group g's columns from B_i (for each group), then B_i with group g's
    columns from A_i, then B_i; A and B are the two halves of one scrambled
    Sobol sequence of 2D dimensions (scipy's ``qmc.Sobol``, as SALib draws
    it).  SALib builds the rows in a Python loop over rows x groups x
    variables, seconds for the rater's thousands of variables; this builds
    them with masks (tests/unit/scoring/test_sensitivity.py checks equality).
    """
    names = list(problem["names"])  # type: ignore[call-overload]
    variables = len(names)
    sequence = qmc.Sobol(d=2 * variables, scramble=True, seed=seed).random(base)
    a, b = sequence[:, :variables], sequence[:, variables:]
    _, group_names = compute_groups_matrix(list(problem["groups"]))  # type: ignore[call-overload]
    member = np.array(list(problem["groups"])) == np.array(group_names)[:, None]  # type: ignore[call-overload]
    rows = [a[:, None, :]]
    rows.append(np.where(member[None], b[:, None, :], a[:, None, :]))
    rows.append(np.where(member[None], a[:, None, :], b[:, None, :]))
    rows.append(b[:, None, :])
    design = np.concatenate(rows, axis=1).reshape(-1, variables)
    scaled: FloatArray = scale_samples(design, dict(problem))
    return scaled


def unit_indices(result: SensitivityResult, unit_position: int, method: MethodParameters) -> pd.DataFrame:
    """Sobol indices of one unit's |rank shift| from the runs already made (same columns as ``indices``)."""
    if result.rank_samples is None or result.nominal_ranks is None:
        raise ValueError("the result keeps no per-scenario ranks")
    shift = np.abs(result.rank_samples[:, unit_position] - result.nominal_ranks.to_numpy()[unit_position])
    return _analysed(_salib_problem(result.assumptions), np.nan_to_num(shift), method.seed)


def _salib_problem(assumptions: Sequence[Assumption]) -> dict[str, object]:
    names = [name for assumption in assumptions for name in assumption.variables]
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(bound) for assumption in assumptions for bound in assumption.bounds],
        "groups": [assumption.code for assumption in assumptions for _ in assumption.variables],
    }


def _analysed(problem: Mapping[str, object], output: FloatArray, seed: int) -> pd.DataFrame:
    """SALib's first-order and total indices per group, as a frame indexed by assumption code."""
    codes = list(dict.fromkeys(problem["groups"]))  # type: ignore[call-overload]
    if np.ptp(output) == 0:
        # No variance to share out: every index is zero (SALib would divide by zero).
        zeros = np.zeros(len(codes))
        return pd.DataFrame(
            {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}, index=pd.Index(codes, name="assumption")
        )
    analysis = sobol_analyze.analyze(dict(problem), output, calc_second_order=True, seed=seed)
    frame = pd.DataFrame(
        {column: np.asarray(analysis[column], dtype=np.float64) for column in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(codes, name="assumption"),
    )
    return frame


def _result(
    indices: pd.DataFrame,
    assumptions: tuple[Assumption, ...],
    ranks: FloatArray,
    output: FloatArray,
    nominal: FloatArray,
    units: pd.Index,
    base: int,
    method: MethodParameters,
) -> SensitivityResult:
    most = str(indices["ST"].idxmax()) if indices["ST"].max() > 0 else str(indices.index[0])
    sentences = {
        str(code): sentence_key(str(code), float(row["S1"]), float(row["ST"]), method)
        for code, row in indices.iterrows()
    }
    return SensitivityResult(
        indices=indices,
        output=OUTPUT_MEAN_ABS_RANK_SHIFT,
        samples=int(output.shape[0]),
        most_influential=most,
        sentences=sentences,
        assumptions=assumptions,
        base_samples=base,
        nominal_ranks=pd.Series(nominal, index=units, name="rank"),
        rank_samples=ranks,
        outputs=output,
    )


def _mean_abs_shift(ranks: FloatArray, nominal: FloatArray) -> FloatArray:
    """Per scenario, the mean over units ranked in both of |rank - nominal rank|."""
    shift = np.abs(ranks - nominal)
    counted = ~np.isnan(shift)
    total = np.where(counted, shift, 0.0).sum(axis=1)
    count = counted.sum(axis=1)
    mean: FloatArray = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    return mean


class _ScenarioModel:
    """Scores scenarios (rows of a SALib design) in blocks sharing a method choice."""

    def __init__(
        self,
        tree: FrameworkTree,
        raw: pd.DataFrame,
        options: ScoringOptions,
        assumptions: Sequence[Assumption],
        *,
        groups: pd.Series | None,
        previous: pd.DataFrame | None,
    ) -> None:
        self.tree = tree
        self.assumptions = {assumption.code: assumption for assumption in assumptions}
        offsets = np.cumsum([0, *(assumption.size for assumption in assumptions)])
        self.columns = {
            assumption.code: slice(int(offsets[i]), int(offsets[i + 1])) for i, assumption in enumerate(assumptions)
        }
        nominal = prepare(tree, raw, options, groups=groups, previous=previous)
        self.units = nominal.units
        self.plan: AggregationPlan = nominal.plan
        self.overrides = nominal.overrides
        self.threshold = options.availability_threshold
        self.base_weights = nominal.node_weights(options.weights)
        self.nodes = [code for code in tree.codes if code != tree.root]
        self.node_columns = np.array([tree.codes.index(code) for code in self.nodes], dtype=np.intp)
        self.root_column = tree.codes.index(tree.root) - self.plan.n_indicators
        arrays = tree.indicator_arrays
        self.lower = np.where(np.isnan(arrays.lower), -np.inf, arrays.lower)
        self.upper = np.where(np.isnan(arrays.upper), np.inf, arrays.upper)

        imputation = self.assumptions.get("imputation")
        self.raw_choices: list[FloatArray] = [nominal.raw]
        if imputation is not None:
            for choice in imputation.choices[1:]:
                alternative = replace(options, imputation=_imputation_methods(choice))
                self.raw_choices.append(prepare(tree, raw, alternative, groups=groups, previous=previous).raw)
        normalisation = self.assumptions.get("normalisation")
        self.normalisations: list[Normalisation] = [nominal.normalisation]
        if normalisation is not None:
            self.normalisations.extend(Normalisation.parse(choice) for choice in normalisation.choices[1:])
        aggregation = self.assumptions.get("aggregation")
        self.methods: list[tuple[AggregationMethod, ...]] = [nominal.methods]
        if aggregation is not None:
            self.methods.extend(parse_aggregation(choice, len(self.plan.levels)) for choice in aggregation.choices[1:])

    def nominal_ranks(self) -> FloatArray:
        """The index's ranks with every assumption at its nominal value."""
        indicator_scores, _ = fit_normalisation(self.raw_choices[0], self.tree, self.normalisations[0], self.overrides)
        root = self._root_scores(indicator_scores[None], self.base_weights[None], self.methods[0])
        ranks: FloatArray = rank_descending(root, axis=-1)[0]
        return ranks

    def ranks(self, design: FloatArray) -> FloatArray:
        """(scenarios, units): the index's rank in every scenario of ``design``."""
        scenarios = design.shape[0]
        weights = np.repeat(self.base_weights[None], scenarios, axis=0)
        if "weights" in self.columns:
            weights[:, self.node_columns] *= design[:, self.columns["weights"]]
        picks = {
            code: self._pick(design, code, len(choices))
            for code, choices in (
                ("imputation", self.raw_choices),
                ("normalisation", self.normalisations),
                ("aggregation", self.methods),
            )
        }
        ranks = np.full((scenarios, len(self.units)), np.nan)
        combinations = np.stack([picks["imputation"], picks["normalisation"], picks["aggregation"]], axis=1)
        per_scenario = len(self.units) * (len(self.tree.codes) + 8 * self.plan.n_indicators) * 8
        block = max(1, _BLOCK_BYTES // per_scenario)
        for combination in np.unique(combinations, axis=0):
            imputation, normalisation, aggregation = (int(value) for value in combination)
            chosen = np.flatnonzero((combinations == combination).all(axis=1))
            for start in range(0, chosen.size, block):
                rows = chosen[start : start + block]
                raw = self._moved_raw(self.raw_choices[imputation], design[rows])
                scores = self._normalised(raw, self.normalisations[normalisation])
                root = self._root_scores(scores, weights[rows], self.methods[aggregation])
                ranks[rows] = rank_descending(root, axis=-1)
        return ranks

    def _pick(self, design: FloatArray, code: str, count: int) -> NDArray[np.int64]:
        if code not in self.columns or count < 2:
            return np.zeros(design.shape[0], dtype=np.int64)
        u = design[:, self.columns[code]][:, 0]
        picked: NDArray[np.int64] = np.minimum((u * count).astype(np.int64), count - 1)
        return picked

    def _moved_raw(self, raw: FloatArray, design: FloatArray) -> FloatArray:
        """(block, units, indicators): the raw data with each scenario's rater moves applied."""
        moved = np.repeat(raw[None], design.shape[0], axis=0)
        rater = self.assumptions.get("rater")
        if rater is None:
            return moved
        u = design[:, self.columns["rater"]]
        half = np.asarray(rater.moves) / 2
        step = np.where(u < half, -1.0, np.where(u > 1 - half, 1.0, 0.0))
        rows = np.array([cell[0] for cell in rater.cells], dtype=np.intp)
        columns = np.array([cell[1] for cell in rater.cells], dtype=np.intp)
        moved[:, rows, columns] = np.clip(moved[:, rows, columns] + step, self.lower[columns], self.upper[columns])
        return moved

    def _normalised(self, raw: FloatArray, normalisation: Normalisation) -> FloatArray:
        """(block, units, indicators) normalised scores; one fit per scenario when the fit reads the data."""
        specs = {normalisation, *self.overrides.values()}
        if all(spec.method in _DATA_FREE_NORMALISATIONS for spec in specs):
            _, fitted = fit_normalisation(raw[0], self.tree, normalisation, self.overrides)
            applied: FloatArray = fitted.apply(raw)
            return applied
        return np.stack([fit_normalisation(matrix, self.tree, normalisation, self.overrides)[0] for matrix in raw])

    def _root_scores(
        self, indicator_scores: FloatArray, weights: FloatArray, methods: Sequence[AggregationMethod]
    ) -> FloatArray:
        """(block, units): the root's score; scenarios may impute differently, so presence is per scenario."""
        aggregates = aggregate_runs(
            indicator_scores, weights, self.plan, methods, self.threshold, self.units, same_presence=False
        )
        root: FloatArray = aggregates[..., self.root_column]
        return root
