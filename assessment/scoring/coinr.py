"""COINr's table formats: iMeta (the framework), iData (the units), results.

No formula here: this module reads and checks the de-facto exchange format
for composite indicators used by the JRC's COINr package, and writes results
in the layout COINr's own results take, so that a run can be compared cell
by cell with COINr.

iMeta: one row per node.  Required columns ``Level`` (1 = indicator),
``iCode``, ``Direction`` (+1/-1), ``Weight`` (relative to siblings),
``Parent`` and ``Type`` (``Indicator``, ``Aggregate``; ``Group``,
``Denominator`` and ``Other`` rows are accepted and ignored).  Optional:
``iName``, ``Target``, ``goalpost_lower`` and ``goalpost_upper`` (COINr's
names for goalposts, in raw units), and two DualSpace extensions,
``IndicatorType`` (level, quantitative, count, binary; default
quantitative) and ``Critical`` (true/false, 1/0).

iData: one row per unit, a ``uCode`` column and one column per indicator
code (raw values, empty or NA for missing); other columns are kept aside.

Every problem names its row as the line of the CSV file (the header is
line 1) and its column.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pandas as pd

from assessment.scoring.engine import ScoreResult
from assessment.scoring.errors import Problem, ScoringInputError
from assessment.scoring.tree import (
    INDICATOR_TYPES,
    FrameworkTree,
    IndicatorSpec,
    IndicatorType,
    Node,
    StageLadder,
)

__all__ = [
    "IMETA_COLUMNS",
    "IMETA_REQUIRED",
    "coinr_flags_table",
    "coinr_results_table",
    "read_idata",
    "read_imeta",
    "read_weights",
    "tree_from_imeta",
]

# The iMeta columns, in the order a framework's export writes them (assessment/framework/imeta.py
# reads and writes the same list). COINr itself takes iName as optional: a unit of analysis needs no
# name to be scored, so the engine's readers require the others only; a framework names its nodes.
IMETA_COLUMNS = ("Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type")
IMETA_REQUIRED = tuple(column for column in IMETA_COLUMNS if column != "iName")
_NODE_TYPES = ("Indicator", "Aggregate")
_IGNORED_TYPES = ("Group", "Denominator", "Other")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}

Source = str | Path | IO[str]


def _line(position: int) -> int:
    """The CSV line of the data row at ``position`` (0-based): the header is line 1."""
    return position + 2


def _read_csv(source: Source, what: str, **kwargs: Any) -> pd.DataFrame:
    try:
        frame: pd.DataFrame = pd.read_csv(source, **kwargs)
        return frame
    except (OSError, UnicodeDecodeError) as error:
        raise ScoringInputError([Problem(None, None, f"cannot read the {what}: {error}")]) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ScoringInputError([Problem(None, None, f"the {what} is not a readable CSV file: {error}")]) from None


def read_imeta(source: Source) -> pd.DataFrame:
    """Read and check an iMeta CSV; every problem names its line and column."""
    imeta = _read_csv(source, "iMeta table", dtype={"iCode": "str", "Parent": "str", "Type": "str"})
    missing = [column for column in IMETA_REQUIRED if column not in imeta.columns]
    if missing:
        raise ScoringInputError(Problem(None, column, "missing column") for column in missing)
    problems: list[Problem] = []
    for position, kind in enumerate(imeta["Type"].tolist()):
        if _text(kind) not in _NODE_TYPES + _IGNORED_TYPES:
            allowed = ", ".join(_NODE_TYPES + _IGNORED_TYPES)
            problems.append(Problem(_line(position), "Type", f"'{_text(kind)}' is not one of {allowed}"))
    if not problems:
        problems.extend(_imeta_problems(_node_rows(imeta)))
    if problems:
        raise ScoringInputError(problems)
    return imeta


def _is_blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _as_number(value: Any) -> float:
    """A cell as a float; NaN when blank or not a number."""
    if _is_blank(value) or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _text(value: Any) -> str:
    return "" if _is_blank(value) else str(value).strip()


def _node_rows(imeta: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """(CSV line, row as a dict) for the Indicator and Aggregate rows."""
    rows: list[tuple[int, dict[str, Any]]] = []
    for position, record in enumerate(imeta.to_dict(orient="records")):
        row = {str(key): value for key, value in record.items()}
        if _text(row.get("Type")) in _NODE_TYPES:
            rows.append((_line(position), row))
    return rows


def _imeta_problems(rows: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    problems: list[Problem] = []
    aggregate_codes = {_text(row["iCode"]) for _, row in rows if _text(row["Type"]) == "Aggregate"}
    seen: dict[str, int] = {}
    for line, row in rows:
        code = _text(row["iCode"])
        kind = _text(row["Type"])
        if not code:
            problems.append(Problem(line, "iCode", "missing code"))
        elif code in seen:
            problems.append(Problem(line, "iCode", f"duplicate code '{code}' (first on line {seen[code]})"))
        else:
            seen[code] = line
        level = _as_number(row["Level"])
        if math.isnan(level) or level != round(level) or level < 1:
            problems.append(Problem(line, "Level", f"must be a whole number >= 1, not {row['Level']!r}"))
        elif kind == "Indicator" and level != 1:
            problems.append(Problem(line, "Level", "an indicator is at level 1"))
        elif kind == "Aggregate" and level < 2:
            problems.append(Problem(line, "Level", "an aggregate is at level 2 or above"))
        weight = _as_number(row["Weight"])
        if math.isnan(weight) or math.isinf(weight) or weight < 0:
            problems.append(Problem(line, "Weight", f"must be a number >= 0, not {row['Weight']!r}"))
        if kind == "Indicator" and _as_number(row["Direction"]) not in (1.0, -1.0):
            problems.append(Problem(line, "Direction", f"must be 1 or -1, not {row['Direction']!r}"))
        parent = _text(row["Parent"])
        if parent and parent not in aggregate_codes:
            problems.append(Problem(line, "Parent", f"unknown parent '{parent}'"))
        elif not parent and kind == "Indicator":
            problems.append(Problem(line, "Parent", "an indicator needs a parent"))
        for column in ("goalpost_lower", "goalpost_upper", "Target"):
            value = row.get(column)
            if kind == "Indicator" and not _is_blank(value) and not math.isfinite(_as_number(value)):
                problems.append(Problem(line, column, f"not a finite number: {value!r}"))
        if kind == "Indicator" and not _is_blank(row.get("IndicatorType")):
            indicator_type = _text(row["IndicatorType"]).lower()
            if indicator_type not in INDICATOR_TYPES:
                problems.append(
                    Problem(
                        line,
                        "IndicatorType",
                        f"must be one of {', '.join(INDICATOR_TYPES)}, not {indicator_type!r}",
                    )
                )
        if kind == "Indicator" and _text(row.get("Critical")).lower() not in _TRUE | _FALSE:
            problems.append(Problem(line, "Critical", f"must be true or false, not {row['Critical']!r}"))
    return problems


def _optional_number(row: dict[str, Any], column: str) -> float | None:
    value = _as_number(row.get(column))
    return None if math.isnan(value) else value


def tree_from_imeta(imeta: pd.DataFrame, ladder: StageLadder | None = None) -> FrameworkTree:
    """Build a `FrameworkTree` from an iMeta table (as read by `read_imeta`, or any such frame)."""
    missing = [column for column in IMETA_REQUIRED if column not in imeta.columns]
    if missing:
        raise ScoringInputError(Problem(None, column, "missing column") for column in missing)
    rows = _node_rows(imeta.reset_index(drop=True))
    problems = _imeta_problems(rows)
    if problems:
        raise ScoringInputError(problems)
    indicators: list[IndicatorSpec] = []
    aggregates: list[Node] = []
    line_of: dict[str, int] = {}
    for line, row in rows:
        code = _text(row["iCode"])
        line_of[code] = line
        parent = _text(row["Parent"]) or None
        name = _text(row.get("iName"))
        weight = _as_number(row["Weight"])
        if _text(row["Type"]) == "Aggregate":
            aggregates.append(
                Node(
                    code=code,
                    parent=parent,
                    level=int(_as_number(row["Level"])),
                    weight=weight,
                    name=name,
                )
            )
            continue
        assert parent is not None
        indicator_type = _text(row.get("IndicatorType")).lower() or "quantitative"
        indicators.append(
            IndicatorSpec(
                code=code,
                parent=parent,
                weight=weight,
                direction=int(_as_number(row["Direction"])),
                type=cast(IndicatorType, indicator_type),
                lower=_optional_number(row, "goalpost_lower"),
                upper=_optional_number(row, "goalpost_upper"),
                target=_optional_number(row, "Target"),
                critical=_text(row.get("Critical")).lower() in _TRUE,
                name=name,
                denominator=_text(row.get("Denominator")) or None,
            )
        )
    try:
        return FrameworkTree(tuple(indicators), tuple(aggregates), ladder)
    except ScoringInputError as error:
        raise ScoringInputError(
            Problem(
                line_of.get(str(problem.row), problem.row),
                _imeta_column(problem.column),
                _with_code(problem),
            )
            for problem in error.problems
        ) from None


def _imeta_column(field_name: str | None) -> str | None:
    return {
        "lower": "goalpost_lower",
        "upper": "goalpost_upper",
        "parent": "Parent",
        "weight": "Weight",
        "level": "Level",
        "code": "iCode",
        "direction": "Direction",
        "target": "Target",
    }.get(field_name or "", field_name)


def _with_code(problem: Problem) -> str:
    return f"{problem.reason} (iCode '{problem.row}')" if isinstance(problem.row, str) else problem.reason


def read_idata(source: Source, tree: FrameworkTree) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an iData CSV for ``tree``.

    Returns the raw indicator values (indexed by uCode, one float column per
    indicator, tree order) and the other columns (names, groups, ...).
    """
    idata = _read_csv(source, "iData table", dtype={"uCode": "str"})
    codes = list(tree.indicator_codes)
    missing = [column for column in ["uCode", *codes] if column not in idata.columns]
    if missing:
        raise ScoringInputError(Problem(None, column, "missing column") for column in missing)
    problems: list[Problem] = []
    unit_codes = idata["uCode"].fillna("").str.strip()
    first_line: dict[str, int] = {}
    for position, unit in enumerate(unit_codes):
        if not unit:
            problems.append(Problem(_line(position), "uCode", "missing unit code"))
        elif unit in first_line:
            problems.append(
                Problem(
                    _line(position),
                    "uCode",
                    f"duplicate unit '{unit}' (first on line {first_line[unit]})",
                )
            )
        else:
            first_line[unit] = _line(position)
    for code in codes:
        column = idata[code]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        text = column.astype("str").str.strip()
        bad = column.notna() & numbers.isna() & text.ne("")
        for row in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    _line(int(row)),
                    code,
                    f"not a number: {column.iloc[row]!r} (unit '{unit_codes.iloc[row]}')",
                )
            )
    if problems:
        raise ScoringInputError(problems)
    values = idata.loc[:, codes].apply(pd.to_numeric, errors="coerce").astype(np.float64)
    problems = _infinite_value_problems(values, unit_codes)
    if problems:
        raise ScoringInputError(problems)
    values.index = pd.Index(unit_codes, name="uCode", dtype="str")
    others = idata.drop(columns=codes).set_index(values.index)
    return values, others


