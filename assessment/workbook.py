"""The offline Excel workbook of an assessment: build it, and read it back.

Layout: a cover sheet with instructions; one sheet per dimension, titled by
the dimension code (so a renamed sheet is noticed), one row per indicator;
and a very hidden ``_meta`` sheet that records the assessment, the framework
version and each response's version at download. Reading compares the
workbook with what is stored and returns the changes and every problem by
sheet, row and column. Nothing here writes to the database.

Formula injection: a text that starts with ``=``, ``+``, ``-`` or ``@`` is
written with a leading apostrophe and as a string, so a spreadsheet shows it
as text and never evaluates it; reading strips that apostrophe again.
"""

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment.answer_rules import derived_override_missing, response_clean
from assessment.dashboards.labels import sentences
from assessment.evidence_files import zip_expands_implausibly
from assessment.framework.document import is_finite_number, plain_number_text
from assessment.models import Assessment, Indicator, Response
from assessment.scoring.errors import Problem
from assessment.selectors.derived import derived_proposal_for
from cities.selectors import agreement_titles

MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# A small workbook may pack densely; the compression ratio counts from 1 MB unpacked.
MIN_RATIO_CHECKED_BYTES = 1024 * 1024
# Sheet limits (see sheet_limits): generous for a real workbook, far below what makes
# openpyxl spend seconds and hundreds of megabytes on one upload.
MAX_SHEET_COLUMNS = 28  # the workbook writes 16
SPARE_SHEETS = 5
SPARE_ROWS = 20  # the cover sheet, the hidden record's header rows
ROWS_PER_INDICATOR = 3
BYTES_PER_CELL = 256  # a cell's XML; texts are kept apart, in the shared strings
META_SHEET = "_meta"
COVER_SHEET = "README"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?%?")
YES, NO = "yes", "no"
QUALITY_CODES = [value for value, _label in Response.Quality.choices]
CONFIDENCE_CODES = [value for value, _label in Response.Confidence.choices]

# (key, header msgid, width, editable)
COLUMNS = (
    ("code", gettext_noop("Code"), 9, False),
    ("name", gettext_noop("Indicator"), 42, False),
    ("type", gettext_noop("Type"), 14, False),
    ("unit", gettext_noop("Unit"), 12, False),
    ("goalposts", gettext_noop("Goalposts"), 14, False),
    ("level", gettext_noop("Level (0-5)"), 11, True),
    ("value", gettext_noop("Value"), 12, True),
    ("value_year", gettext_noop("Year of the value"), 12, True),
    ("source", gettext_noop("Data source"), 30, True),
    ("quality", gettext_noop("Data-quality grade (A-F)"), 14, True),
    ("confidence", gettext_noop("Confidence (high/medium/low)"), 16, True),
    ("comment", gettext_noop("Comment"), 30, True),
    ("not_applicable", gettext_noop("Not applicable (yes/no)"), 14, True),
    ("not_applicable_reason", gettext_noop("Why not applicable"), 30, True),
    ("plausibility_override_reason", gettext_noop("Why the value is outside the plausible range"), 30, True),
    # Appended last, like the plausibility reason, so the columns of older workbooks keep their places.
    ("derived_override_reason", gettext_noop("Why the answer differs from what the agreements propose"), 30, True),
)
VALUE_KEYS = {"value", "value_year", "plausibility_override_reason"}  # only for indicators that take a value
DERIVED_KEYS = {"derived_override_reason"}  # only for indicators derived from agreements
TEXT_KEYS = {
    "name",
    "comment",
    "source",
    "not_applicable_reason",
    "plausibility_override_reason",
    "derived_override_reason",
}
COLUMN_INDEX = {key: position for position, (key, *_rest) in enumerate(COLUMNS, start=1)}
HEADER_ROW = 1


def workbook_problem(sheet: str, row: int | None, column: str | None, reason: str) -> Problem:
    """A problem of an uploaded workbook: its sheet, row and column, with the message in the reader's language."""
    if row is None:
        text = _("sheet “%(sheet)s”: %(reason)s") % {"sheet": sheet, "reason": reason}
    elif column:
        text = _("sheet “%(sheet)s”, row %(row)d, column “%(column)s”: %(reason)s") % {
            "sheet": sheet,
            "row": row,
            "column": column,
            "reason": reason,
        }
    else:
        text = _("sheet “%(sheet)s”, row %(row)d: %(reason)s") % {"sheet": sheet, "row": row, "reason": reason}
    return Problem(row, column, reason, sheet=sheet, text=text)


