"""The methodology text filled in from the method's numbers, so the text says what the code runs.

Pure Python: no Django.

A framework version's methodology (``methodology_zh``/``methodology_en``) is
stored with placeholders where a method number goes, e.g. ``{runs}`` draws,
factors from ``{weight_factor_low}`` to ``{weight_factor_high}``;
`render_methodology` fills them from the version's `MethodParameters`
(``Framework.method_parameters()``), written as a report in that language
writes them.  The placeholders (`PLACEHOLDERS`):

=========================  =============================================  ==========  ==========
placeholder                value                                          English     Chinese
=========================  =============================================  ==========  ==========
``{runs}``                 ``runs``                                       1,000       1000
``{seed}``                 ``seed``                                       1           1
``{weight_factor_low}``    ``1 - weight_perturbation``                    0.75        0.75
``{weight_factor_high}``   ``1 + weight_perturbation``                    1.25        1.25
``{interval_low}``         ``interval_low`` (a percentile)                5th         5
``{interval_high}``        ``interval_high``                              95th        95
``{rater_move_low}``       least ``rater_move_probability`` in the table  5%          5%
``{rater_move_high}``      greatest                                       ...         ...
``{rater_move_table}``     one line per confidence, one entry per grade   (lines)     (lines)
``{alternatives}``         the normalisation, aggregation and imputation  (a list)    (a list)
                           alternatives, "none" where a list is empty
``{sensitivity_samples}``  ``sensitivity_samples``                        256         256
``{gap_steps}``            ``gap_steps_per_period``: most levels one       2           2
                           indicator moves in one period's gap plan
                           ("none"/"无" when the version sets no cap)
``{derived_partners}``     partner cities for a derived level 3           3           3
                           (``derived_indicators.ESTABLISHED_PARTNERS``)
``{derived_agreements}``   agreements for a derived level 5               2           2
                           (``derived_indicators.LEADING_AGREEMENTS``)
``{derived_modes}``        modes of cooperation for a derived level 5     2           2
                           (``derived_indicators.LEADING_MODES``)
=========================  =============================================  ==========  ==========

The three ``derived_*`` numbers are not method parameters of a version:
they are the rule that proposes a level from the agreements, and the text
reads them from `assessment.derived_indicators`, where the rule runs.

The rater table combines the two lists of the rater model (module
docstring of ``assessment/scoring/method.py``): for confidence c and grade
g, ``p = 1 - (1 - p_c) * (1 - p_g)``, as a percentage rounded to 0.1.
Any other ``{word}`` is not a placeholder: `unknown_placeholders` names it
so that a framework document or an edit carrying one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from assessment.derived_indicators import ESTABLISHED_PARTNERS, LEADING_AGREEMENTS, LEADING_MODES
from assessment.scoring.method import MethodParameters

__all__ = ["PLACEHOLDERS", "methodology_values", "render_methodology", "unknown_placeholders"]

Language = Literal["zh", "en"]

PLACEHOLDERS = (
    "runs",
    "seed",
    "weight_factor_low",
    "weight_factor_high",
    "interval_low",
    "interval_high",
    "rater_move_low",
    "rater_move_high",
    "rater_move_table",
    "alternatives",
    "sensitivity_samples",
    "gap_steps",
    "derived_partners",
    "derived_agreements",
    "derived_modes",
)

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")

# The order a reader expects; a key outside these lists comes after, as written.
_CONFIDENCE_ORDER = ("high", "medium", "low", "")
_QUALITY_ORDER = ("A", "B", "C", "D", "E", "F", "")
_CONFIDENCE_NAMES = {
    "en": {
        "high": "High confidence",
        "medium": "Medium confidence",
        "low": "Low confidence",
        "": "Confidence not stated",
    },
    "zh": {"high": "可信度高", "medium": "可信度中", "low": "可信度低", "": "未填可信度"},
}
_QUALITY_NAMES = {"en": {"": "no grade"}, "zh": {"": "未评级"}}
_NONE = {"en": "none", "zh": "无"}
_KINDS = {
    "en": ("normalisation", "aggregation", "imputation"),
    "zh": ("标准化", "汇总", "插补"),
}
_METHOD_NAMES = {
    "en": {
        "goalposts": "goalposts",
        "minmax": "min-max over the compared cities ({low} to {high})",
        "zscore": "z-score over the compared cities",
        "arithmetic": "weighted arithmetic mean",
        "geometric": "weighted geometric mean",
        "harmonic": "weighted harmonic mean",
        "previous": "the previous period's value",
        "group_mean": "the mean of the city's group by {column}",
    },
    "zh": {
        "goalposts": "固定阈值法",
        "minmax": "参评城市间最小—最大值法（{low}—{high}）",
        "zscore": "参评城市间Z分数法",
        "arithmetic": "加权算术平均",
        "geometric": "加权几何平均",
        "harmonic": "加权调和平均",
        "previous": "上一期取值",
        "group_mean": "按{column}分组的组内均值",
    },
}


def render_methodology(text: str, parameters: MethodParameters, language: Language) -> str:
    """``text`` with every placeholder replaced by its value in ``language``; other braces stay as written."""
    values = methodology_values(parameters, language)
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    """The ``{word}`` placeholders of ``text`` that are not in `PLACEHOLDERS`, in order of appearance."""
    found = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def methodology_values(parameters: MethodParameters, language: Language) -> dict[str, str]:
    """Each placeholder's text in ``language``."""
    low, high = parameters.weight_factor_bounds()
    moves = [
        parameters.rater_move_probability(confidence, quality)
        for confidence in _ordered(parameters.rater_move_by_confidence, _CONFIDENCE_ORDER)
        for quality in _ordered(parameters.rater_move_by_quality, _QUALITY_ORDER)
    ]
    return {
        "runs": _count(parameters.runs, language),
        "seed": str(parameters.seed),
        "weight_factor_low": _decimal(low),
        "weight_factor_high": _decimal(high),
        "interval_low": _percentile(parameters.interval_low, language),
        "interval_high": _percentile(parameters.interval_high, language),
        "rater_move_low": _percent(min(moves)),
        "rater_move_high": _percent(max(moves)),
        "rater_move_table": _rater_table(parameters, language),
        "alternatives": _alternatives(parameters, language),
        "sensitivity_samples": _count(parameters.sensitivity_samples, language),
        "gap_steps": _NONE[language]
        if parameters.gap_steps_per_period is None
        else _decimal(parameters.gap_steps_per_period),
        "derived_partners": _count(ESTABLISHED_PARTNERS, language),
        "derived_agreements": _count(LEADING_AGREEMENTS, language),
        "derived_modes": _count(LEADING_MODES, language),
    }


