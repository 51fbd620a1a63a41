"""No method number is written anywhere a reader sees it except through `MethodParameters`.

Issue 19: the methodology said 1,000 draws at 0.5-1.5, the code ran 200 at
0.75-1.25, and a caption and the PDF annex hard-coded "0.75 to 1.25". Every
caption, template and the framework's methodology text now formats these
numbers from a version's ``MethodParameters`` (assessment/scoring/method.py;
the text through the placeholders of assessment/framework/methodology.py).
This test reads what could bring a literal back:

* every file under ``templates/``;
* the string literals (not docstrings, not code) of every ``.py`` under
  ``assessment/`` except ``scoring/method.py``, the one home, and the
  migrations, which record field help texts as they were;
* the methodology texts of every shipped framework in ``fixtures/frameworks/``;

and looks for the method numbers in the forms a text writes them: the
draws next to a word for draws ("1,000 draws", "1000次"), the weight factor's
two bounds as a range ("0.75 to 1.25", "0.75—1.25"), the interval's
percentiles as ordinals or a Chinese range ("5th", "95th", "第5至第95"), the
perturbation as "±25%" and the Sobol base samples next to "samples". The
numbers are those of `DEFAULT_METHOD`, of each shipped framework's
``method`` and of the values issue 19 found written by hand (200 draws,
0.5-1.5), so a stale copy is caught too. A number in code (a default
argument, a width) is not text and is not looked at.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from assessment.scoring.method import DEFAULT_METHOD, MethodParameters

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "assessment" / "scoring" / "method.py"
FRAMEWORKS = sorted((ROOT / "fixtures" / "frameworks").glob("*.json"))
# What issue 19 found written by hand: 200 draws, factors 0.5 to 1.5.
FOUND_BY_HAND = MethodParameters(runs=200, weight_perturbation=0.5)

_DRAW_WORDS = r"(?:draws?|runs?|simulations?|iterations?|replications?|次|轮)"
_RANGE = r"\s*(?:to(?:\s+the)?|and|–|—|-|~|至|到|和)\s*"


def _number_forms(value: float) -> list[str]:
    """How a text writes a number: 1000, 1,000, 1 000; 0.75; 5."""
    if float(value).is_integer():
        whole = int(value)
        return sorted({str(whole), f"{whole:,}", f"{whole:,}".replace(",", " ")}, key=len, reverse=True)
    return [f"{value:g}"]


def _alternatives(forms: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(form) for form in forms) + ")"


def _ordinal(value: float) -> str:
    whole = int(value)
    suffix = "th" if whole % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
    return f"{whole}{suffix}"


def literal_patterns(parameters: MethodParameters) -> dict[str, re.Pattern[str]]:
    """The written forms of ``parameters``' numbers a text must not contain, by what they state."""
    alone = r"(?<![\d.,]){}(?![\d]|[.,]\d)"
    runs = alone.format(_alternatives(_number_forms(parameters.runs)))
    low, high = parameters.weight_factor_bounds()
    factor_low = alone.format(_alternatives(_number_forms(round(low, 6))))
    factor_high = alone.format(_alternatives(_number_forms(round(high, 6))))
    p_low = alone.format(_alternatives(_number_forms(parameters.interval_low)))
    p_high = alone.format(_alternatives(_number_forms(parameters.interval_high)))
    percent = alone.format(_alternatives(_number_forms(round(parameters.weight_perturbation * 100, 6))))
    samples = alone.format(_alternatives(_number_forms(parameters.sensitivity_samples)))
    patterns = {
        "runs": rf"{runs}\s*(?:Monte[ -]Carlo\s+)?{_DRAW_WORDS}|(?:draws|runs)\s*(?:of|:|=)\s*{runs}",
        "weight factor": rf"{factor_low}{_RANGE}{factor_high}",
        "perturbation": rf"±\s*{percent}\s*%",
        "percentiles": (
            rf"{p_low}\s*%?{_RANGE}(?:第\s*)?{p_high}\s*(?:%|th|百分位)"
            rf"|第\s*{p_low}{_RANGE}第?\s*{p_high}|第\s*{p_high}\s*百分位"
        ),
        "sensitivity samples": rf"{samples}\s*(?:base\s+)?samples|{samples}\s*个?(?:基础)?样本",
    }
    if float(parameters.interval_low).is_integer() and float(parameters.interval_high).is_integer():
        ordinals = "|".join(re.escape(_ordinal(value)) for value in (parameters.interval_low, parameters.interval_high))
        patterns["percentiles"] += rf"|(?<![\d.])(?:{ordinals})\b"
    return {name: re.compile(pattern, re.IGNORECASE) for name, pattern in patterns.items()}


