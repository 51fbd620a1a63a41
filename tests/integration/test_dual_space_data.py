"""Imported flows between cities (all or nothing, every bad row named) and the dual-space selector on shipped data."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cities.flow_import import FLOW_COLUMNS, import_flows_file
from cities.models import AgreementParty, CityPairFlow, RegionMembership
from cities.selectors import region_dual_space
from cities.services import ReferenceImportError

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 12, 31)
HEADER = ",".join(FLOW_COLUMNS) + ",is_demo"


@pytest.fixture
def demo_agreements(reference_data):
    call_command("load_agreements", verbosity=0)


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "flows.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def members(region: str) -> list[str]:
    return list(RegionMembership.objects.filter(region_id=region).values_list("city_id", flat=True))


def test_a_good_file_is_imported_and_importing_it_again_changes_nothing(reference_data, tmp_path):
    path = write(
        tmp_path,
        "310000,320500,2024,commuting,120000,people per day,Survey,true",
        "320500,310000,2024,commuting,80000,people per day,Survey,true",
    )
    summary = import_flows_file(path)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    flow = CityPairFlow.objects.get(origin_id="310000", destination_id="320500")
    assert (flow.year, flow.kind, flow.value, flow.unit, flow.is_demo) == (
        2024,
        "commuting",
        120000,
        "people per day",
        True,
    )
    again = import_flows_file(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_every_bad_row_is_named_and_nothing_is_written(reference_data, tmp_path):
    path = write(
        tmp_path,
        "310000,320500,2024,commuting,120000,people per day,Survey,false",  # good, but not written either
        "310000,999999,2024,commuting,5,people per day,,false",
        "310000,310000,2024,commuting,5,people per day,,false",
        "310000,330100,twenty,commuting,5,people per day,,false",
        "310000,330100,2024,tourism,5,people per day,,false",
        "310000,330100,2024,commuting,-3,people per day,,false",
        "310000,330400,2024,commuting,5,,,maybe",
        "310000,320500,2024,commuting,1,people per day,,false",  # the same flow as line 2
    )
    with pytest.raises(ReferenceImportError) as caught:
        import_flows_file(path)
    found = {(problem.row, problem.column) for problem in caught.value.problems}
    assert found == {
        (3, "destination"),
        (4, "destination"),
        (5, "year"),
        (6, "kind"),
        (7, "value"),
        (8, "unit"),
        (8, "is_demo"),
        (9, "origin"),
    }
    assert all(f"line {problem.row}" in str(problem) for problem in caught.value.problems)
    assert not CityPairFlow.objects.exists()


def test_the_years_a_flow_may_have_are_the_models(reference_data, tmp_path, monkeypatch):
    # One definition (CityPairFlow.FIRST_YEAR / LAST_YEAR): the import reads it, it keeps no copy.
    monkeypatch.setattr(CityPairFlow, "LAST_YEAR", 2030)
    path = write(tmp_path, "310000,320500,2031,commuting,1,people per day,,false")
    with pytest.raises(ReferenceImportError) as caught:
        import_flows_file(path)
    assert [(problem.row, problem.column) for problem in caught.value.problems] == [(2, "year")]
    assert "outside 1949 to 2030" in str(caught.value.problems[0])


def test_the_command_reports_the_problems_and_writes_nothing(reference_data, tmp_path):
    path = write(tmp_path, "310000,320500,2024,commuting,x,people per day,,false")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_flows", str(path))
    assert not CityPairFlow.objects.exists()
    good = write(tmp_path, "310000,320500,2024,commuting,10,people per day,,false")
    out = io.StringIO()
    call_command("import_flows", str(good), stdout=out)
    assert "1 created" in out.getvalue()
    assert CityPairFlow.objects.count() == 1


def test_the_g60_dual_space_uses_gravity_and_never_counts_an_observer(demo_agreements):
    space = region_dual_space(members("G60"), ON)
    assert space.source == "gravity"
    assert len(space.pairs) == 9 * 8 // 2
    assert len(space.domains) == 16
    # Xuancheng (341800) only observes the Hefei-Wuhu science agreement: Hefei-Xuancheng shares no science domain.
    assert AgreementParty.objects.filter(city_id="341800", role="observer").exists()
    hefei_xuancheng = next(pair for pair in space.pairs if pair.pair == ("340100", "341800"))
    assert "science_technology" not in hefei_xuancheng.domains
    hefei_wuhu = next(pair for pair in space.pairs if pair.pair == ("340100", "340200"))
    assert "science_technology" in hefei_wuhu.domains
    # Shanghai and Suzhou: the largest flow of the corridor.
    assert max(space.pairs, key=lambda pair: pair.flow).pair == ("310000", "320500")
    assert space.by_city["310000"].strongest_partner == "320500"
    assert 0 < len(space.priority(5)) <= 5


def every_pair_lines(codes: list[str], year: int, *, is_demo: bool) -> list[str]:
    """One row per pair of the cities (one direction), the value growing with the pair's place."""
    codes = sorted(codes)
    pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]]
    flag = "true" if is_demo else "false"
    return [f"{a},{b},{year},commuting,{n},people per day,Survey,{flag}" for n, (a, b) in enumerate(pairs)]


def test_imported_flows_replace_gravity_when_they_list_every_pair_and_carry_the_demo_flag(demo_agreements, tmp_path):
    g60 = members("G60")
    lines = every_pair_lines(g60, 2024, is_demo=True)
    lines += [
        "330500,330100,2024,commuting,300,people per day,Survey,true",  # the other direction of a listed pair
        "310000,320500,2026,commuting,999,people per day,Survey,true",  # after the date: not used
    ]
    import_flows_file(write(tmp_path, *lines))
    space = region_dual_space(g60, ON)
    assert space.source == "imported" and space.unit == "people per day" and space.is_demo
    assert space.imported_listed == 36 and space.imported_year == 2024
    flows = {pair.pair: pair.flow for pair in space.pairs}
    listed = {
        tuple(sorted(line.split(",")[:2])): float(line.split(",")[4])
        for line in every_pair_lines(g60, 2024, is_demo=True)
    }
    assert flows["330100", "330500"] == listed["330100", "330500"] + 300
    assert flows["310000", "320500"] == listed["310000", "320500"]
    # JJJ has no imported flow: still gravity, nothing said about imports.
    jjj = region_dual_space(members("JJJ"), ON)
    assert jjj.source == "gravity" and jjj.imported_listed is None and not jjj.is_demo


def test_one_imported_row_no_longer_empties_every_other_pair(demo_agreements, tmp_path):
    # Review finding 4: one row used to make the 35 other G60 pairs 0.
    import_flows_file(write(tmp_path, "310000,320500,2024,commuting,100,people per day,Survey,false"))
    space = region_dual_space(members("G60"), ON)
    assert space.source == "gravity" and space.imported_incomplete
    assert (space.imported_listed, space.imported_year) == (1, 2024)
    assert all(pair.flow > 0 for pair in space.pairs)
    assert max(space.pairs, key=lambda pair: pair.flow).pair == ("310000", "320500")
