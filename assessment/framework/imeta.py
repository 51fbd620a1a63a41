"""The COINr iMeta table of a framework version, in and out.

COINr (the JRC's composite-indicator package) describes a framework as an
iMeta table: one row per indicator or aggregate with its level (1 =
indicator, counting up), code, name, direction, weight, parent and type.
``imeta_from_document`` writes a framework document as that table;
``document_from_imeta`` makes a draft document of one, reporting every row
problem by line. The columns are the scoring engine's (`scoring/coinr.py`,
which reads iMeta for scoring): one list, ``IMETA_COLUMNS``. A framework
needs ``iName`` too (its nodes are named), where COINr takes it as optional.
"""

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from assessment.framework.document import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Document,
    FrameworkDocumentError,
    decoded_file,
    document_problem,
    finite_float,
    plain_number,
)
from assessment.scoring.coinr import IMETA_COLUMNS
from assessment.scoring.errors import Problem


def imeta_from_document(document: Document) -> str:
    """The COINr iMeta table: Level (1 = indicator, counting up), iCode, iName, Direction, Weight, Parent, Type."""
    by_code = {node["code"]: node for node in document["nodes"]}
    heights: dict[str, int] = {}

    def height(code: str) -> int:
        if code not in heights:
            below = [height(child["code"]) for child in document["nodes"] if child["parent"] == code]
            heights[code] = 1 + max(below, default=0)
        return heights[code]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(IMETA_COLUMNS)
    ordered = sorted(document["nodes"], key=lambda node: height(node["code"]))
    for node in ordered:
        indicator = node.get("indicator")
        writer.writerow(
            [
                height(node["code"]),
                node["code"],
                node["name"]["en"],
                indicator["direction"] if indicator else 1,
                plain_number(node["weight"]),
                node["parent"] or "",
                "Indicator" if indicator else "Aggregate",
            ]
        )
    assert len(by_code) == len(ordered)
    return buffer.getvalue()


def document_from_imeta(raw: bytes, *, code: str, version: str) -> Document:
    """Build a draft document from an iMeta table; every row problem is reported by line."""
    problems: list[Problem] = []
    text = decoded_file(raw)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in IMETA_COLUMNS if column not in header]
    if missing:
        raise FrameworkDocumentError(
            [
                document_problem(
                    _("line 1"),
                    _("missing columns: %(columns)s (expected %(expected)s)")
                    % {"columns": ", ".join(missing), "expected": ", ".join(IMETA_COLUMNS)},
                )
            ]
        )
    reader.fieldnames = header
    nodes: list[dict[str, Any]] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for record in reader:
        cells = {key: (value or "").strip() for key, value in record.items() if key is not None}
        if not any(cells.values()):
            continue
        rows.append((reader.line_num, cells))
    kinds_by_height = _kinds_by_height(rows)
    order_in_parent: dict[str, int] = {}
    for line, cells in rows:
        where = _("line %(line)d") % {"line": line}
        row_type = cells["Type"]
        if row_type not in {"Indicator", "Aggregate"}:
            if row_type in {"Group", "Denominator"}:
                continue
            problems.append(
                document_problem(where, _("Type “%(value)s” is not Indicator or Aggregate") % {"value": row_type})
            )
            continue
        try:
            level = int(cells["Level"])
            weight = finite_float(cells["Weight"])
            direction = int(finite_float(cells["Direction"] or 1))
        except ValueError:
            problems.append(document_problem(where, _("Level, Weight and Direction must be numbers")))
            continue
        if direction not in (1, -1):
            problems.append(document_problem(where, _("Direction must be 1 or -1")))
            continue
        parent = cells["Parent"] or None
        order_in_parent[parent or ""] = order_in_parent.get(parent or "", 0) + 1
        name = cells["iName"] or cells["iCode"]
        node: dict[str, Any] = {
            "code": cells["iCode"],
            "parent": parent,
            "kind": "indicator" if row_type == "Indicator" else kinds_by_height.get(level, "group"),
            "order": order_in_parent[parent or ""],
            "weight": plain_number(weight),
            "name": {"zh": name, "en": name},
            "description": {"zh": "", "en": ""},
        }
        if row_type == "Indicator":
            node["indicator"] = _empty_indicator(direction)
        nodes.append(node)
    if problems:
        raise FrameworkDocumentError(problems)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "code": code,
        "version": version,
        "status": "draft",
        "previous": None,
        "name": {"zh": code, "en": code},
        "description": {"zh": "", "en": ""},
        "methodology": {"zh": "", "en": ""},
        "normalisation": "minmax",
        "aggregation": {},
        "stage_threshold": 60,
        "critical_floor": 40,
        "stages": [],
        "nodes": nodes,
    }


def _kinds_by_height(rows: list[tuple[int, dict[str, str]]]) -> dict[int, str]:
    """Name iMeta levels: the top one is the index, the one above indicators holds dimensions."""
    levels = sorted({int(cells["Level"]) for _line, cells in rows if cells["Level"].isdigit()})
    kinds: dict[int, str] = {}
    if levels:
        kinds[levels[-1]] = "index"
    if len(levels) >= 3:
        kinds[2] = "dimension"
    if len(levels) == 4:
        kinds[3] = "half"
    return kinds


def _empty_indicator(direction: int) -> dict[str, Any]:
    return {
        "type": "quantitative",
        "unit": {"zh": "", "en": ""},
        "direction": direction,
        "lower": None,
        "upper": None,
        "target": None,
        "critical": False,
        "evidence": {"zh": "", "en": ""},
        "evidence_required": False,
        "references": {"gbt33356_2022": "", "u4ssc": "", "iso37122": ""},
        "levels": None,
        "continues": [],
        "derived_from": None,
    }