def _count(value: int, language: Language) -> str:
    """A whole number: thousands separated in English ("1,000"), plain in Chinese ("1000次")."""
    return f"{value:,}" if language == "en" else str(value)


def _decimal(value: float) -> str:
    """A factor as written in a text: no trailing zeros (0.75, 1.5, 1)."""
    return f"{round(value, 6):g}"


def _percent(probability: float) -> str:
    """A probability as a percentage rounded to 0.1 (0.145 -> "14.5%")."""
    return f"{round(probability * 100, 1):g}%"


def _percentile(value: float, language: Language) -> str:
    """A percentile: an English ordinal ("5th", "2.5th", "1st"), a bare number in Chinese (第5百分位)."""
    number = _decimal(value)
    if language == "zh":
        return number
    if not float(value).is_integer():
        return f"{number}th"
    whole = int(value)
    suffix = "th" if whole % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
    return f"{whole}{suffix}"


def _ordered(table: Mapping[str, float], order: Iterable[str]) -> list[str]:
    """The keys of ``table`` in reading order: the known ones first, any other as written."""
    known = [key for key in order if key in table]
    return known + [key for key in table if key not in known]


def _rater_table(parameters: MethodParameters, language: Language) -> str:
    """One line per stated confidence, the move probability under each data-quality grade."""
    grades = _ordered(parameters.rater_move_by_quality, _QUALITY_ORDER)
    lines = []
    for confidence in _ordered(parameters.rater_move_by_confidence, _CONFIDENCE_ORDER):
        entries = []
        for grade in grades:
            name = _QUALITY_NAMES[language].get(grade) or (f"grade {grade}" if language == "en" else f"{grade}级")
            move = _percent(parameters.rater_move_probability(confidence, grade))
            entries.append(f"{name} {move}" if language == "en" else f"{name}{move}")
        label = _CONFIDENCE_NAMES[language].get(confidence, confidence)
        lines.append(f"{label}: {', '.join(entries)}" if language == "en" else f"{label}：{'，'.join(entries)}")
    return "\n".join(lines)


def _alternatives(parameters: MethodParameters, language: Language) -> str:
    """The alternatives drawn beside the nominal method, per kind; "none" where a kind has none."""
    lists = (
        parameters.normalisation_alternatives,
        parameters.aggregation_alternatives,
        parameters.imputation_alternatives,
    )
    parts = []
    for kind, alternatives in zip(_KINDS[language], lists, strict=True):
        names = [_method_name(spelling, language) for spelling in alternatives] or [_NONE[language]]
        parts.append(f"{kind}: {', '.join(names)}" if language == "en" else f"{kind}：{'、'.join(names)}")
    return "; ".join(parts) if language == "en" else "；".join(parts)


def _method_name(spelling: str, language: Language) -> str:
    """An engine spelling ("minmax:0,100", "group_mean:region") in words; an unknown one as written."""
    name, _, argument = spelling.partition(":")
    template = _METHOD_NAMES[language].get(name)
    if template is None:
        return spelling
    if name == "minmax":
        low, _, high = (argument or "0,100").partition(",")
        return template.format(low=low, high=high)
    if name == "group_mean":
        return template.format(column=argument)
    return template
