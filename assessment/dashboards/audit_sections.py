"""What the statistical audit shows, section by section, for the page and the PDF annex alike.

Each section is a title, a sentence saying what it checks, its panels
(`assessment.dashboards.panels.Panel`: figure + table + caption) and its
flags, each flag written as one translated sentence saying what it means and
what to do. The numbers come from `assessment.region_audit.RegionAudit`
(computed by the pure `assessment.scoring.audit` and
`assessment.scoring.sensitivity`); the thresholds from the framework
version's `MethodParameters`, through `AuditThresholds`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from assessment.dashboards import audit_figures
from assessment.dashboards.labels import display_number
from assessment.dashboards.panels import Panel
from assessment.region_audit import RegionAudit
from assessment.scoring.audit import AuditFlag, AuditThresholds
from assessment.scoring.method import MethodParameters
from assessment.scoring.tree import FrameworkTree


@dataclass
class AuditSection:
    """One part of the audit: what it checks, its panels and its flags as sentences."""

    slug: str
    title: str
    explanation: str
    panels: list[Panel] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    verdict: str = ""


def assumption_labels() -> dict[str, str]:
    """The assumptions the sensitivity analysis varies, by the engine's code."""
    return {
        "weights": _("the weights"),
        "rater": _("the raters' judgement"),
        "normalisation": _("the normalisation method"),
        "aggregation": _("the aggregation method"),
        "imputation": _("the imputation method"),
    }


def assumption_names() -> dict[str, str]:
    """The assumptions as a chart's axis and a table's first column name them."""
    return {
        "weights": _("Weights"),
        "rater": _("Raters' judgement"),
        "normalisation": _("Normalisation"),
        "aggregation": _("Aggregation"),
        "imputation": _("Imputation"),
    }


def assumption_meaning(key: str) -> str:
    """What an assumption's S1 and ST say, by `assessment.scoring.sensitivity.sentence_key`."""
    meanings = {
        "negligible": _("Hardly moves the ranking: no need to settle it further."),
        "alone": _("Moves the ranking by itself: settling this assumption narrows the ranks most directly."),
        "through_interactions": _(
            "Moves the ranking only together with other assumptions: settle those first, then look again."
        ),
        "with_interactions": _("Moves the ranking by itself and together with other assumptions."),
    }
    return meanings.get(key, key)


def _percent(value: float, digits: int = 0) -> str:
    shown = display_number(100 * value, digits)
    return "–" if shown == "" else f"{shown:.{digits}f} %"


def _number(value: float, digits: int = 2) -> str:
    shown = display_number(value, digits)
    return "–" if shown == "" else f"{shown:.{digits}f}"


def flag_sentence(flag: AuditFlag, thresholds: AuditThresholds, names: Mapping[str, str]) -> str:
    """One sentence per flag: what it means and what to do (the threshold it crossed named)."""
    subject = " ~ ".join(f"{code} {names.get(code, '')}".strip() for code in flag.subject.split("~"))
    values: dict[str, Any] = {"subject": subject, "value": _number(flag.value)}
    sentences: dict[str, Callable[[], str]] = {
        "redundant_pair": lambda: (
            _(
                "%(subject)s correlate at r = %(value)s (above %(limit)s): they measure nearly the same thing, "
                "so together they count twice. Merge them, drop one, or halve their weights."
            )
            % {**values, "limit": _number(thresholds.redundancy_r)}
        ),
        "negative_correlation": lambda: (
            _(
                "%(subject)s correlate negatively (r = %(value)s, below %(limit)s) within one dimension: a high "
                "score on one offsets the other. Check the direction of each and whether both belong to the dimension."
            )
            % {**values, "limit": _number(thresholds.negative_r)}
        ),
        "low_alpha": lambda: (
            _(
                "The indicators of %(subject)s hang together weakly (Cronbach's alpha %(value)s, below %(limit)s): "
                "the dimension mixes different things. Check which indicator does not fit, or split the dimension."
            )
            % {**values, "limit": _number(thresholds.alpha)}
        ),
        "axes_not_distinct": lambda: (
            _(
                "The two halves %(subject)s correlate at r = %(value)s (%(limit)s or more): the plane's two axes "
                "largely measure the same thing, so its quadrants separate cities less than they seem to. "
                "Review the descriptors that tie the halves together."
            )
            % {**values, "limit": _number(thresholds.axes_distinct_r)}
        ),
        "weight_influence_mismatch": lambda: (
            _(
                "%(subject)s moves the index %(value)s times as much (or as little) as its weight says "
                "(more than %(limit)s times apart). Its weight does not say what it does: adjust the weight "
                "or explain the difference."
            )
            % {**values, "limit": _number(thresholds.mismatch_factor, 1)}
        ),
        "low_coverage": lambda: (
            _(
                "%(subject)s has data for %(value)s of the cities (less than %(limit)s): "
                "its scores rest on too few answers. Collect the missing data or leave the indicator out."
            )
            % {**values, "value": _percent(flag.value), "limit": _percent(thresholds.coverage)}
        ),
        "high_imputation": lambda: (
            _(
                "%(value)s of the values of %(subject)s are imputed (more than %(limit)s): "
                "the ranking leans on estimates. Collect the missing data before publishing comparisons on it."
            )
            % {**values, "value": _percent(flag.value), "limit": _percent(thresholds.imputation)}
        ),
        "treated": lambda: (
            _(
                "%(subject)s was treated for outliers: its extreme values were pulled in before normalising, "
                "so its scores are not the measured values. Say so wherever its scores are shown."
            )
            % values
        ),
    }
    sentence = sentences.get(flag.code)
    return sentence() if sentence else f"{flag.code}: {subject} ({values['value']})"


