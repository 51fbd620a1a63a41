"""Reading and checking reference-data CSV files before anything is written.

Each reader returns the rows it could parse and the list of every problem it
found, each naming the line and the column. Writers in ``cities.services``
refuse to write anything while one problem remains: imports are
all-or-nothing.
"""

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import models
from django.utils.translation import gettext as _

from assessment.scoring.errors import Problem
from cities.models import City, CityAttribute, PeerGroup, Province, Region, RegionMembership

CITY_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "province_code",
    "province_zh",
    "province_en",
    "level",
    "latitude",
    "longitude",
)
CITY_OPTIONAL_COLUMNS = ("population", "population_year", "population_source")
REGION_COLUMNS = ("code", "name_zh", "name_en", "kind", "description_zh", "description_en")
MEMBER_COLUMNS = ("region_code", "city_code", "joined_on")
MEMBER_OPTIONAL_COLUMNS = ("note_zh", "note_en")
# The model field each free-text column is stored in (codes and choices are checked on their own).
CITY_TEXT_FIELDS = {
    "name_zh": (City, "name_zh"),
    "name_en": (City, "name_en"),
    "province_zh": (Province, "name_zh"),
    "province_en": (Province, "name_en"),
    "population_source": (City, "population_source"),
}
REGION_TEXT_FIELDS = {
    "code": (Region, "code"),
    "name_zh": (Region, "name_zh"),
    "name_en": (Region, "name_en"),
}
MEMBER_TEXT_FIELDS = {
    "note_zh": (RegionMembership, "note_zh"),
    "note_en": (RegionMembership, "note_en"),
}


def row_problem(line: int | None, column: str | None, reason: str) -> Problem:
    """A problem of a reference-data file: its line and column, with the message in the reader's language."""
    if line is None:
        text = reason
    elif column:
        text = _("line %(line)d, column “%(column)s”: %(reason)s") % {"line": line, "column": column, "reason": reason}
    else:
        text = _("line %(line)d: %(reason)s") % {"line": line, "reason": reason}
    return Problem(line, column, reason, text=text)


@dataclass(frozen=True)
class CityRow:
    line: int
    code: str
    name_zh: str
    name_en: str
    province_code: str
    province_zh: str
    province_en: str
    level: str
    latitude: Decimal
    longitude: Decimal
    population: int | None
    population_year: int | None
    population_source: str


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name_zh: str
    name_en: str
    kind: str
    description_zh: str
    description_en: str


@dataclass(frozen=True)
class MemberRow:
    line: int
    region_code: str
    city_code: str
    joined_on: dt.date | None
    note_zh: str = ""
    note_en: str = ""


