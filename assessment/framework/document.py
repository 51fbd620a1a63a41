"""The framework exchange document: reading, writing and checking it.

A framework version travels as one JSON document (described by
``framework.schema.json``, next to this file); the same document is what the
services write to and read from the database. ``framework_problems`` holds
every invariant in one place, so that importing a file, cloning a version
and publishing a draft all refuse the same things, and say where.
"""

import json
import math
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext as _

from assessment.framework.methodology import PLACEHOLDERS, unknown_placeholders
from assessment.scoring.aggregate import parse_aggregation
from assessment.scoring.crosswalk import CARRYING_CHANGES
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.method import MethodParameters
from assessment.scoring.normalise import Normalisation
from assessment.scoring.tree import parent_cycles

FORMAT_NAME = "dualspace-framework"
FORMAT_VERSION = 1
LANGUAGES = ("zh", "en")
LEVELS = range(6)

Document = dict[str, Any]


def document_problem(where: str, reason: str) -> Problem:
    """A problem of a framework document, located in words ("node W1.3 · weight", "line 4", "file")."""
    return Problem(where, None, reason, text=f"{where}: {reason}")


class FrameworkDocumentError(Exception):
    """Raised with every problem of a framework document; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


SCHEMA_PATH = Path(__file__).with_name("framework.schema.json")


def schema() -> dict[str, Any]:
    """The JSON schema of the exchange document (docs/ links to this file)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_problems(document: Any) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        where = _path_label(document, list(error.absolute_path))
        problems.append(document_problem(where, _schema_message(error)))
    return problems


def _schema_message(error: jsonschema.ValidationError) -> str:
    """A translated sentence for the schema rules a person is likely to break."""
    expected = error.validator_value
    match error.validator:
        case "required":
            missing = [name for name in expected if isinstance(error.instance, dict) and name not in error.instance]
            return _("missing field(s): %(fields)s") % {"fields": ", ".join(missing)}
        case "additionalProperties":
            known = set(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - known) if isinstance(error.instance, dict) else []
            return _("unknown field(s): %(fields)s") % {"fields": ", ".join(extra)}
        case "type":
            return _("must be of type %(type)s, not %(value)s") % {
                "type": expected,
                "value": json.dumps(error.instance, ensure_ascii=False)[:60],
            }
        case "enum" | "const":
            choices = expected if isinstance(expected, list) else [expected]
            return _("%(value)s is not one of %(choices)s") % {
                "value": json.dumps(error.instance, ensure_ascii=False)[:60],
                "choices": ", ".join(json.dumps(choice, ensure_ascii=False) for choice in choices),
            }
        case "exclusiveMinimum":
            return _("must be greater than %(limit)s (it is %(value)s)") % {"limit": expected, "value": error.instance}
        case "exclusiveMaximum":
            return _("must be less than %(limit)s (it is %(value)s)") % {"limit": expected, "value": error.instance}
        case "minimum" | "maximum":
            return _("%(value)s is out of range") % {"value": error.instance}
        case "minLength" | "minItems":
            return _("must not be empty")
        case "pattern":
            return _("“%(value)s” is not a valid code (letters, digits, . + _ -)") % {"value": error.instance}
        case _:
            return _("does not follow the framework format (%(rule)s)") % {"rule": error.validator}


def _path_label(document: Any, path: list[Any]) -> str:
    """Name a place in the document by node code where possible (“node W1.3 · weight”)."""
    if len(path) >= 2 and path[0] == "nodes" and isinstance(path[1], int):
        try:
            code = document["nodes"][path[1]].get("code", f"#{path[1] + 1}")
        except (KeyError, IndexError, AttributeError, TypeError):
            code = f"#{path[1] + 1}"
        rest = ".".join(str(part) for part in path[2:])
        return _("node %(code)s") % {"code": code} + (f" · {rest}" if rest else "")
    return ".".join(str(part) for part in path) or _("document")


