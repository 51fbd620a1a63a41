"""Reading, checking and writing a CSV file of flows between cities (commuting, migration), all or nothing.

Columns: origin, destination, year, kind, value, unit, source; optional:
is_demo (true/false). ``origin`` and ``destination`` are division codes of
stored cities (GB/T 2260), different from each other; ``year`` a whole number;
``kind`` one of `CityPairFlow.Kind` (commuting, migration, travel, other);
``value`` a number of zero or more, in ``unit`` (for example "people per day"
or "index points"). A row is matched to a stored flow by origin, destination,
year and kind: importing the same file again changes nothing. As with the
other reference files (``cities.reference_import``, ``cities.agreement_import``),
every problem is reported with its line and column, and nothing is written
while one remains.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.scoring.errors import Problem
from cities.agreement_import import FALSE_WORDS, TRUE_WORDS
from cities.models import City, CityPairFlow
from cities.reference_import import check_lengths, read_csv_rows, row_problem
from cities.services import ImportSummary, ReferenceImportError, _upsert

FLOW_COLUMNS = ("origin", "destination", "year", "kind", "value", "unit", "source")
FLOW_OPTIONAL_COLUMNS = ("is_demo",)
FLOW_TEXT_FIELDS = {"unit": (CityPairFlow, "unit")}


@dataclass(frozen=True)
class FlowRow:
    line: int
    origin: str
    destination: str
    year: int
    kind: str
    value: float
    unit: str
    source: str
    is_demo: bool


def _city(cells: dict[str, str], column: str, line: int, known: set[str], problems: list[Problem]) -> str:
    code = cells[column]
    if not code:
        problems.append(row_problem(line, column, _("is empty")))
    elif code not in known:
        problems.append(row_problem(line, column, _("unknown city %(code)s") % {"code": code}))
    return code


def _year(text: str, line: int, problems: list[Problem]) -> int:
    low, high = CityPairFlow.FIRST_YEAR, CityPairFlow.LAST_YEAR
    if not text.isdigit():
        problems.append(row_problem(line, "year", _("“%(value)s” is not a whole number") % {"value": text}))
        return 0
    year = int(text)
    if not low <= year <= high:
        problems.append(
            row_problem(
                line, "year", _("%(value)s is outside %(low)s to %(high)s") % {"value": year, "low": low, "high": high}
            )
        )
    return year


def _value(text: str, line: int, problems: list[Problem]) -> float:
    try:
        value = float(text)
    except ValueError:
        problems.append(row_problem(line, "value", _("“%(value)s” is not a number") % {"value": text}))
        return 0.0
    if not math.isfinite(value) or value < 0:
        problems.append(row_problem(line, "value", _("%(value)s is not a number of zero or more") % {"value": text}))
        return 0.0
    return value


def read_flows(path: Path) -> tuple[list[FlowRow], list[Problem]]:
    """Parse and check every row against the stored cities; write nothing."""
    records, problems = read_csv_rows(path, FLOW_COLUMNS)
    known = set(City.objects.values_list("code", flat=True))
    kinds = CityPairFlow.Kind.values
    rows: list[FlowRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, cells in records:
        before = len(problems)
        origin = _city(cells, "origin", line, known, problems)
        destination = _city(cells, "destination", line, known, problems)
        if origin and origin == destination:
            problems.append(row_problem(line, "destination", _("is the same city as the origin")))
        year = _year(cells["year"], line, problems)
        kind = cells["kind"]
        if kind not in kinds:
            problems.append(
                row_problem(
                    line,
                    "kind",
                    _("“%(value)s” is not one of %(choices)s") % {"value": kind, "choices": ", ".join(kinds)},
                )
            )
        value = _value(cells["value"], line, problems)
        if not cells["unit"]:
            problems.append(row_problem(line, "unit", _("is empty")))
        check_lengths(cells, FLOW_TEXT_FIELDS, line, problems)
        demo_text = cells.get("is_demo", "").lower()
        if demo_text not in TRUE_WORDS | FALSE_WORDS:
            problems.append(row_problem(line, "is_demo", _("“%(value)s” is not true or false") % {"value": demo_text}))
        key = (origin, destination, cells["year"], kind)
        if key in seen:
            problems.append(
                row_problem(
                    line,
                    "origin",
                    _("%(code)s already appears on line %(first)d")
                    % {"code": f"{origin} → {destination} {cells['year']} {kind}", "first": seen[key]},
                )
            )
        seen.setdefault(key, line)
        if len(problems) == before:
            rows.append(
                FlowRow(
                    line=line,
                    origin=origin,
                    destination=destination,
                    year=year,
                    kind=kind,
                    value=value,
                    unit=cells["unit"],
                    source=cells["source"],
                    is_demo=demo_text in TRUE_WORDS,
                )
            )
    return rows, problems


def flows_import(*, rows: list[FlowRow], problems: list[Problem]) -> ImportSummary:
    """Create or update flows by origin, destination, year and kind; refuse everything if any row is bad."""
    if problems:
        raise ReferenceImportError(problems)
    summary = ImportSummary()
    with transaction.atomic():
        for row in rows:
            _flow, outcome = _upsert(
                CityPairFlow,
                {"value": row.value, "unit": row.unit, "source": row.source, "is_demo": row.is_demo},
                origin_id=row.origin,
                destination_id=row.destination,
                year=row.year,
                kind=row.kind,
            )
            summary.count(outcome)
    return summary


def import_flows_file(path: Path) -> ImportSummary:
    """Read, check and import one file; raises ReferenceImportError with every problem."""
    rows, problems = read_flows(path)
    return flows_import(rows=rows, problems=problems)