def shipped_methods() -> list[MethodParameters]:
    """The default, each shipped framework's own and the hand-written values issue 19 found."""
    methods = [DEFAULT_METHOD, FOUND_BY_HAND]
    for path in FRAMEWORKS:
        methods.append(MethodParameters.from_mapping(json.loads(path.read_text(encoding="utf-8")).get("method")))
    return methods


PATTERNS = [literal_patterns(parameters) for parameters in shipped_methods()]


def method_literals(text: str) -> list[str]:
    """Each method number ``text`` writes as a literal, with what it states ("runs: 1,000 draws")."""
    found = []
    for patterns in PATTERNS:
        for name, pattern in patterns.items():
            found.extend(f"{name}: {match.group(0)}" for match in pattern.finditer(text))
    return sorted(set(found))


def python_texts(path: Path) -> Iterator[tuple[int, str]]:
    """The string literals of a module with their lines, docstrings left out (they explain, nobody reads them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def texts_to_check() -> Iterator[tuple[str, str]]:
    """(where, text) for every template, Python string and shipped methodology text."""
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "assessment").rglob("*.py")):
        if path == HOME or "migrations" in path.parts:
            continue
        for line, text in python_texts(path):
            yield f"{path.relative_to(ROOT)}:{line}", text
    for path in FRAMEWORKS:
        document = json.loads(path.read_text(encoding="utf-8"))
        for language, text in document["methodology"].items():
            yield f"{path.relative_to(ROOT)} methodology.{language}", text


def test_no_template_code_string_or_methodology_text_writes_a_method_number():
    found = [f"{where}: {literal}" for where, text in texts_to_check() for literal in method_literals(text)]
    assert not found, "Write these from MethodParameters (or a methodology placeholder):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "text",
    [
        "by default 1,000 draws, each weight multiplied by a factor from 0.5 to 1.5",
        "默认1,000次，每个权重乘以0.5—1.5之间的随机系数",
        "默认1000次抽样",
        "Its interval comes from 200 draws",
        "a random factor between 0.75 and 1.25",
        "0.75–1.25",
        "the interval holds the 5th to the 95th percentile",
        "报告每个城市排名的第5至第95百分位",
        "weights varied by ±25 %",
        "Sobol indices, 256 base samples",
    ],
)
def test_the_check_finds_a_method_number_written_by_hand(text):
    assert method_literals(text), text


@pytest.mark.parametrize(
    "text",
    [
        "{runs} draws, a factor from {weight_factor_low} to {weight_factor_high}",
        "第{interval_low}至第{interval_high}百分位",
        '<img width="200" height="1000">',
        "max_length=200",
        "S3 in 87% of draws",
        "2024–2025",
        "opacity: 0.75; scale: 1.25",
        "15th",
        "a change of 5 points",
    ],
)
def test_the_check_leaves_other_numbers_alone(text):
    assert not method_literals(text), method_literals(text)


def test_the_check_reads_python_strings_but_not_docstrings_or_code(tmp_path):
    module = tmp_path / "caption.py"
    module.write_text(
        '"""Runs 1,000 draws (a docstring explains)."""\n'
        "RUNS = 1000\n"
        "def caption():\n"
        '    """0.75 to 1.25."""\n'
        '    return "weights multiplied by 0.75 to 1.25"\n',
        encoding="utf-8",
    )
    texts = [text for _line, text in python_texts(module)]
    assert texts == ["weights multiplied by 0.75 to 1.25"]
    assert method_literals(texts[0]) == ["weight factor: 0.75 to 1.25"]
