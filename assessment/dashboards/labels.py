"""Names and numbers as a reader sees them: city, node and stage labels in the active language, display rounding.

The dashboards, their downloads and the PDF reports print through these, so a
name or a figure reads the same on the page, in the CSV and in the report.
The language is `cities.bilingual.in_english`, the project's one answer.
"""

from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from assessment.framework.document import plain_number_text
from assessment.framework_cache import framework_scoring_tree, node_names
from assessment.models import Framework, Indicator, Response
from assessment.selectors.assessments import GapStep
from cities.bilingual import in_english


def display_number(value: Any, digits: int = 1, blank: str | None = "") -> Any:
    """``value`` rounded for a reader: whole with ``digits=0``; ``blank`` when there is no value (None or NaN).

    Tables and downloads leave a missing value empty (""); figures and the
    report's rows pass None, which Plotly draws as a gap.
    """
    if value is None or pd.isna(value):
        return blank
    return int(round(float(value))) if digits == 0 else round(float(value), digits)


def city_labels(cities: pd.DataFrame) -> dict[str, str]:
    """City names in the active language; a name two cities share gets its province.

    In English 苏州 and 宿州 are both Suzhou, 泰州 and 台州 both Taizhou: a
    chart axis would merge them into one category.
    """
    english = in_english()
    names = cities["name_en" if english else "name_zh"].astype(str)
    shared = set(names[names.duplicated(keep=False)])
    provinces = cities["province_en" if english else "province_zh"].astype(str)
    return {
        code: (f"{name} ({provinces[code]})" if english else f"{name}（{provinces[code]}）") if name in shared else name
        for code, name in names.items()
    }


def node_labels(framework: Framework) -> dict[str, str]:
    """Every node's name in the active language, by code."""
    position = 1 if in_english() else 0
    return {code: names[position] for code, names in node_names(framework).items()}


def short_node_labels(framework: Framework, codes: list[str]) -> dict[str, str]:
    """Dimension names up to the first separator: short enough for an axis."""
    labels = node_labels(framework)
    short = {}
    for code in codes:
        name = labels.get(code, code)
        for separator in ("（", " (", "："):
            name = name.split(separator)[0]
        short[code] = f"{code} {name}" if len(name) <= 40 else code
    return short


def ladder_of(framework: Framework, stages: pd.Series) -> list[str]:
    """The stage codes from the lowest up; without a ladder, the stages seen."""
    ladder = framework_scoring_tree(framework).ladder
    return list(ladder.stages) if ladder is not None else sorted(set(stages))


def stage_labels(framework: Framework) -> dict[str, str]:
    """Each rung's code and name ("S2 …"), by code."""
    return {rung.code: f"{rung.code} {rung.name}" for rung in framework.stages.all().order_by("order")}


def answer_text(indicator: Indicator, value: float | None) -> str:
    """An answer as the report prints it, in the report's language.

    The unit is the indicator's in the active language, never the response's
    stored `unit`: that one is kept in Chinese (services.assessments), so an
    English report printed "41.7 个/万人".
    """
    if value is None or pd.isna(value):
        return ""
    # Rounded: a value computed by the scoring may carry float noise (90.0000488281).
    figures = plain_number_text(round(value, 4))
    if indicator.type == Indicator.Type.LEVEL:
        return _("level %(level)s") % {"level": figures}
    if indicator.type == Indicator.Type.BINARY:
        return _("yes") if value >= 0.5 else _("no")
    # Chinese sets a unit right after its number ("90%", "41.7个/万人"); English leaves a space ("41.7 per 10,000").
    return f"{figures}{'' if not in_english() else ' '}{indicator.unit}".strip()


def points_text(value: Any, digits: int = 1) -> str:
    """A score as a reader says it: "34.8分" / "34.8 points"; "" without a value."""
    shown = display_number(value, digits)
    if shown == "":
        return ""
    return _("%(points)s points") % {"points": plain_number_text(shown)}


def median_gap_text(delta: Any, digits: int = 1) -> str:
    """A score against the regional median: "低于区域中位数34.8分" / "34.8 points below the regional median".

    The sign is said in words, never printed ("相差 -34.8 分" read like form output).
    """
    shown = display_number(delta, digits)
    if shown == "":
        return ""
    if shown == 0:
        return _("level with the regional median")
    points = plain_number_text(abs(shown))
    if shown < 0:
        return _("%(points)s points below the regional median") % {"points": points}
    return _("%(points)s points above the regional median") % {"points": points}


def domain_in_sentence(label: str) -> str:
    """An agreement domain's label inside a sentence: "Sign an agreement on talent with Nantong".

    English labels are capitalised for headers and lists ("Talent"); inside a
    sentence they are common nouns. An acronym ("IT") keeps its capitals;
    Chinese is unchanged.
    """
    if not in_english() or not label or label[:2].isupper():
        return label
    return label[0].lower() + label[1:]


def answer_with_score_text(answer: str, score: Any, best: str | None = None) -> str:
    """ "现为0级（0分），区域最优为5级" / "now level 0 (0 points); the region's best is level 5"."""
    shown = display_number(score)
    text = (
        _("now %(answer)s (%(points)s points)") % {"answer": answer, "points": plain_number_text(shown)}
        if shown != ""
        else _("now %(answer)s") % {"answer": answer}
    )
    if best:
        text = _("%(now)s; the region's best is %(best)s") % {"now": text, "best": best}
    return text


def gap_step_rows(steps: list[GapStep]) -> list[dict[str, Any]]:
    """The shortest list of improvements with its answers written as the PDF writes them ("level 2", "90 %").

    Targets are computed by inverting a normalisation and carry float noise
    (90.0000488281): two decimals are all a reader can act on.
    """

    def text(step: GapStep, value: float | None) -> str:
        if value is None:
            return "—"
        if step.indicator is None:
            return plain_number_text(round(value, 2))
        return answer_text(step.indicator, round(value, 2))

    return [
        {
            "code": step.code,
            "name": step.name,
            "from": text(step, step.from_raw),
            "to": text(step, step.to_raw),
            "critical_floor": step.critical_floor,
        }
        for step in steps
    ]


def quality_labels(is_demo: bool) -> dict[str, str]:
    """The data-quality grades' names; for demo data the grade says it was generated, not measured.

    A demo answer carries a grade so that the rater model and the annex work as
    they do for real data, but "A · measured, documented method" on an invented
    number misleads a reader who sees the page without its banner.
    """
    if not is_demo:
        return {grade: str(label) for grade, label in Response.Quality.choices}
    return {
        grade: _("%(grade)s · demo data, not measured") % {"grade": grade} for grade, _label in Response.Quality.choices
    }


def sentences(first: str, second: str) -> str:
    """Two sentences in a row: a space between them in English, none in Chinese."""
    return _("%(first)s %(second)s") % {"first": first, "second": second}