def most_influential_sentence(computed: RegionAudit) -> str:
    """ "The assumption that moves the ranking most is …", or why there is no such sentence."""
    sensitivity = computed.sensitivity
    if sensitivity is None or sensitivity.indices.empty:
        return _("The sensitivity analysis could not run on these results.")
    code = sensitivity.most_influential
    name = assumption_labels().get(code, code)
    total = float(sensitivity.indices.loc[code, "ST"])
    return _(
        "The assumption that moves the ranking most is %(assumption)s: alone or with the others it accounts "
        "for %(share)s of the variance of the cities' rank shifts (total-effect index ST)."
    ) % {"assumption": name, "share": _percent(total)}


# Sentences written out per kind of flag; the rest of that kind are listed by subject in one more line.
# A small region (G60: nine cities) can have dozens of redundant pairs, and a wall of sentences hides the others.
SENTENCES_PER_KIND = 3


def _flags(
    computed: RegionAudit, codes: tuple[str, ...], thresholds: AuditThresholds, names: Mapping[str, str]
) -> list[str]:
    shown: list[str] = []
    for code in codes:
        flags = [flag for flag in computed.audit.flags if flag.code == code]
        shown.extend(flag_sentence(flag, thresholds, names) for flag in flags[:SENTENCES_PER_KIND])
        rest = flags[SENTENCES_PER_KIND:]
        if rest:
            subjects = ", ".join(f"{flag.subject.replace('~', ' ~ ')} ({_number(flag.value)})" for flag in rest)
            shown.append(
                _("%(count)d more of the same kind: %(subjects)s.") % {"count": len(rest), "subjects": subjects}
            )
    return shown


def framework_order(tree: FrameworkTree) -> list[str]:
    """Every node code as the framework reads: each aggregate's children in turn, depth first from the index.

    The indicator matrix in this order shows each dimension as a block on the diagonal.
    """
    order: list[str] = []

    def visit(code: str) -> None:
        order.append(code)
        for child in tree.children_of.get(code, ()):
            visit(child)

    visit(tree.root)
    return order


def _ordered(frame: pd.DataFrame, order: list[str], columns: bool = False) -> pd.DataFrame:
    """Rows (and columns) in framework order; codes the order does not know go last."""
    position = {code: i for i, code in enumerate(order)}
    rows = sorted(frame.index, key=lambda code: (position.get(code, len(order)), str(code)))
    frame = frame.loc[rows]
    return frame[[code for code in rows if code in frame.columns]] if columns else frame


def audit_sections(
    computed: RegionAudit, method: MethodParameters, names: Mapping[str, str], tree: FrameworkTree
) -> list[AuditSection]:
    """The audit's sections in reading order; ``names`` are node names by code; tables in the framework's order."""
    audit = computed.audit
    thresholds = AuditThresholds.from_method(method)
    order = framework_order(tree)
    coverage = _ordered(audit.coverage, order)
    return [
        _coverage_section(coverage, computed, thresholds, names),
        _treatment_section(coverage, computed, thresholds, names),
        _correlation_section(
            _ordered(audit.dimension_correlations, order, columns=True),
            _ordered(audit.correlations, order, columns=True),
            computed,
            thresholds,
            names,
        ),
        _consistency_section(_ordered(audit.alpha, order), computed, thresholds, names),
        _halves_section(audit.halves_correlation, computed, thresholds, names, tree.children_of[tree.root]),
        _influence_section(_ordered(audit.influence, order), computed, thresholds, names),
        _sensitivity_section(computed, method),
    ]