def _infinite_value_problems(values: pd.DataFrame, unit_codes: pd.Series) -> list[Problem]:
    """inf and -inf ("inf", "Infinity", 1e999 in the CSV): no normalisation or rank can use them.

    NaN stays allowed: in COINr's layout an empty or NA cell is a missing value.
    """
    cells = values.to_numpy()
    return [
        Problem(
            _line(int(row)),
            str(values.columns[column]),
            f"not a finite number: {cells[row, column]} (unit '{unit_codes.iloc[row]}')",
        )
        for row, column in np.argwhere(np.isinf(cells))
    ]


def read_weights(source: Source, tree: FrameworkTree) -> dict[str, float]:
    """Read a weights CSV (columns ``iCode``, ``Weight``) replacing the tree's weights."""
    table = _read_csv(source, "weights table", dtype={"iCode": "str"})
    missing = [column for column in ("iCode", "Weight") if column not in table.columns]
    if missing:
        raise ScoringInputError(Problem(None, column, "missing column") for column in missing)
    problems: list[Problem] = []
    weights: dict[str, float] = {}
    numbers = pd.to_numeric(table["Weight"], errors="coerce")
    for position, (code_value, number) in enumerate(zip(table["iCode"], numbers, strict=True)):
        line = _line(position)
        code = "" if pd.isna(code_value) else str(code_value).strip()
        if code not in tree.weight_of:
            problems.append(Problem(line, "iCode", f"unknown code '{code}'"))
        elif code in weights:
            problems.append(Problem(line, "iCode", f"duplicate code '{code}'"))
        if not math.isfinite(number) or number < 0:
            problems.append(Problem(line, "Weight", f"must be a number >= 0, not {table['Weight'].iloc[position]!r}"))
        elif code:
            weights[code] = float(number)
    if problems:
        raise ScoringInputError(problems)
    return weights