def read_csv_rows(path: Path, required: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Decode a UTF-8 CSV file and check its header; lines are numbered from 1 (the header)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [
            row_problem(None, None, _("cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror})
        ]
    return read_csv_bytes(raw, required)


def read_csv_bytes(raw: bytes, required: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """`read_csv_rows` for a file already read (an upload)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [
            row_problem(
                None,
                None,
                _("the file is not UTF-8 encoded (byte %(position)d); save it as “CSV UTF-8”.")
                % {"position": exc.start},
            )
        ]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in header]
    if missing:
        return [], [
            row_problem(
                1,
                None,
                _("missing columns: %(columns)s (expected %(expected)s)")
                % {"columns": ", ".join(missing), "expected": ", ".join(required)},
            )
        ]
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    for record in reader:
        line = reader.line_num
        if None in record:
            problems.append(row_problem(line, None, _("more cells than columns in the header")))
            continue
        cells = {key: (value or "").strip() for key, value in record.items()}
        if not any(cells.values()):
            continue
        rows.append((line, cells))
    if not rows and not problems:
        problems.append(row_problem(None, None, _("the file has a header but no rows")))
    return rows, problems


def _decimal(cells: dict[str, str], column: str, line: int, low: int, high: int, problems: list[Problem]) -> Decimal:
    try:
        value = Decimal(cells[column])
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(row_problem(line, column, _("“%(value)s” is not a number") % {"value": cells[column]}))
        return Decimal(0)
    if not low <= value <= high:
        problems.append(
            row_problem(
                line, column, _("%(value)s is outside %(low)s to %(high)s") % {"value": value, "low": low, "high": high}
            )
        )
        # 1e999 is finite to Decimal, but too long to round to four places: that raised.
        return Decimal(0)
    return value.quantize(Decimal("0.0001"))


def _optional_int(cells: dict[str, str], column: str, line: int, problems: list[Problem]) -> int | None:
    text = cells.get(column, "")
    if not text:
        return None
    if not text.isdigit():
        problems.append(row_problem(line, column, _("“%(value)s” is not a whole number") % {"value": text}))
        return None
    return int(text)


def _division_code(cells: dict[str, str], column: str, line: int, problems: list[Problem]) -> str:
    code = cells[column]
    if len(code) != 6 or not code.isdigit() or code[0] == "0":
        problems.append(
            row_problem(line, column, _("“%(value)s” is not a six-digit division code (GB/T 2260)") % {"value": code})
        )
    return code


def check_lengths(
    cells: dict[str, str], fields: dict[str, tuple[type[models.Model], str]], line: int, problems: list[Problem]
) -> None:
    """Texts longer than the model field that stores them: refused here, not by the database mid-import."""
    for column, (model, name) in fields.items():
        limit = model._meta.get_field(name).max_length
        length = len(cells.get(column, ""))
        if limit is not None and length > limit:
            problems.append(
                row_problem(
                    line,
                    column,
                    _("is %(length)d characters long; at most %(limit)d fit") % {"length": length, "limit": limit},
                )
            )


def _required_text(cells: dict[str, str], columns: tuple[str, ...], line: int, problems: list[Problem]) -> None:
    for column in columns:
        if not cells[column]:
            problems.append(row_problem(line, column, _("is empty")))


def read_cities(path: Path) -> tuple[list[CityRow], list[Problem]]:
    records, problems = read_csv_rows(path, CITY_COLUMNS)
    rows: list[CityRow] = []
    seen: dict[str, int] = {}
    province_names: dict[str, tuple[str, str, int]] = {}
    levels = set(City.Level.values)
    for line, cells in records:
        before = len(problems)
        _required_text(cells, ("name_zh", "name_en", "province_zh", "province_en"), line, problems)
        check_lengths(cells, CITY_TEXT_FIELDS, line, problems)
        code = _division_code(cells, "code", line, problems)
        province_code = _division_code(cells, "province_code", line, problems)
        if code in seen:
            problems.append(
                row_problem(
                    line, "code", _("%(code)s already appears on line %(first)d") % {"code": code, "first": seen[code]}
                )
            )
        seen.setdefault(code, line)
        if len(province_code) == 6 and not province_code.endswith("0000"):
            problems.append(row_problem(line, "province_code", _("a province code ends in 0000")))
        elif code[:2] != province_code[:2]:
            problems.append(
                row_problem(
                    line,
                    "province_code",
                    _("city %(code)s does not belong to province %(province)s (the first two digits differ)")
                    % {"code": code, "province": province_code},
                )
            )
        names = (cells["province_zh"], cells["province_en"])
        earlier = province_names.setdefault(province_code, (*names, line))
        if earlier[:2] != names:
            problems.append(
                row_problem(
                    line,
                    "province_zh",
                    _("province %(province)s is named differently on line %(first)d")
                    % {"province": province_code, "first": earlier[2]},
                )
            )
        if cells["level"] not in levels:
            problems.append(
                row_problem(
                    line,
                    "level",
                    _("“%(value)s” is not one of %(choices)s")
                    % {"value": cells["level"], "choices": ", ".join(sorted(levels))},
                )
            )
        latitude = _decimal(cells, "latitude", line, -90, 90, problems)
        longitude = _decimal(cells, "longitude", line, -180, 180, problems)
        population = _optional_int(cells, "population", line, problems)
        population_year = _optional_int(cells, "population_year", line, problems)
        if population is not None and population_year is None:
            problems.append(row_problem(line, "population_year", _("a population needs the year it refers to")))
        if len(problems) == before:
            rows.append(
                CityRow(
                    line=line,
                    code=code,
                    name_zh=cells["name_zh"],
                    name_en=cells["name_en"],
                    province_code=province_code,
                    province_zh=cells["province_zh"],
                    province_en=cells["province_en"],
                    level=cells["level"],
                    latitude=latitude,
                    longitude=longitude,
                    population=population,
                    population_year=population_year,
                    population_source=cells.get("population_source", ""),
                )
            )
    return rows, problems


def read_regions(path: Path) -> tuple[list[RegionRow], list[Problem]]:
    records, problems = read_csv_rows(path, REGION_COLUMNS)
    rows: list[RegionRow] = []
    seen: set[str] = set()
    kinds = set(Region.Kind.values)
    for line, cells in records:
        before = len(problems)
        _required_text(cells, ("code", "name_zh", "name_en"), line, problems)
        check_lengths(cells, REGION_TEXT_FIELDS, line, problems)
        if cells["code"] in seen:
            problems.append(row_problem(line, "code", _("%(code)s appears twice") % {"code": cells["code"]}))
        seen.add(cells["code"])
        if cells["kind"] not in kinds:
            problems.append(
                row_problem(
                    line,
                    "kind",
                    _("“%(value)s” is not one of %(choices)s")
                    % {"value": cells["kind"], "choices": ", ".join(sorted(kinds))},
                )
            )
        if len(problems) == before:
            rows.append(RegionRow(line=line, **{column: cells[column] for column in REGION_COLUMNS}))
    return rows, problems


def read_members(path: Path) -> tuple[list[MemberRow], list[Problem]]:
    records, problems = read_csv_rows(path, MEMBER_COLUMNS)
    rows: list[MemberRow] = []
    seen: set[tuple[str, str]] = set()
    for line, cells in records:
        before = len(problems)
        _required_text(cells, ("region_code", "city_code"), line, problems)
        check_lengths(cells, MEMBER_TEXT_FIELDS, line, problems)
        if bool(cells.get("note_zh")) != bool(cells.get("note_en")):
            problems.append(row_problem(line, "note_en", _("a note needs both its Chinese and its English text")))
        key = (cells["region_code"], cells["city_code"])
        if key in seen:
            problems.append(row_problem(line, "city_code", _("this city is listed twice for the region")))
        seen.add(key)
        joined_on = None
        if cells["joined_on"]:
            try:
                joined_on = dt.date.fromisoformat(cells["joined_on"])
            except ValueError:
                problems.append(
                    row_problem(
                        line, "joined_on", _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": cells["joined_on"]}
                    )
                )
        if len(problems) == before:
            rows.append(
                MemberRow(
                    line=line,
                    region_code=key[0],
                    city_code=key[1],
                    joined_on=joined_on,
                    note_zh=cells.get("note_zh", ""),
                    note_en=cells.get("note_en", ""),
                )
            )
    return rows, problems


PEER_GROUP_COLUMNS = ("code", "name_zh", "name_en", "attribute", "values", "minimum", "maximum")
PEER_GROUP_OPTIONAL_COLUMNS = ("description_zh", "description_en")
ATTRIBUTE_COLUMNS = ("city_code", "key", "value", "year", "source")


@dataclass(frozen=True)
class PeerGroupRow:
    line: int
    code: str
    name_zh: str
    name_en: str
    attribute: str
    values: tuple[str, ...]
    minimum: float | None
    maximum: float | None
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class AttributeRow:
    line: int
    city_code: str
    key: str
    value: float
    year: int | None
    source: str


def _slug(cells: dict[str, str], column: str, line: int, problems: list[Problem]) -> str:
    text = cells[column]
    if not text or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text) or len(text) > 50:
        problems.append(
            row_problem(line, column, _("“%(value)s” is not a code (letters, digits, - and _)") % {"value": text[:60]})
        )
    return text


def _optional_float(cells: dict[str, str], column: str, line: int, problems: list[Problem]) -> float | None:
    text = cells.get(column, "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(row_problem(line, column, _("“%(value)s” is not a number") % {"value": text[:30]}))
        return None
    return value


def read_peer_groups(path: Path) -> tuple[list[PeerGroupRow], list[Problem]]:
    """Peer groups: a category rule (values, separated by ;) or a band of a number (minimum, maximum)."""
    return _peer_group_rows(*read_csv_rows(path, PEER_GROUP_COLUMNS))


def _peer_group_rows(
    records: list[tuple[int, dict[str, str]]], problems: list[Problem]
) -> tuple[list[PeerGroupRow], list[Problem]]:
    from cities.peer_groups import CATEGORY_ATTRIBUTES

    rows: list[PeerGroupRow] = []
    seen: set[str] = set()
    for line, cells in records:
        before = len(problems)
        _required_text(cells, ("code", "name_zh", "name_en", "attribute"), line, problems)
        check_lengths(cells, {"name_zh": (PeerGroup, "name_zh"), "name_en": (PeerGroup, "name_en")}, line, problems)
        code = _slug(cells, "code", line, problems)
        attribute = _slug(cells, "attribute", line, problems)
        if code in seen:
            problems.append(row_problem(line, "code", _("%(code)s appears twice") % {"code": code}))
        seen.add(code)
        values = tuple(value.strip() for value in cells["values"].split(";") if value.strip())
        minimum = _optional_float(cells, "minimum", line, problems)
        maximum = _optional_float(cells, "maximum", line, problems)
        if attribute in CATEGORY_ATTRIBUTES and not values:
            problems.append(
                row_problem(
                    line, "values", _("%(attribute)s is a category: list its values") % {"attribute": attribute}
                )
            )
        if values and (minimum is not None or maximum is not None):
            problems.append(row_problem(line, "values", _("give either values or a band (minimum, maximum), not both")))
        if not values and minimum is None and maximum is None:
            problems.append(row_problem(line, "minimum", _("a band needs a minimum, a maximum or both")))
        if minimum is not None and maximum is not None and minimum >= maximum:
            problems.append(row_problem(line, "maximum", _("must be greater than the minimum")))
        if attribute == "level":
            for value in values:
                if value not in City.Level.values:
                    problems.append(
                        row_problem(
                            line,
                            "values",
                            _("“%(value)s” is not one of %(choices)s")
                            % {"value": value, "choices": ", ".join(City.Level.values)},
                        )
                    )
        if len(problems) == before:
            rows.append(
                PeerGroupRow(
                    line=line,
                    code=code,
                    name_zh=cells["name_zh"],
                    name_en=cells["name_en"],
                    attribute=attribute,
                    values=values,
                    minimum=minimum,
                    maximum=maximum,
                    description_zh=cells.get("description_zh", ""),
                    description_en=cells.get("description_en", ""),
                )
            )
    return rows, problems


def read_city_attributes(path: Path) -> tuple[list[AttributeRow], list[Problem]]:
    """City attributes (city_code, key, value, year, source): every row must name a known city and a source."""
    records, problems = read_csv_rows(path, ATTRIBUTE_COLUMNS)
    known = set(City.objects.values_list("code", flat=True))
    rows: list[AttributeRow] = []
    seen: set[tuple[str, str]] = set()
    for line, cells in records:
        before = len(problems)
        _required_text(cells, ("city_code", "key", "value", "source"), line, problems)
        code = _division_code(cells, "city_code", line, problems)
        if len(problems) == before and code not in known:
            problems.append(row_problem(line, "city_code", _("no city has the code %(code)s") % {"code": code}))
        key = _slug(cells, "key", line, problems)
        if key in ("level", "province", "population"):
            problems.append(
                row_problem(line, "key", _("%(key)s is kept with the city itself, not as an attribute") % {"key": key})
            )
        value = _optional_float(cells, "value", line, problems)
        year = _optional_int(cells, "year", line, problems)
        if year is not None and not 1949 <= year <= 2100:
            problems.append(
                row_problem(
                    line,
                    "year",
                    _("%(value)s is outside %(low)s to %(high)s") % {"value": year, "low": 1949, "high": 2100},
                )
            )
        check_lengths(cells, {"source": (CityAttribute, "source")}, line, problems)
        if (code, key) in seen:
            problems.append(row_problem(line, "key", _("this attribute is listed twice for the city")))
        seen.add((code, key))
        if len(problems) == before and value is not None:
            rows.append(
                AttributeRow(line=line, city_code=code, key=key, value=value, year=year, source=cells["source"])
            )
    return rows, problems
