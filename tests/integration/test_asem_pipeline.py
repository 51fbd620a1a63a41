"""COINr's full pipeline on ASEM through `score_dataset`: denominate, impute by group mean, treat, normalise, aggregate.

The references in tests/data/asem_pipeline/ were computed by COINr 1.1.14 itself
(make_reference.R; README there). The heavy-tail data set
reaches Treat()'s log_CT branch, which ASEM never does.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.scoring import ScoringOptions, read_idata, read_imeta, score, tree_from_imeta
from assessment.scoring.treat import Treatment

DATA = Path(__file__).resolve().parents[1] / "data"
META = DATA / "asem" / "ASEM_iMeta.csv"
PIPELINE = DATA / "asem_pipeline"
FLAGS = ("--denominate", "--impute", "group_mean:EurAsia_group", "--treat", "coinr")


def run(tmp_path: Path, data: Path, *arguments: str) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    call_command("score_dataset", "--meta", str(META), "--data", str(data), "--out", str(out), *arguments, verbosity=0)
    return pd.read_csv(out, dtype={"uCode": "str"}).set_index("uCode")


@pytest.mark.parametrize(
    ("data", "reference"),
    [
        (DATA / "asem" / "ASEM_iData.csv", "asem_pipeline_Aggregated.csv"),
        (PIPELINE / "heavy_tail_iData.csv", "heavy_tail_Aggregated.csv"),
    ],
)
def test_the_pipeline_reproduces_coinr_in_every_indicator_and_aggregate(tmp_path, data, reference):
    ours = run(tmp_path, data, *FLAGS)
    theirs = pd.read_csv(PIPELINE / reference, dtype={"uCode": "str"}).set_index("uCode")
    columns = [column for column in theirs.columns if column in ours.columns and column not in ("uName",)]
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(theirs[c])]
    assert len(numeric) >= 49 + 8 + 2 + 1  # every indicator and every aggregate
    difference = np.abs(ours.loc[theirs.index, numeric].to_numpy(float) - theirs[numeric].to_numpy(float))
    assert np.nanmax(difference) < 1e-9
    assert (
        np.isnan(ours.loc[theirs.index, numeric].to_numpy(float)) == np.isnan(theirs[numeric].to_numpy(float))
    ).all()


def test_bad_pipeline_flags_are_refused_naming_the_flag(tmp_path):
    asem = DATA / "asem" / "ASEM_iData.csv"
    with pytest.raises(CommandError, match="--impute"):
        run(tmp_path, asem, "--impute", "group_mean:NoSuchColumn")
    with pytest.raises(CommandError, match="--treat"):
        run(tmp_path, asem, "--treat", "winsorise:x")
    with pytest.raises(CommandError, match="--skew"):
        run(tmp_path, asem, "--skew", "3")


def test_regression_imputation_fills_gaps_from_the_fully_measured_indicators(tmp_path):
    asem = DATA / "asem" / "ASEM_iData.csv"
    plain = run(tmp_path, asem)
    regressed = run(tmp_path, asem, "--impute", "regression")
    indicators = [column for column in plain.columns if not column.endswith("_rank")]
    assert regressed[indicators].isna().sum().sum() < plain[indicators].isna().sum().sum()


@pytest.mark.parametrize(
    ("data", "prefix"),
    [(DATA / "asem" / "ASEM_iData.csv", "asem_pipeline"), (PIPELINE / "heavy_tail_iData.csv", "heavy_tail")],
)
def test_treated_values_and_treatment_details_match_coinr(data, prefix):
    imeta = read_imeta(META)
    tree = tree_from_imeta(imeta)
    raw, others = read_idata(data, tree)
    options = ScoringOptions(
        normalisation="minmax:0,100",
        imputation=("group_mean",),
        denominate=True,
        treatment=Treatment.parse("coinr", None, None),
    )
    result = score(tree, raw, options, groups=others["EurAsia_group"], denominators=others)
    treated = pd.DataFrame(result.prepared.raw, index=raw.index, columns=list(tree.indicator_codes))
    theirs = pd.read_csv(PIPELINE / f"{prefix}_Treated.csv", dtype={"uCode": "str"}).set_index("uCode")
    codes = list(tree.indicator_codes)
    assert np.nanmax(np.abs(treated.loc[theirs.index, codes].to_numpy(float) - theirs[codes].to_numpy(float))) < 1e-9
    details = result.treatment_details
    assert details is not None
    table = pd.read_csv(PIPELINE / f"{prefix}_treatment.csv").set_index("iCode")
    assert np.allclose(details.loc[codes, "skew_before"].astype(float), table.loc[codes, "check_SkewKurt0.Skew"])
    assert np.allclose(details.loc[codes, "kurtosis_before"].astype(float), table.loc[codes, "check_SkewKurt0.Kurt"])
    assert (details.loc[codes, "passed_before"].astype(bool) == table.loc[codes, "check_SkewKurt0.Pass"]).all()


def test_the_flags_file_says_which_values_were_not_measured(tmp_path):
    run(tmp_path, DATA / "asem" / "ASEM_iData.csv", *FLAGS)
    flags = pd.read_csv(tmp_path / "out_flags.csv", dtype="str", keep_default_na=False).set_index("uCode")
    said = pd.Series(flags.to_numpy().ravel())
    assert said.str.contains("group_mean").any() and said.str.contains("winsorised").any()
    assert said.str.contains("missing denominator; group_mean").any()
    # Without the pipeline flags every value is as measured, and no flags file is written.
    plain = tmp_path / "plain"
    plain.mkdir()
    run(plain, DATA / "asem" / "ASEM_iData.csv")
    assert not (plain / "out_flags.csv").exists()