@dataclass(frozen=True)
class ResponseChange:
    response_id: int
    code: str
    base_version: int
    fields: dict[str, tuple[Any, Any]]

    def new_values(self) -> dict[str, Any]:
        return {name: new for name, (_old, new) in self.fields.items()}

    def field_rows(self) -> list[tuple[str, str, str]]:
        """(column header, value now, value in the workbook), as the reader sees them: no field keys."""
        return [
            (field_label(name), display_value(name, old), display_value(name, new))
            for name, (old, new) in self.fields.items()
        ]


def field_label(name: str) -> str:
    """The translated column header of a response field (the workbook's own words for it)."""
    return next((_(header) for key, header, _width, _editable in COLUMNS if key == name), name)


def display_value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "confidence" and value in CONFIDENCE_CODES:
        return str(Response.Confidence(value).label)
    if isinstance(value, float):
        return plain_number_text(value)
    return str(value)


@dataclass
class WorkbookReading:
    changes: list[ResponseChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def neutralise(text: Any) -> Any:
    """Make user text inert in a spreadsheet: no formula, no DDE.

    A plain number ("-11.3", "+5.2", "-1,234.5", "-4%") is left as it is: it cannot call or reference
    anything, and with the quote a spreadsheet showed the dashboards' negative gaps as text ("'-11.3").
    """
    if isinstance(text, str) and text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _restore(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _dimension_of(response: Response) -> str:
    return response.indicator.node.parent.code


def workbook_build(assessment: Assessment, responses: list[Response]) -> bytes:
    """The workbook for the assessment, in the active language."""
    book = Workbook()
    cover = book.active
    cover.title = COVER_SHEET
    _write_cover(cover, assessment)
    by_dimension: dict[str, list[Response]] = {}
    names: dict[str, str] = {}
    for response in responses:
        code = _dimension_of(response)
        by_dimension.setdefault(code, []).append(response)
        names[code] = response.indicator.node.parent.name
    for code, items in by_dimension.items():
        _write_dimension(book.create_sheet(code), names[code], items)
    meta = book.create_sheet(META_SHEET)
    meta.append(["assessment", assessment.pk])
    meta.append(["framework", f"{assessment.framework.code} {assessment.framework.version}"])
    meta.append(["response", "code", "version"])
    for response in responses:
        meta.append([response.pk, response.indicator.node.code, response.version])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    book.security.lockStructure = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_cover(sheet: Any, assessment: Assessment) -> None:
    rows = [
        [_("DualSpace assessment workbook")],
        [],
        [_("City"), f"{assessment.city.name_zh} {assessment.city.name_en} ({assessment.city_id})"],
        [_("Period"), assessment.period],
        [_("Framework"), f"{assessment.framework.code} {assessment.framework.version}"],
        [],
        [_("How to fill it in")],
        [_("1. Each sheet is one dimension; each row is one indicator. Fill in the white columns only.")],
        [
            _(
                "2. Level indicators take a level from 0 to 5; "
                "the level descriptors are in the comment of the level cell."
            )
        ],
        [_("3. Other indicators take a value in the unit shown; counts are whole numbers.")],
        [_("4. Do not rename, add or delete sheets or rows: the upload checks them.")],
        [_("5. Upload the workbook on the assessment page; you will see every change before it is applied.")],
    ]
    if assessment.is_demo:
        rows.insert(1, [_("Demo data: these figures are generated for demonstration and describe no real city.")])
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    sheet.protection.sheet = True


def _write_dimension(sheet: Any, dimension_name: str, responses: list[Response]) -> None:
    sheet.append([_(header) for _key, header, _width, _editable in COLUMNS])
    header_fill = PatternFill("solid", fgColor="0B4F6C")
    for position, (_key, _header, width, _editable) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=position)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(position)].width = width
    levels = DataValidation(type="list", formula1='"0,1,2,3,4,5"', allow_blank=True, showErrorMessage=True)
    quality = DataValidation(type="list", formula1=f'"{",".join(QUALITY_CODES)}"', allow_blank=True)
    confidence = DataValidation(type="list", formula1=f'"{",".join(CONFIDENCE_CODES)}"', allow_blank=True)
    applicable = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    for validation in (levels, quality, confidence, applicable):
        sheet.add_data_validation(validation)
    grey = PatternFill("solid", fgColor="EEEEEE")
    for row_number, response in enumerate(responses, start=HEADER_ROW + 1):
        indicator = response.indicator
        is_level = indicator.type == Indicator.Type.LEVEL
        goalposts = "" if is_level else f"{plain_number_text(indicator.lower)} – {plain_number_text(indicator.upper)}"
        values = {
            "code": indicator.node.code,
            "name": indicator.node.name,
            "type": indicator.get_type_display(),
            "unit": "" if is_level else indicator.unit,
            "goalposts": goalposts,
            "level": response.level,
            "value": response.value,
            "value_year": response.value_year,
            "source": response.source,
            "quality": response.quality,
            "confidence": response.confidence,
            "comment": response.comment,
            "not_applicable": YES if response.not_applicable else NO,
            "not_applicable_reason": response.not_applicable_reason,
            "plausibility_override_reason": response.plausibility_override_reason,
            "derived_override_reason": response.derived_override_reason,
        }
        for key, _header, _width, editable in COLUMNS:
            cell = sheet.cell(row=row_number, column=COLUMN_INDEX[key])
            value = neutralise(values[key])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=key in TEXT_KEYS, vertical="top")
            unlocked = (
                editable
                and not (key == "level" and not is_level)
                and not (key in VALUE_KEYS and is_level)
                and not (key in DERIVED_KEYS and not indicator.derived_from)
            )
            cell.protection = Protection(locked=not unlocked)
            if not unlocked:
                cell.fill = grey
        notes = []  # the answer cell's comment
        if is_level:
            levels.add(sheet.cell(row=row_number, column=COLUMN_INDEX["level"]))
            notes.append("\n".join(f"{level.level}: {level.text}" for level in indicator.levels.all()))
        plausible = indicator.plausible_range()
        if plausible is not None:
            notes.append(_("Plausible range: %(range)s.") % {"range": plausible.text(indicator.unit)})
        proposal = derived_proposal_for(response) if indicator.derived_from else None
        if proposal is not None:
            notes.append(_proposal_note(proposal.value, proposal.agreements))
        if notes:
            answer_cell = sheet.cell(row=row_number, column=COLUMN_INDEX["level" if is_level else "value"])
            answer_cell.comment = Comment("\n\n".join(notes), "DualSpace", width=420, height=320 if is_level else 120)
        quality.add(sheet.cell(row=row_number, column=COLUMN_INDEX["quality"]))
        confidence.add(sheet.cell(row=row_number, column=COLUMN_INDEX["confidence"]))
        applicable.add(sheet.cell(row=row_number, column=COLUMN_INDEX["not_applicable"]))
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.sheet_properties.tabColor = "0B4F6C"
    sheet.title = sheet.title  # the code; the name goes in the header comment
    sheet.cell(row=HEADER_ROW, column=1).comment = Comment(dimension_name, "DualSpace")


