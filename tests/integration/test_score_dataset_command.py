"""`manage.py score_dataset` end to end: COINr's ASEM results, cell by cell, and clean errors."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ASEM = Path(__file__).resolve().parents[1] / "data" / "asem"
META = ASEM / "ASEM_iMeta.csv"
DATA = ASEM / "ASEM_iData.csv"


def run(tmp_path: Path, *arguments: str) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    call_command(
        "score_dataset",
        "--meta",
        str(META),
        "--data",
        str(DATA),
        "--out",
        str(out),
        *arguments,
        verbosity=0,
    )
    return pd.read_csv(out, dtype={"uCode": "str"})


def assert_same_table(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(actual.columns) == list(expected.columns)
    assert actual["uCode"].tolist() == expected["uCode"].tolist()
    numeric = [column for column in expected.columns if column != "uCode"]
    got = actual[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
    want = expected[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize(
    ("normalise", "reference"),
    [("minmax:0,100", "ref2_raw_minmax_amean"), ("zscore", "ref3_raw_zscore_amean")],
)
def test_score_dataset_reproduces_coinr_reference(tmp_path, normalise, reference):
    table = run(tmp_path, "--normalise", normalise, "--aggregate", "arithmetic,arithmetic,arithmetic")

    aggregated = pd.read_csv(ASEM / f"{reference}_Aggregated.csv", dtype={"uCode": "str"})
    normalised = pd.read_csv(ASEM / f"{reference}_Normalised.csv", dtype={"uCode": "str"})
    assert_same_table(table, aggregated)
    assert_same_table(table.iloc[:, : len(normalised.columns)], normalised)


def test_ranks_are_written_as_whole_numbers(tmp_path):
    table = run(tmp_path)
    assert table["Index_rank"].dtype == np.int64
    assert sorted(table["Index_rank"]) == list(range(1, 52))


def test_weights_file_replaces_the_imeta_weights(tmp_path):
    weights = tmp_path / "w.csv"
    weights.write_text("iCode,Weight\nConn,0\n", encoding="utf-8")
    table = run(tmp_path, "--weights", str(weights))
    np.testing.assert_allclose(table["Index"], table["Sust"])


def test_monte_carlo_adds_rank_intervals_of_the_index(tmp_path):
    table = run(tmp_path, "--mc", "100", "--perturb", "0.25", "--seed", "7")
    assert list(table.columns[-3:]) == ["Index_rank_p05", "Index_rank_median", "Index_rank_p95"]
    assert (table["Index_rank_p05"] <= table["Index_rank_median"]).all()
    assert (table["Index_rank_median"] <= table["Index_rank_p95"]).all()
    again = run(tmp_path, "--mc", "100", "--perturb", "0.25", "--seed", "7")
    pd.testing.assert_frame_equal(table, again)


def test_geometric_mean_per_level(tmp_path):
    table = run(tmp_path, "--normalise", "minmax:1,100", "--aggregate", "geometric,arithmetic,arithmetic")
    assert table["Index"].between(1, 100).all()


def copy_with(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    target.write_text(source.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return target


def command_error(tmp_path: Path, meta: Path = META, data: Path = DATA, *arguments: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command(
            "score_dataset",
            "--meta",
            str(meta),
            "--data",
            str(data),
            "--out",
            str(tmp_path / "o.csv"),
            *arguments,
            verbosity=0,
        )
    return str(error.value)


def test_unknown_parent_stops_with_row_and_column(tmp_path):
    meta = copy_with(tmp_path, META, '20.113377295,,"Physical"', '20.113377295,,"Physicall"')
    message = command_error(tmp_path, meta=meta)
    assert "row 4" in message and "column 'Parent'" in message and "Physicall" in message


def test_missing_column_stops_with_its_name(tmp_path):
    meta = copy_with(tmp_path, META, '"Weight"', '"Wait"')
    message = command_error(tmp_path, meta=meta)
    assert "column 'Weight'" in message and "missing column" in message


def test_non_numeric_value_stops_with_row_and_column(tmp_path):
    data = copy_with(tmp_path, DATA, "4.097985", "four")
    message = command_error(tmp_path, data=data)
    assert "row 2" in message and "column 'LPI'" in message and "'four'" in message


def test_duplicate_units_stop_with_row_and_column(tmp_path):
    data = copy_with(tmp_path, DATA, '"Belgium","BEL"', '"Belgium","AUT"')
    message = command_error(tmp_path, data=data)
    assert "row 3" in message and "column 'uCode'" in message and "duplicate unit 'AUT'" in message


def test_bad_options_stop_without_a_traceback(tmp_path):
    assert "unknown method" in command_error(tmp_path, META, DATA, "--normalise", "softmax")
    assert "one per aggregate level" in command_error(tmp_path, META, DATA, "--aggregate", "arithmetic,geometric")
    assert "goalposts" in command_error(tmp_path, META, DATA, "--normalise", "goalposts")
    assert "perturbation" in command_error(tmp_path, META, DATA, "--mc", "5", "--perturb", "2")
    assert "cannot read" in command_error(tmp_path, tmp_path / "absent.csv", DATA)
