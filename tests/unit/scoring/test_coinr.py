from pathlib import Path

import pandas as pd
import pytest

from assessment.scoring import (
    ScoringInputError,
    read_idata,
    read_imeta,
    read_weights,
    tree_from_imeta,
)

ASEM = Path(__file__).resolve().parents[2] / "data" / "asem"

META = """\
Level,iCode,iName,Direction,Weight,Parent,Type,goalpost_lower,\
goalpost_upper,IndicatorType,Critical
1,W1.1,Broadband,1,1,W1,Indicator,0,100,quantitative,
1,W1.2,Cloud,1,2,W1,Indicator,0,5,level,true
2,W1,Foundations,1,1,DSMI,Aggregate,,,,
3,DSMI,Index,1,1,,Aggregate,,,,
,Region,Region,,,,Group,,,,
"""

DATA = """uCode,uName,Region,W1.1,W1.2
310000,Shanghai,YRD,80.5,4
320500,Suzhou,YRD,,3
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def located(error: pytest.ExceptionInfo[ScoringInputError]) -> set[tuple[object, object]]:
    return {(problem.row, problem.column) for problem in error.value.problems}


def test_imeta_extensions_give_goalposts_types_and_critical_flags(tmp_path):
    tree = tree_from_imeta(read_imeta(write(tmp_path, "m.csv", META)))

    cloud = tree.indicator_by_code["W1.2"]
    assert (cloud.type, cloud.critical, cloud.goalposts, cloud.weight) == (
        "level",
        True,
        (0.0, 5.0),
        2.0,
    )
    assert tree.indicator_by_code["W1.1"].critical is False
    assert tree.root == "DSMI"


def test_idata_keeps_city_codes_as_text_and_missing_as_nan(tmp_path):
    tree = tree_from_imeta(read_imeta(write(tmp_path, "m.csv", META)))
    raw, others = read_idata(write(tmp_path, "d.csv", DATA), tree)

    assert raw.index.tolist() == ["310000", "320500"]
    assert list(raw.columns) == ["W1.1", "W1.2"]
    assert pd.isna(raw.loc["320500", "W1.1"])
    assert others.loc["310000", "Region"] == "YRD"


def test_missing_imeta_column_is_named(tmp_path):
    path = write(tmp_path, "m.csv", META.replace("Parent", "Mother"))
    with pytest.raises(ScoringInputError) as error:
        read_imeta(path)
    assert located(error) == {(None, "Parent")}


def test_unknown_parent_names_the_line_and_column(tmp_path):
    path = write(tmp_path, "m.csv", META.replace("1,W1.2,Cloud,1,2,W1", "1,W1.2,Cloud,1,2,W7"))
    with pytest.raises(ScoringInputError) as error:
        read_imeta(path)
    assert located(error) == {(3, "Parent")}
    assert "unknown parent 'W7'" in str(error.value)


def test_bad_imeta_cells_are_all_reported(tmp_path):
    text = META.replace("1,W1.1,Broadband,1,1,", "1,W1.1,Broadband,0,heavy,").replace("level,true", "ordinal,maybe")
    with pytest.raises(ScoringInputError) as error:
        read_imeta(write(tmp_path, "m.csv", text))
    assert located(error) == {
        (2, "Direction"),
        (2, "Weight"),
        (3, "IndicatorType"),
        (3, "Critical"),
    }


def test_non_numeric_data_names_line_column_and_unit(tmp_path):
    tree = tree_from_imeta(read_imeta(write(tmp_path, "m.csv", META)))
    path = write(tmp_path, "d.csv", DATA.replace(",,3", ",n/a?,3"))
    with pytest.raises(ScoringInputError) as error:
        read_idata(path, tree)
    assert located(error) == {(3, "W1.1")}
    assert "320500" in str(error.value) and "n/a?" in str(error.value)


def test_duplicate_units_and_missing_indicator_columns_are_rejected(tmp_path):
    tree = tree_from_imeta(read_imeta(write(tmp_path, "m.csv", META)))
    with pytest.raises(ScoringInputError) as error:
        read_idata(write(tmp_path, "d.csv", DATA.replace("320500", "310000")), tree)
    assert located(error) == {(3, "uCode")}
    with pytest.raises(ScoringInputError) as error:
        read_idata(write(tmp_path, "d.csv", DATA.replace("W1.2", "W1_2")), tree)
    assert located(error) == {(None, "W1.2")}


def test_weights_file_is_checked_row_by_row(tmp_path):
    tree = tree_from_imeta(read_imeta(write(tmp_path, "m.csv", META)))
    assert read_weights(write(tmp_path, "w.csv", "iCode,Weight\nW1.1,3\nW1,0.5\n"), tree) == {
        "W1.1": 3.0,
        "W1": 0.5,
    }
    with pytest.raises(ScoringInputError) as error:
        read_weights(write(tmp_path, "w.csv", "iCode,Weight\nW9,3\nW1,-1\nW1.1,x\n"), tree)
    assert located(error) == {(2, "iCode"), (3, "Weight"), (4, "Weight")}


def test_unreadable_file_is_an_input_error(tmp_path):
    with pytest.raises(ScoringInputError, match="cannot read"):
        read_imeta(tmp_path / "absent.csv")


def test_asem_imeta_reads_cleanly():
    tree = tree_from_imeta(read_imeta(ASEM / "ASEM_iMeta.csv"))
    assert tree.indicator_by_code["PubDebt"].direction == -1
    assert tree.indicator_by_code["LPI"].target == pytest.approx(4.11803135)