def _proposal_note(value: float, agreements: tuple[str, ...]) -> str:
    note = _("Proposed from recorded agreements: %(value)s.") % {"value": plain_number_text(value)}
    if agreements:
        # Named by title, as the form names them: a key is an import identifier, not a name.
        titles = agreement_titles(keys=agreements)
        note = sentences(
            note,
            _("Agreements in force: %(keys)s.") % {"keys": _(", ").join(titles.get(key, key) for key in agreements)},
        )
    return sentences(
        note,
        _("Another answer needs a reason in the column “Why the answer differs from what the agreements propose”."),
    )


def _unpacked_size_problem(data: bytes) -> str | None:
    if len(data) > MAX_WORKBOOK_BYTES:
        return _("the file is larger than %(limit)d MB") % {"limit": MAX_WORKBOOK_BYTES // (1024 * 1024)}
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        return _("the file is not an Excel workbook (.xlsx)")
    if zip_expands_implausibly(entries, max_expanded=MAX_UNPACKED_BYTES, ratio_checked_above=MIN_RATIO_CHECKED_BYTES):
        return _("the workbook expands to an implausible size when unpacked and is refused")
    return None


@dataclass(frozen=True)
class SheetLimits:
    sheets: int
    rows: int
    columns: int
    sheet_bytes: int


def sheet_limits(responses: list[Response]) -> SheetLimits:
    """What a workbook of this assessment may hold: a sheet per dimension, a row per indicator, with room to spare."""
    rows = HEADER_ROW + ROWS_PER_INDICATOR * len(responses) + SPARE_ROWS
    return SheetLimits(
        sheets=len({_dimension_of(response) for response in responses}) + 2 + SPARE_SHEETS,
        rows=rows,
        columns=MAX_SHEET_COLUMNS,
        sheet_bytes=rows * MAX_SHEET_COLUMNS * BYTES_PER_CELL,
    )


def _sheet_data_problem(data: bytes, limits: SheetLimits) -> str | None:
    """A sheet's XML larger than its cells could need: refused by its declared size, before parsing."""
    for entry in zipfile.ZipFile(io.BytesIO(data)).infolist():
        if entry.filename.startswith("xl/worksheets/") and entry.file_size > limits.sheet_bytes:
            return _(
                "a sheet holds %(size)d KB of data; a workbook of this assessment holds at most %(limit)d KB per sheet"
            ) % {
                "size": entry.file_size // 1024,
                "limit": limits.sheet_bytes // 1024,
            }
    return None


def _sheet_size_problems(book: Any, limits: SheetLimits, file_label: str) -> list[Problem]:
    """Sheets, rows or columns beyond the limits.

    On a read-only book the sizes are the ones each sheet declares (nothing is
    loaded); on a loaded book they are the cells' real extent, since a file may
    declare less than it holds.
    """
    if len(book.sheetnames) > limits.sheets:
        reason = _("the workbook has %(count)d sheets; a workbook of this assessment has at most %(limit)d") % {
            "count": len(book.sheetnames),
            "limit": limits.sheets,
        }
        return [workbook_problem(file_label, None, None, reason)]
    problems = []
    for sheet in book.worksheets:
        if (sheet.max_row or 0) > limits.rows:
            reason = _(
                "the sheet reaches row %(rows)d; a workbook of this assessment has at most %(limit)d rows per sheet"
            ) % {
                "rows": sheet.max_row,
                "limit": limits.rows,
            }
            problems.append(workbook_problem(sheet.title, None, None, reason))
        if (sheet.max_column or 0) > limits.columns:
            reason = _(
                "the sheet reaches column %(column)s; a workbook of this assessment uses columns up to %(limit)s"
            ) % {
                "column": get_column_letter(sheet.max_column),
                "limit": get_column_letter(limits.columns),
            }
            problems.append(workbook_problem(sheet.title, None, None, reason))
    return problems


def _size_problems(data: bytes, limits: SheetLimits, file_label: str) -> list[Problem]:
    """The sizes checked before the workbook is loaded whole: the sheets' data, and the sizes each sheet declares."""
    problem = _sheet_data_problem(data, limits)
    if problem:
        return [workbook_problem(file_label, None, None, problem)]
    # Read-only: openpyxl reads the workbook's structure and each sheet's dimension, no cells.
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return _sheet_size_problems(book, limits, file_label)
    finally:
        book.close()


def workbook_read(assessment: Assessment, responses: list[Response], data: bytes) -> WorkbookReading:
    """Compare an uploaded workbook with the stored answers; nothing is written."""
    reading = WorkbookReading()
    file_label = _("file")
    problem = _unpacked_size_problem(data)
    if problem:
        reading.problems.append(workbook_problem(file_label, None, None, problem))
        return reading
    limits = sheet_limits(responses)
    try:
        reading.problems.extend(_size_problems(data, limits, file_label))
        if reading.problems:
            return reading
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        reading.problems.append(
            workbook_problem(file_label, None, None, _("the workbook cannot be opened; is it damaged?"))
        )
        return reading
    # A sheet may declare a smaller size than its cells reach (or none); the loaded
    # extent is checked before any row is read, so the reading stays small.
    reading.problems.extend(_sheet_size_problems(book, limits, file_label))
    if reading.problems:
        return reading
    versions = _read_meta(book, assessment, reading)
    if versions is None:
        return reading
    by_code = {response.indicator.node.code: response for response in responses}
    expected_sheets = {_dimension_of(response) for response in responses}
    present = set(book.sheetnames) - {META_SHEET, COVER_SHEET}
    for missing in sorted(expected_sheets - present):
        reading.problems.append(
            workbook_problem(missing, None, None, _("the sheet is missing; was it renamed or deleted?"))
        )
    for extra in sorted(present - expected_sheets):
        reading.problems.append(
            workbook_problem(extra, None, None, _("this sheet is not part of the assessment; was a sheet renamed?"))
        )
    seen: set[str] = set()
    for title in sorted(expected_sheets & present):
        sheet = book[title]
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
            row_number = row[0].row
            cells = {
                key: row[COLUMN_INDEX[key] - 1].value if len(row) >= COLUMN_INDEX[key] else None for key in COLUMN_INDEX
            }
            if all(value in (None, "") for value in cells.values()):
                continue
            code = str(cells["code"] or "").strip()
            response = by_code.get(code)
            if response is None:
                reading.problems.append(
                    workbook_problem(
                        title, row_number, _("Code"), _("unknown indicator code “%(code)s”") % {"code": code}
                    )
                )
                continue
            if _dimension_of(response) != title:
                reading.problems.append(
                    workbook_problem(
                        title,
                        row_number,
                        _("Code"),
                        _("%(code)s belongs on sheet %(sheet)s") % {"code": code, "sheet": _dimension_of(response)},
                    )
                )
                continue
            if code in seen:
                reading.problems.append(
                    workbook_problem(title, row_number, _("Code"), _("%(code)s appears twice") % {"code": code})
                )
                continue
            seen.add(code)
            change = _row_change(title, row_number, response, cells, versions, reading)
            if change is not None:
                reading.changes.append(change)
    return reading


def _read_meta(book: Any, assessment: Assessment, reading: WorkbookReading) -> dict[int, int] | None:
    if META_SHEET not in book.sheetnames:
        reading.problems.append(
            workbook_problem(META_SHEET, None, None, _("this is not a DualSpace assessment workbook"))
        )
        return None
    rows = list(book[META_SHEET].iter_rows(values_only=True))
    try:
        assessment_id = int(rows[0][1])
        framework = str(rows[1][1])
        versions = {int(row[0]): int(row[2]) for row in rows[3:] if row and row[0] is not None}
    except (IndexError, TypeError, ValueError):
        reading.problems.append(
            workbook_problem(
                META_SHEET, None, None, _("the workbook's hidden record is damaged; download a new workbook")
            )
        )
        return None
    if assessment_id != assessment.pk:
        reading.problems.append(
            workbook_problem(
                META_SHEET,
                None,
                None,
                _("this workbook belongs to another assessment (number %(number)d)") % {"number": assessment_id},
            )
        )
        return None
    expected = f"{assessment.framework.code} {assessment.framework.version}"
    if framework != expected:
        reading.problems.append(
            workbook_problem(
                META_SHEET,
                None,
                None,
                _("this workbook was made for framework %(theirs)s, not %(ours)s")
                % {"theirs": framework, "ours": expected},
            )
        )
        return None
    return versions


def _row_change(
    sheet: str, row: int, response: Response, cells: dict[str, Any], versions: dict[int, int], reading: WorkbookReading
) -> ResponseChange | None:
    indicator = response.indicator
    headers = {key: _(header) for key, header, _width, _editable in COLUMNS}
    problems_before = len(reading.problems)

    def problem(key: str, reason: str) -> None:
        reading.problems.append(workbook_problem(sheet, row, headers[key], reason))

    def number(key: str) -> float | None:
        value = cells[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            problem(key, _("expected a number"))
            return None
        try:
            number = float(value if isinstance(value, int | float) else str(value).strip().replace(",", ""))
        except ValueError:
            problem(key, _("“%(value)s” is text, not a number") % {"value": value})
            return None
        except OverflowError:  # a whole number of hundreds of digits
            number = math.inf
        if not is_finite_number(number):
            # "inf", "nan" and 1e999 read as floats; stored, they would stop the approval.
            problem(
                key,
                _("“%(value)s” is not a finite number; enter an ordinary number such as 12.5")
                % {"value": str(value)[:30]},
            )
            return None
        return number

    def text(key: str) -> str:
        value = cells[key]
        return "" if value is None else _restore(str(value).strip())

    values: dict[str, Any] = {}
    if indicator.type == Indicator.Type.LEVEL:
        level = number("level")
        if level is not None and (not level.is_integer() or not 0 <= level <= 5):
            problem(
                "level",
                _("the level must be a whole number from 0 to 5, not %(value)s") % {"value": plain_number_text(level)},
            )
        values["level"] = None if level is None else int(level)
    else:
        values["value"] = number("value")
        year = number("value_year")
        if year is not None and (not year.is_integer() or not 2000 <= year <= 2100):
            problem("value_year", _("the year must be between 2000 and 2100"))
        values["value_year"] = None if year is None else int(year)
        values["plausibility_override_reason"] = text("plausibility_override_reason")
        unit = text("unit")
        if unit and unit not in {indicator.unit_zh, indicator.unit_en}:
            problem(
                "unit",
                _("the unit must be %(unit)s, not “%(value)s”")
                % {"unit": indicator.unit or indicator.unit_zh, "value": unit},
            )
    quality = text("quality").upper()[:1] if text("quality") else ""
    if quality and quality not in QUALITY_CODES:
        problem("quality", _("the grade must be one of %(choices)s") % {"choices": ", ".join(QUALITY_CODES)})
    confidence = text("confidence").lower()
    confidence_labels = {str(label).lower(): value for value, label in Response.Confidence.choices}
    confidence = confidence_labels.get(confidence, confidence)
    if confidence and confidence not in CONFIDENCE_CODES:
        problem("confidence", _("confidence must be one of %(choices)s") % {"choices": ", ".join(CONFIDENCE_CODES)})
    applicable = text("not_applicable").lower()
    if applicable not in {"", YES, NO, "是", "否", "y", "n"}:
        problem("not_applicable", _("answer yes or no"))
    if indicator.derived_from:
        values["derived_override_reason"] = text("derived_override_reason")
    values.update(
        source=text("source"),
        quality=quality,
        confidence=confidence,
        comment=text("comment"),
        not_applicable=applicable in {YES, "是", "y"},
        not_applicable_reason=text("not_applicable_reason"),
    )
    if len(reading.problems) > problems_before:
        return None
    current = {name: getattr(response, name) for name in values}
    try:
        response_clean(indicator, {**current, **values})
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            reading.problems.append(workbook_problem(sheet, row, headers.get(key), " ".join(messages)))
        return None
    changed = {name: (current[name], new) for name, new in values.items() if _differs(current[name], new)}
    if not changed:
        return None
    # The save would refuse an answer that differs from the agreements' proposal without a reason:
    # said here, by sheet, row and column, rather than as a refusal after the check step passed.
    derived_problem = _derived_override_problem(response, {**current, **values})
    if derived_problem:
        problem("derived_override_reason", derived_problem)
        return None
    return ResponseChange(response.pk, indicator.node.code, versions.get(response.pk, -1), changed)


def _derived_override_problem(response: Response, values: dict[str, Any]) -> str | None:
    if not response.indicator.derived_from:
        return None
    proposal = derived_proposal_for(response)
    if proposal is None or values.get("not_applicable"):
        return None
    is_level = response.indicator.type == Indicator.Type.LEVEL
    answer = values.get("level") if is_level else values.get("value")
    answer = None if answer is None else float(answer)
    if not derived_override_missing(proposal.value, answer, values.get("derived_override_reason")):
        return None
    return _(
        "%(code)s: the recorded agreements propose %(proposed)s and the answer is %(answer)s; "
        "say why in this column, or answer %(proposed)s"
    ) % {
        "code": response.indicator.node.code,
        "proposed": plain_number_text(proposal.value),
        "answer": plain_number_text(answer),
    }


def _differs(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return False
    if isinstance(old, int | float) and isinstance(new, int | float) and not isinstance(old, bool):
        return abs(float(old) - float(new)) > 1e-9
    return old != new
