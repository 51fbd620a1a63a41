"""Bulk statistics for a campaign: one CSV or XLSX, a row per city and a column per quantitative indicator.

Statistics come from yearbooks and statistical communiqués for all cities at
once (GB/T 33356's evaluation works this way); typing one value 41 times is
how errors get in. The file:

    city_code, city_name, source,            year, W1.1, W1.1 year, B2.1, …
    330100,    杭州,      2025年杭州统计年鉴, 2024, 62.5, ,          88
    320500,    苏州,      …

- ``city_code`` (or ``城市代码``) names the city, which must be in the campaign;
  a name column (``city_name``, ``城市``) is ignored;
- a column per indicator, named by its code (quantitative, count or yes/no
  indicators; level indicators and values derived from agreements are
  answered on the form);
- ``source`` and ``year`` (``来源``, ``年份``) for every value of the row, or
  ``<code> source`` / ``<code> year`` for one indicator's column.

`statistics_check` reads the file and reports every bad line and column
(a city outside the campaign, a value that is not a number or is outside the
indicator's plausible range, a year after the period, an assessment no longer
in draft); nothing is written while one remains. It also lists, as
conflicts, the answers someone else already entered with another value:
`statistics_apply` writes every other change and, of the conflicts, only
those the user chose to replace, all in one transaction, and refuses if an
answer changed since the check. Each written answer keeps the file's name and
the time (`Response.imported_from`, `imported_at`), and its history says
"statistics import: <file>".
"""

import io
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from assessment.answer_rules import response_clean
from assessment.framework.document import is_finite_number, plain_number_text
from assessment.models import Assessment, Campaign, Indicator, Response
from assessment.scoring.errors import Problem
from cities.reference_import import read_csv_bytes, row_problem

CITY_COLUMNS = ("city_code", "city", "城市代码", "代码")
NAME_COLUMNS = ("city_name", "name", "城市", "城市名称")
SOURCE_WORDS = ("source", "来源", "数据来源")
YEAR_WORDS = ("year", "年份")
HISTORY_REASON = "statistics import: "
MAX_ROWS = 2000


@dataclass(frozen=True)
class StatisticsChange:
    """One answer the file sets: the response as it was read (its version), and the new value, year and source."""

    response: Response
    line: int
    column: str
    value: float
    year: int | None
    source: str

    @property
    def city(self) -> str:
        return self.response.assessment.city.name

    def differs(self) -> bool:
        r = self.response
        return (r.value, r.value_year, r.source) != (self.value, self.year or r.value_year, self.source or r.source)


@dataclass
class StatisticsCheck:
    """What the file would do: changes to write, conflicts to choose on, and problems that stop it."""

    filename: str
    changes: list[StatisticsChange] = field(default_factory=list)
    conflicts: list[StatisticsChange] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


