"""The engine reproduces COINr 1.1.14 on the ASEM data set, every cell, to 1e-9.

The command-line path is tested in tests/integration/test_score_dataset_command.py;
here the same comparison runs on the engine alone, with no Django.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assessment.scoring import (
    ScoringOptions,
    coinr_results_table,
    read_idata,
    read_imeta,
    score,
    tree_from_imeta,
)

ASEM = Path(__file__).resolve().parents[2] / "data" / "asem"

REFERENCES = [
    pytest.param("minmax:0,100", "ref2_raw_minmax_amean", id="ref2-minmax"),
    pytest.param("zscore", "ref3_raw_zscore_amean", id="ref3-zscore"),
]


def assert_same_table(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(actual.columns) == list(expected.columns)
    assert actual["uCode"].tolist() == expected["uCode"].tolist()
    numeric = [column for column in expected.columns if column != "uCode"]
    got = actual[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
    want = expected[numeric].to_numpy(dtype=np.float64, na_value=np.nan)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, equal_nan=True)


def read_reference(name: str) -> pd.DataFrame:
    return pd.read_csv(ASEM / f"{name}.csv", dtype={"uCode": "str"})


@pytest.fixture(scope="module")
def asem():
    tree = tree_from_imeta(read_imeta(ASEM / "ASEM_iMeta.csv"))
    raw, _ = read_idata(ASEM / "ASEM_iData.csv", tree)
    return tree, raw


@pytest.mark.parametrize(("normalisation", "reference"), REFERENCES)
def test_engine_reproduces_coinr_aggregated_table(asem, normalisation, reference):
    tree, raw = asem
    result = score(tree, raw, ScoringOptions(normalisation=normalisation))

    assert_same_table(coinr_results_table(result), read_reference(f"{reference}_Aggregated"))


@pytest.mark.parametrize(("normalisation", "reference"), REFERENCES)
def test_engine_reproduces_coinr_normalised_table(asem, normalisation, reference):
    tree, raw = asem
    result = score(tree, raw, ScoringOptions(normalisation=normalisation))
    expected = read_reference(f"{reference}_Normalised")

    table = coinr_results_table(result)

    assert_same_table(table.loc[:, list(expected.columns)], expected)
    assert list(table.columns[: len(expected.columns)]) == list(expected.columns)


def test_asem_tree_has_coinr_structure(asem):
    tree, raw = asem
    assert len(tree.indicator_codes) == 49
    assert tree.root == "Index"
    assert tree.aggregate_levels == (2, 3, 4)
    assert raw.shape == (51, 49)
    assert int(raw.isna().sum().sum()) == 63