def framework_problems(document: Any, *, previous_codes: set[str] | None = None) -> list[Problem]:
    """Every reason the document cannot become a framework version (empty when it can)."""
    problems = _non_finite_problems(document) + _schema_problems(document)
    if isinstance(document, dict):
        if isinstance(document.get("method"), dict):
            problems.extend(method_problems(document["method"]))
        texts = document.get("methodology")
        if isinstance(texts, dict):
            for language in LANGUAGES:
                problems.extend(methodology_problems(str(texts.get(language, "")), where=f"methodology.{language}"))
    if isinstance(document, dict) and isinstance(document.get("consistency_rules"), list):
        problems.extend(_rule_problems(document))
    try:
        problems.extend(_tree_problems(document, previous_codes))
    except (KeyError, TypeError, AttributeError):
        # The structure is too broken for the tree checks; the schema
        # problems above already say where.
        if not problems:
            raise
    return problems


def _rule_problems(document: dict[str, Any]) -> list[Problem]:
    """A consistency rule naming an indicator the document does not have."""
    codes = {node.get("code") for node in document.get("nodes", []) if isinstance(node, dict) and node.get("indicator")}
    problems = []
    for number, rule in enumerate(document["consistency_rules"], start=1):
        for side in ("if", "then"):
            code = rule.get(side, {}).get("indicator") if isinstance(rule, dict) else None
            if code is not None and code not in codes:
                problems.append(
                    document_problem(
                        f"consistency_rules #{number} · {side}",
                        _("“%(code)s” is not an indicator of this framework") % {"code": code},
                    )
                )
    return problems


def method_problems(method: dict[str, Any]) -> list[Problem]:
    """Why a version's method settings cannot run (MethodParameters' rules), each naming its field."""
    try:
        parameters = MethodParameters.from_mapping(method)
    except ScoringInputError as error:
        return [document_problem(f"method.{problem.column}", _method_reason(problem)) for problem in error.problems]
    except (TypeError, ValueError) as error:
        return [document_problem("method", _("a value is not of the expected kind (%(error)s)") % {"error": error})]
    # The engine must be able to run every alternative a version allows (its own parsers say so).
    problems = []
    for name, alternatives, parse in (
        ("normalisation_alternatives", parameters.normalisation_alternatives, Normalisation.parse),
        ("aggregation_alternatives", parameters.aggregation_alternatives, lambda text: parse_aggregation(text, 1)),
    ):
        for index, spelling in enumerate(alternatives):
            try:
                parse(spelling)
            except ScoringInputError:
                problems.append(
                    document_problem(
                        f"method.{name}.{index}",
                        _("“%(value)s” is not a method the scoring engine knows") % {"value": spelling},
                    )
                )
    return problems


def _method_reason(problem: Problem) -> str:
    """MethodParameters' reason for a field, in the reader's language."""
    field = (problem.column or "").split(".")[0]
    if problem.reason == "unknown method parameter":
        return _("unknown method parameter")
    reasons = {
        "runs": _("the Monte Carlo needs at least one run"),
        "weight_perturbation": _("must be at least 0 and below 1, so that weights stay positive"),
        "rater_move_by_confidence": _("a probability must be between 0 and 1"),
        "rater_move_by_quality": _("a probability must be between 0 and 1"),
        "sensitivity_samples": _("too few base samples for the sensitivity analysis"),
        "interval_low": _("the percentiles must satisfy 0 ≤ low < high ≤ 100"),
        "interval_high": _("the percentiles must satisfy 0 ≤ low < high ≤ 100"),
    }
    return reasons.get(field, problem.reason)


def methodology_problems(text: str, *, where: str) -> list[Problem]:
    """A ``{word}`` in a methodology text that is not a method placeholder (assessment/framework/methodology.py)."""
    return [
        document_problem(
            where,
            _("{%(name)s} is not a method placeholder; known: %(known)s")
            % {"name": name, "known": ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)},
        )
        for name in unknown_placeholders(text)
    ]


