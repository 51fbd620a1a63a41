"""DualSpace scoring engine: pure Python, numpy and pandas; never imports Django.

From a framework tree and a units x indicators table of raw values to
normalised indicators, aggregates, ranks, stages, gaps to the next stage,
explanations, statistics and Monte Carlo rank intervals, conformant with the
JRC's COINr.  Each module's docstring states its formula:

- `tree`: the framework (indicators, aggregates, weights, stage ladder);
- `normalise`: indicator normalisation after direction;
- `aggregate`: weighted arithmetic, geometric, harmonic means per level;
- `denominate`: an indicator divided by a size measure (COINr's Denominate);
- `impute`: flagged imputation by group mean or previous period;
- `treat`: outlier treatment as COINr's Treat() (winsorise, then log_CT), flagged;
- `ranks`: highest first, ties share the lowest rank;
- `stage_ladder`: which rung each unit reaches;
- `stage_gap`: the least-effort gap to the next rung;
- `explain`: effective weights, contributions, strengths, change;
- `statistics`: descriptive statistics, correlations, Cronbach's alpha;
- `method`: the method's numbers (draws, perturbation, rater model, thresholds);
- `uncertainty`: Monte Carlo over weights, raters' judgement and methods;
- `sensitivity`: Sobol indices of the assumptions (SALib);
- `audit`: the statistical audit (correlations, alpha, influence, coverage);
- `engine`: `score(tree, data, options) -> ScoreResult`;
- `coinr`: COINr's iMeta / iData / results tables.
"""

from assessment.scoring.aggregate import AGGREGATION_METHODS, AggregationMethod
from assessment.scoring.coinr import (
    coinr_flags_table,
    coinr_results_table,
    read_idata,
    read_imeta,
    read_weights,
    tree_from_imeta,
)
from assessment.scoring.engine import (
    PreparedScoring,
    ScoreResult,
    ScoringOptions,
    prepare,
    rescore_with_weights,
    score,
)
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.explain import (
    StrengthsAndWeaknesses,
    change_between_periods,
    contributions,
    effective_weights,
    strengths_and_weaknesses,
)
from assessment.scoring.impute import IMPUTATION_METHODS
from assessment.scoring.normalise import NORMALISATION_METHODS, Normalisation
from assessment.scoring.ranks import rank_descending
from assessment.scoring.stage_gap import Improvement, Shortfall, StageGap
from assessment.scoring.statistics import (
    correlation_with_parent,
    cronbach_alpha,
    describe_indicators,
)
from assessment.scoring.tree import (
    DEFAULT_CRITICAL_FLOOR,
    DEFAULT_THRESHOLD,
    INDICATOR_TYPES,
    FrameworkTree,
    IndicatorSpec,
    IndicatorType,
    Node,
    Rung,
    StageLadder,
)
from assessment.scoring.uncertainty import MonteCarloOptions, UncertaintyResult

# Bumped whenever a change can alter any number the engine returns, so stored
# results can tell which engine produced them.
ENGINE_VERSION = "1.0.0"

__all__ = [
    "AGGREGATION_METHODS",
    "ENGINE_VERSION",
    "DEFAULT_CRITICAL_FLOOR",
    "DEFAULT_THRESHOLD",
    "IMPUTATION_METHODS",
    "INDICATOR_TYPES",
    "NORMALISATION_METHODS",
    "AggregationMethod",
    "FrameworkTree",
    "Improvement",
    "IndicatorSpec",
    "IndicatorType",
    "MonteCarloOptions",
    "Node",
    "Normalisation",
    "PreparedScoring",
    "Problem",
    "Rung",
    "ScoreResult",
    "ScoringInputError",
    "ScoringOptions",
    "Shortfall",
    "StageGap",
    "StageLadder",
    "StrengthsAndWeaknesses",
    "UncertaintyResult",
    "change_between_periods",
    "coinr_flags_table",
    "coinr_results_table",
    "contributions",
    "correlation_with_parent",
    "cronbach_alpha",
    "describe_indicators",
    "effective_weights",
    "prepare",
    "rank_descending",
    "read_idata",
    "read_imeta",
    "read_weights",
    "rescore_with_weights",
    "score",
    "strengths_and_weaknesses",
    "tree_from_imeta",
]