def _coverage_section(
    coverage: pd.DataFrame, computed: RegionAudit, thresholds: AuditThresholds, names: Mapping[str, str]
) -> AuditSection:
    rows = [
        [code, names.get(code, ""), _percent(row["coverage"]), _percent(row["imputed"])]
        for code, row in coverage.iterrows()
    ]
    flags = _flags(computed, ("low_coverage", "high_imputation"), thresholds, names)
    return AuditSection(
        "coverage",
        _("Data coverage and imputation"),
        _(
            "For each indicator, the share of the %(units)d cities with data, and the share of values imputed. "
            "Indicators under %(coverage)s coverage or over %(imputation)s imputed are flagged."
        )
        % {
            "units": computed.units,
            "coverage": _percent(thresholds.coverage),
            "imputation": _percent(thresholds.imputation),
        },
        [
            Panel(
                "coverage",
                _("Coverage per indicator"),
                None,
                [_("Code"), _("Indicator"), _("Data"), _("Imputed")],
                rows,
            )
        ],
        flags,
        "" if flags else _("Every indicator has enough data, and few imputed values."),
    )


def _treatment_section(
    coverage: pd.DataFrame, computed: RegionAudit, thresholds: AuditThresholds, names: Mapping[str, str]
) -> AuditSection:
    treated = [code for code, row in coverage.iterrows() if bool(row.get("treated", False))]
    return AuditSection(
        "treatment",
        _("Outlier treatment"),
        _(
            "Whether the scoring pulled in an indicator's extreme values before normalising "
            "(winsorising or a log transformation, as COINr's Treat())."
        ),
        [],
        _flags(computed, ("treated",), thresholds, names),
        _("None: no indicator was treated; every score uses the measured values.") if not treated else "",
    )


def _correlation_section(
    dimensions: pd.DataFrame,
    indicators: pd.DataFrame,
    computed: RegionAudit,
    thresholds: AuditThresholds,
    names: Mapping[str, str],
) -> AuditSection:
    code_labels = {code: str(code) for code in indicators.columns}
    dimension_rows = [
        [code, *[_number(v) for v in row]] for code, row in zip(dimensions.index, dimensions.to_numpy(), strict=True)
    ]
    flags = _flags(computed, ("redundant_pair", "negative_correlation"), thresholds, names)
    return AuditSection(
        "correlations",
        _("Correlations within and between dimensions"),
        _(
            "Pearson correlations of the normalised indicators, and of the dimensions' scores, over the cities. "
            "Pairs above %(redundant)s are flagged as redundant, pairs within a dimension below %(negative)s "
            "as negatively related; a correlation over fewer than five cities is left out."
        )
        % {"redundant": _number(thresholds.redundancy_r), "negative": _number(thresholds.negative_r)},
        [
            Panel(
                "dimension-correlations",
                _("Between dimensions"),
                audit_figures.correlation_figure(dimensions, {code: str(code) for code in dimensions.columns}),
                ["", *[str(code) for code in dimensions.columns]],
                dimension_rows,
            ),
            Panel(
                "indicator-correlations",
                _("Between indicators"),
                audit_figures.correlation_figure(indicators, code_labels, with_values=False),
                [],
                [],
                _("Red: positive; blue: negative; white: none. On the page, hover a cell for its value."),
            ),
        ],
        flags,
        "" if flags else _("No redundant or negatively related pair."),
    )


def _consistency_section(
    alpha: pd.DataFrame, computed: RegionAudit, thresholds: AuditThresholds, names: Mapping[str, str]
) -> AuditSection:
    rows = [
        [
            code,
            names.get(code, ""),
            int(row["n_indicators"]),
            _number(row["cronbach_alpha"]),
            _percent(row["pc1_share"]) if pd.notna(row["pc1_share"]) else "–",
        ]
        for code, row in alpha.iterrows()
    ]
    flags = _flags(computed, ("low_alpha",), thresholds, names)
    return AuditSection(
        "consistency",
        _("Internal consistency of each dimension"),
        _(
            "Cronbach's alpha (do the indicators of a dimension move together?) and the share of their variance "
            "the first principal component explains (do they measure one thing?). Alpha below %(alpha)s is flagged."
        )
        % {"alpha": _number(thresholds.alpha)},
        [
            Panel(
                "consistency",
                _("Alpha and first component per aggregate"),
                None,
                [_("Code"), _("Name"), _("Indicators"), _("Cronbach's alpha"), _("First component's share")],
                rows,
            )
        ],
        flags,
        "" if flags else _("Every dimension's indicators hang together."),
    )