def coinr_results_table(result: ScoreResult, unit_column: str = "uCode") -> pd.DataFrame:
    """Results laid out as COINr lays out its aggregated data set.

    One row per unit, sorted by unit code; the unit code, then every
    indicator (normalised) in framework order, then the aggregates level by
    level, sorted by code within a level (COINr splits by parent factor,
    which R sorts); then ``<code>_rank`` for every aggregate in framework
    order; with a Monte Carlo, ``<node>_rank_p05``, ``_rank_median`` and
    ``_rank_p95``.  Ranks are whole numbers (nullable integers).
    """
    tree = result.tree
    aggregate_order = [
        code
        for level in tree.aggregate_levels
        for code in sorted(code for code in tree.aggregate_codes if tree.level_of(code) == level)
    ]
    ranks = result.ranks.rename(columns=lambda code: f"{code}_rank").astype("Int64")
    parts = [result.normalised, result.aggregates.loc[:, aggregate_order], ranks]
    if result.uncertainty is not None:
        node = result.uncertainty.node
        parts.append(result.uncertainty.ranks.rename(columns=lambda name: f"{node}_{name}"))
    table = pd.concat(parts, axis=1)
    table.index = pd.Index([str(unit) for unit in table.index], name=unit_column, dtype="str")
    return table.sort_index(kind="stable").reset_index()


def coinr_flags_table(result: ScoreResult, unit_column: str = "uCode") -> pd.DataFrame:
    """Per unit and indicator, every step that changed the measured value, in pipeline order.

    Laid out as `coinr_results_table`'s indicator columns; a cell joins with "; "
    the denomination flag ("missing denominator", "zero denominator"), the
    imputation method that filled it and the treatment that changed it
    ("winsorised_high", "log_CT", ...); "" where the value is as measured.
    """
    steps = [result.denominated, result.imputed, result.treated]
    cells = np.full(result.raw.shape, "", dtype=object)
    for step in steps:
        if step is None:
            continue
        said = step.reindex(index=result.raw.index, columns=result.raw.columns).fillna("").to_numpy(dtype=object)
        joined = np.where(cells == "", said, cells + "; " + said)
        cells = np.where(said == "", cells, joined)
    flags = pd.DataFrame(cells, index=result.raw.index, columns=result.raw.columns, dtype="str")
    flags.index = pd.Index([str(unit) for unit in flags.index], name=unit_column, dtype="str")
    return flags.sort_index(kind="stable").reset_index()