class StatisticsImportError(ValidationError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__([str(problem) for problem in problems])
        self.problems = problems


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def statistics_rows(data: bytes, filename: str) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The file's rows as (line, {column: text}); an XLSX's first sheet, or a UTF-8 CSV."""
    if filename.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            return [], [row_problem(None, None, _("%(file)s is not an Excel workbook.") % {"file": filename})]
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_cell_text(cell) for cell in next(lines, ())]
        rows = []
        for number, cells in enumerate(lines, start=2):
            record = {name: _cell_text(cell) for name, cell in zip(header, cells, strict=False) if name}
            if any(record.values()):
                rows.append((number, record))
            if len(rows) > MAX_ROWS:
                break
        book.close()
        return rows, []
    if filename.lower().endswith(".csv"):
        return read_csv_bytes(data, ())
    return [], [row_problem(None, None, _("Upload a CSV (UTF-8) or an XLSX file."))]


def _column_kind(name: str, indicators: dict[str, Indicator]) -> tuple[str, str]:
    """What a column holds: ("city"|"name"|"source"|"year"|"value"|"value source"|"value year"|"unknown", code)."""
    folded = name.strip().casefold()
    if folded in CITY_COLUMNS:
        return "city", ""
    if folded in NAME_COLUMNS:
        return "name", ""
    if folded in SOURCE_WORDS:
        return "source", ""
    if folded in YEAR_WORDS:
        return "year", ""
    if name.strip() in indicators:
        return "value", name.strip()
    code, _space, word = name.strip().rpartition(" ")
    if code in indicators and word.casefold() in SOURCE_WORDS:
        return "value source", code
    if code in indicators and word.casefold() in YEAR_WORDS:
        return "value year", code
    return "unknown", ""


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "").replace("，", "").replace("%", ""))
    except ValueError:
        return None
    return value if is_finite_number(value) else None


def statistics_check(*, campaign: Campaign, data: bytes, filename: str, user: AbstractBaseUser) -> StatisticsCheck:
    """Read the file against the campaign; every problem by line and column, the changes and the conflicts."""
    check = StatisticsCheck(filename=filename)
    rows, problems = statistics_rows(data, filename)
    check.problems += problems
    if problems:
        return check
    if not rows:
        check.problems.append(row_problem(None, None, _("The file has no rows.")))
        return check
    if len(rows) > MAX_ROWS:
        check.problems.append(row_problem(None, None, _("The file has more than %(n)d rows.") % {"n": MAX_ROWS}))
        return check
    indicators = {
        i.node.code: i for i in Indicator.objects.filter(node__framework=campaign.framework).select_related("node")
    }
    header = list(rows[0][1])
    kinds = {name: _column_kind(name, indicators) for name in header}
    if not any(kind == "city" for kind, _code in kinds.values()):
        check.problems.append(
            row_problem(1, None, _("No city column: name one “city_code” (or “城市代码”) with the division codes."))
        )
    for name, (kind, code) in kinds.items():
        if kind == "unknown":
            check.problems.append(
                row_problem(
                    1,
                    name,
                    _("not an indicator of %(framework)s, nor city, source or year.")
                    % {"framework": f"{campaign.framework.code} {campaign.framework.version}"},
                )
            )
        elif kind == "value" and indicators[code].type == Indicator.Type.LEVEL:
            check.problems.append(row_problem(1, name, _("a level indicator: answer it on the form, with evidence.")))
        elif kind == "value" and indicators[code].derived_from:
            check.problems.append(
                row_problem(1, name, _("derived from the agreements: answer it on the form, where the proposal is."))
            )
    if check.problems:
        return check

    assessments = {
        a.city_id: a for a in campaign.assessments.select_related("city").filter(kind=Assessment.Kind.CONSULTANT)
    }
    responses = {
        (r.assessment_id, r.indicator.node.code): r
        for r in Response.objects.filter(assessment__in=assessments.values()).select_related(
            "indicator__node", "assessment__city", "updated_by"
        )
    }
    city_column = next(name for name, (kind, _code) in kinds.items() if kind == "city")
    # (kind, indicator code) -> its column: the per-indicator source and year columns, read once.
    columns = {kind_code: name for name, kind_code in kinds.items()}
    seen: dict[str, int] = {}
    for line, cells in rows:
        code = cells.get(city_column, "")
        assessment = assessments.get(code)
        if code in seen:
            check.problems.append(
                row_problem(
                    line, city_column, _("%(code)s is on line %(first)d already.") % {"code": code, "first": seen[code]}
                )
            )
            continue
        seen[code] = line
        if assessment is None:
            check.problems.append(
                row_problem(line, city_column, _("“%(code)s” is not a city of this campaign.") % {"code": code})
            )
            continue
        if not assessment.is_editable:
            check.problems.append(
                row_problem(
                    line,
                    city_column,
                    _("the assessment of %(city)s is %(status)s: its answers cannot change now.")
                    % {"city": assessment.city.name, "status": assessment.get_status_display()},
                )
            )
            continue
        row_source = next((cells[n] for n, (k, _c) in kinds.items() if k == "source"), "")
        row_year = next((cells[n] for n, (k, _c) in kinds.items() if k == "year"), "")
        for name, (kind, indicator_code) in kinds.items():
            if kind != "value" or not cells.get(name):
                continue
            _add_change(
                check,
                campaign=campaign,
                response=responses[(assessment.pk, indicator_code)],
                line=line,
                column=name,
                text=cells[name],
                source=cells.get(columns.get(("value source", indicator_code), ""), "") or row_source,
                year_text=cells.get(columns.get(("value year", indicator_code), ""), "") or row_year,
                user=user,
            )
    return check


def _add_change(
    check: StatisticsCheck,
    *,
    campaign: Campaign,
    response: Response,
    line: int,
    column: str,
    text: str,
    source: str,
    year_text: str,
    user: AbstractBaseUser,
) -> None:
    value = _number(text)
    if value is None:
        check.problems.append(row_problem(line, column, _("“%(text)s” is not a number.") % {"text": text}))
        return
    year = None
    if year_text:
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 2000 <= year <= campaign.period:
            check.problems.append(
                row_problem(
                    line,
                    column,
                    _("the year “%(year)s” is not a year from 2000 to the period %(period)d.")
                    % {"year": year_text, "period": campaign.period},
                )
            )
            return
    try:
        response_clean(response.indicator, {"value": value, "unit": ""})
    except ValidationError as error:
        check.problems.append(row_problem(line, column, " ".join(error.messages)))
        return
    change = StatisticsChange(response=response, line=line, column=column, value=value, year=year, source=source[:500])
    if not change.differs():
        check.unchanged += 1
    elif response.value is not None and response.value != value and response.updated_by_id not in (None, user.pk):
        check.conflicts.append(change)
    else:
        check.changes.append(change)


def conflict_text(change: StatisticsChange) -> str:
    """A conflict in words: whose value stands, and what the file says."""
    who = change.response.updated_by.get_username() if change.response.updated_by else _("someone")
    return _("%(city)s %(indicator)s: %(who)s entered %(theirs)s; the file says %(ours)s.") % {
        "city": change.city,
        "indicator": change.response.indicator.node.code,
        "who": who,
        "theirs": plain_number_text(change.response.value),
        "ours": plain_number_text(change.value),
    }


def statistics_apply(*, check: StatisticsCheck, user: AbstractBaseUser, replace: set[int] | None = None) -> int:
    """Write the changes and the conflicts chosen (by response id), all or nothing; the number of answers written."""
    if check.problems:
        raise StatisticsImportError(check.problems)
    chosen = [c for c in check.conflicts if c.response.pk in (replace or set())]
    now = timezone.now()
    written = 0
    with transaction.atomic():
        for change in [*check.changes, *chosen]:
            current = Response.objects.select_for_update(of=("self",)).get(pk=change.response.pk)
            if current.version != change.response.version:
                raise StatisticsImportError(
                    [
                        row_problem(
                            change.line,
                            change.column,
                            _("someone changed this answer since the file was checked; check the file again."),
                        )
                    ]
                )
            current.value = change.value
            current.value_year = change.year or current.value_year
            current.source = change.source or current.source
            if not current.unit:
                current.unit = current.indicator.unit_zh
            current.imported_from, current.imported_at = check.filename[:255], now
            current.to_confirm = False
            current.version += 1
            current.updated_by = user
            current._history_user = user  # type: ignore[attr-defined]
            current._change_reason = (HISTORY_REASON + check.filename)[:100]  # type: ignore[attr-defined]
            current.save()
            Assessment.objects.filter(pk=current.assessment_id).update(version=F("version") + 1, updated_at=now)
            written += 1
    return written