def _halves_section(
    r: float | None,
    computed: RegionAudit,
    thresholds: AuditThresholds,
    names: Mapping[str, str],
    halves: tuple[str, ...],
) -> AuditSection:
    pair = " / ".join(f"{code} {names.get(code, '')}".strip() for code in halves)
    if r is None or pd.isna(r):
        verdict = _("The two halves could not be compared (the framework does not have exactly two).")
    elif abs(r) < thresholds.axes_distinct_r:
        verdict = _("Yes: %(pair)s correlate at r = %(r)s, below %(limit)s; the plane's two axes are distinct.") % {
            "pair": pair,
            "r": _number(r),
            "limit": _number(thresholds.axes_distinct_r),
        }
    else:
        verdict = _(
            "No: %(pair)s correlate at r = %(r)s (%(limit)s or more); the plane's two axes largely measure "
            "the same thing."
        ) % {"pair": pair, "r": _number(r), "limit": _number(thresholds.axes_distinct_r)}
    return AuditSection(
        "halves",
        _("Are the plane's two axes distinct?"),
        _("The correlation over the cities between the scores of the framework's two halves."),
        [],
        _flags(computed, ("axes_not_distinct",), thresholds, names),
        verdict,
    )


def _influence_section(
    influence: pd.DataFrame, computed: RegionAudit, thresholds: AuditThresholds, names: Mapping[str, str]
) -> AuditSection:
    rows = [
        [
            code,
            names.get(code, ""),
            _percent(row["nominal_weight"], 1),
            _number(row["correlation_ratio"]),
            _percent(row["influence_share"], 1),
            _number(row["mismatch"], 1),
        ]
        for code, row in influence.iterrows()
    ]
    flags = _flags(computed, ("weight_influence_mismatch",), thresholds, names)
    return AuditSection(
        "influence",
        _("Nominal weight and effective influence"),
        _(
            "An indicator's weight says how much it should count; its correlation ratio with the index "
            "(the first-order effect, as in the JRC's audits) says how much it does. Indicators whose "
            "influence share and weight differ by a factor over %(factor)s are flagged."
        )
        % {"factor": _number(thresholds.mismatch_factor, 1)},
        [
            Panel(
                "influence",
                _("Weight against influence"),
                audit_figures.influence_figure(influence, names),
                [_("Code"), _("Indicator"), _("Weight"), _("Correlation ratio"), _("Influence share"), _("Ratio")],
                rows,
                _("Points above the dotted line count more than their weight, below it less."),
            )
        ],
        flags,
        "" if flags else _("Every indicator's influence is in line with its weight."),
    )


def _sensitivity_section(computed: RegionAudit, method: MethodParameters) -> AuditSection:
    sensitivity = computed.sensitivity
    labels = assumption_names()
    if sensitivity is None or sensitivity.indices.empty:
        return AuditSection(
            "sensitivity",
            _("Which assumption moves the ranking most"),
            "",
            [],
            [],
            most_influential_sentence(computed),
        )
    indices = sensitivity.indices
    rows = [
        [
            labels.get(code, code),
            _number(row["S1"]),
            f"± {_number(row['S1_conf'])}",
            _number(row["ST"]),
            f"± {_number(row['ST_conf'])}",
            assumption_meaning(sensitivity.sentences.get(code, "")),
        ]
        for code, row in indices.iterrows()
    ]
    return AuditSection(
        "sensitivity",
        _("Which assumption moves the ranking most"),
        _(
            "Variance-based sensitivity (Sobol indices, Saltelli's design, SALib): how much of the variation "
            "in the cities' ranks each assumption causes alone (S1) and with its interactions (ST). "
            "%(samples)d model runs from %(base)d base samples."
        )
        % {"samples": sensitivity.samples, "base": method.sensitivity_samples},
        [
            Panel(
                "sensitivity",
                _("Sobol indices per assumption"),
                audit_figures.sensitivity_figure(indices, labels),
                [_("Assumption"), "S1", _("S1 confidence"), "ST", _("ST confidence"), _("What it means")],
                rows,
                _("The error bars and the ± columns are bootstrap confidence intervals."),
            )
        ],
        [],
        most_influential_sentence(computed),
    )