def _tree_problems(document: Any, previous_codes: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    nodes = document["nodes"]
    by_code: dict[str, dict[str, Any]] = {}
    for node in nodes:
        code = node["code"]
        if code in by_code:
            problems.append(document_problem(_("node %(code)s") % {"code": code}, _("the code appears more than once")))
        by_code[code] = node
    roots = [node["code"] for node in nodes if node["parent"] is None]
    if len(roots) != 1:
        problems.append(
            document_problem(
                _("nodes"),
                _("exactly one node must have no parent (found: %(roots)s)") % {"roots": ", ".join(roots) or "—"},
            )
        )
    for node in nodes:
        where = _("node %(code)s") % {"code": node["code"]}
        parent = node["parent"]
        if parent is not None and parent not in by_code:
            problems.append(document_problem(where, _("unknown parent %(parent)s") % {"parent": parent}))
        is_indicator = node["kind"] == "indicator"
        if is_indicator != ("indicator" in node and node["indicator"] is not None):
            problems.append(document_problem(where, _("indicator nodes, and only they, carry indicator details")))
            continue
        if is_indicator:
            problems.extend(_indicator_problems(node["code"], node["indicator"], previous_codes))
    problems.extend(_cycle_problems(by_code))
    children = {node["parent"] for node in nodes}
    for node in nodes:
        if node["kind"] != "indicator" and node["code"] not in children:
            problems.append(
                document_problem(
                    _("node %(code)s") % {"code": node["code"]}, _("an aggregate node needs at least one child")
                )
            )
        if node["parent"] in by_code and by_code[node["parent"]]["kind"] == "indicator":
            problems.append(
                document_problem(_("node %(code)s") % {"code": node["code"]}, _("an indicator cannot have children"))
            )
    stage_codes: set[str] = set()
    stage_orders: set[int] = set()
    for stage in document["stages"]:
        where = _("stage %(code)s") % {"code": stage["code"]}
        if stage["code"] in stage_codes:
            problems.append(document_problem(where, _("the code appears more than once")))
        if stage["order"] in stage_orders:
            problems.append(document_problem(where, _("another stage has order %(order)s") % {"order": stage["order"]}))
        stage_codes.add(stage["code"])
        stage_orders.add(stage["order"])
        for required in stage["requires"]:
            if required not in by_code:
                problems.append(document_problem(where, _("requires unknown node %(code)s") % {"code": required}))
        for gate in stage.get("gates") or []:
            indicator = (by_code.get(gate) or {}).get("indicator")
            if indicator is None:
                problems.append(
                    document_problem(where, _("gates %(code)s, which is not an indicator") % {"code": gate})
                )
            elif not indicator.get("critical"):
                problems.append(
                    document_problem(where, _("gates %(code)s, which is not a critical indicator") % {"code": gate})
                )
    return problems


def _indicator_problems(code: str, indicator: dict[str, Any], previous_codes: set[str] | None) -> list[Problem]:
    where = _("indicator %(code)s") % {"code": code}
    problems = []
    lower, upper = indicator.get("lower"), indicator.get("upper")
    if lower is not None and upper is not None and not lower < upper:
        problems.append(
            document_problem(
                where,
                _("the lower goalpost (%(lower)s) must be below the upper one (%(upper)s)")
                % {"lower": lower, "upper": upper},
            )
        )
    levels = indicator.get("levels")
    if indicator["type"] == "level":
        found = {entry["level"]: entry for entry in levels or []}
        for level in LEVELS:
            entry = found.get(level)
            if entry is None:
                problems.append(
                    document_problem(where, _("the descriptor for level %(level)d is missing") % {"level": level})
                )
                continue
            for language in LANGUAGES:
                if not str(entry.get(language, "")).strip():
                    problems.append(
                        document_problem(
                            where,
                            _("the %(language)s descriptor for level %(level)d is empty")
                            % {"language": language, "level": level},
                        )
                    )
        if len(levels or []) != len(found):
            problems.append(document_problem(where, _("a level is described more than once")))
    elif levels:
        problems.append(document_problem(where, _("only level indicators carry level descriptors")))
    continues = indicator.get("continues") or []
    if continues and previous_codes is None:
        problems.append(document_problem(where, _("continues indicators, but the document names no previous version")))
    elif previous_codes is not None:
        for earlier in continues:
            if earlier not in previous_codes:
                problems.append(
                    document_problem(
                        where, _("continues %(code)s, which the previous version does not have") % {"code": earlier}
                    )
                )
    change = indicator.get("change")
    if change is not None:
        if previous_codes is None:
            problems.append(
                document_problem(where, _("describes a change, but the document names no previous version"))
            )
        elif change["kind"] in CARRYING_CHANGES and len(continues) != 1:
            # An answer carries over only from exactly one earlier indicator (scoring/crosswalk.py).
            problems.append(
                document_problem(
                    where,
                    _("a “%(kind)s” change continues exactly one indicator of the previous version")
                    % {"kind": change["kind"]},
                )
            )
        elif change["kind"] in ("split", "merged") and not continues:
            problems.append(
                document_problem(
                    where,
                    _("a “%(kind)s” change names the indicators it comes from in continues") % {"kind": change["kind"]},
                )
            )
    return problems


def _cycle_problems(by_code: dict[str, dict[str, Any]]) -> list[Problem]:
    """One problem per cycle of parents (the rule: `scoring.tree.parent_cycles`), named by its smallest code."""
    return [
        document_problem(
            _("node %(code)s") % {"code": min(cycle)},
            _("the parents form a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)},
        )
        for cycle in parent_cycles({code: node["parent"] for code, node in by_code.items()})
    ]


def decoded_file(raw: bytes) -> str:
    """An uploaded framework file (JSON or iMeta) as text: UTF-8, with or without a BOM."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkDocumentError(
            [
                document_problem(
                    _("file"), _("the file is not UTF-8 encoded (byte %(position)d)") % {"position": exc.start}
                )
            ]
        ) from exc


def document_from_json(text: bytes | str) -> Document:
    """Parse a framework JSON file; raise FrameworkDocumentError on bad encoding or syntax."""
    if isinstance(text, bytes):
        text = decoded_file(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkDocumentError(
            [
                document_problem(
                    _("line %(line)d") % {"line": exc.lineno}, _("not valid JSON: %(error)s") % {"error": exc.msg}
                )
            ]
        ) from exc


def document_to_json(document: Document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def is_finite_number(value: Any) -> bool:
    """False for inf, -inf and NaN, which "1e999", "Infinity" and "nan" in a file or form become.

    No answer, goalpost or weight may hold one: the scoring engine cannot rank
    it, a JSON result cannot store it and a chart cannot draw it.
    """
    return not isinstance(value, float) or math.isfinite(value)


def finite_float(text: Any) -> float:
    """A number read from a file: ValueError for text, inf, -inf, NaN and numbers too large for a float."""
    try:
        number = float(text)
    except OverflowError as exc:  # an integer beyond the float range
        raise ValueError(text) from exc
    if not is_finite_number(number):
        raise ValueError(text)
    return number


def _non_finite_problems(document: Any) -> list[Problem]:
    """Every inf or NaN in the document (JSON's Infinity, NaN and 1e999 parse to them), by place."""
    problems = []

    def visit(item: Any, path: list[Any]) -> None:
        if isinstance(item, dict):
            for key, value in item.items():
                visit(value, [*path, key])
        elif isinstance(item, list):
            for position, value in enumerate(item):
                visit(value, [*path, position])
        elif not is_finite_number(item):
            problems.append(
                document_problem(_path_label(document, path), _("%(value)s is not a finite number") % {"value": item})
            )

    visit(document, [])
    return problems


def plain_number(value: Any) -> int | float | None:
    """Whole numbers as integers (12, not 12.0): exports compare equal after a round trip, and people read them so."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def plain_number_text(value: Any) -> str:
    number = plain_number(value)
    return "" if number is None else str(number)
