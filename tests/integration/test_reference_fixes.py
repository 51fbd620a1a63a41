"""Issue 18 item 5: agreements carry dates, Songjiang's footnote, the YRD central area."""

import datetime as dt

import pytest
from django.core.management import call_command

from cities.models import Agreement
from cities.network import select_agreements
from cities.selectors import agreement_edges

pytestmark = pytest.mark.django_db

YRD_HEALTH_CODE = "yrd-health-code-recognition"


@pytest.fixture
def shipped_agreements(reference_data):
    call_command("load_agreements", verbosity=0)


def _counted_on(on: dt.date) -> set[str]:
    edges = agreement_edges(city_codes=["310000", "110000"])
    return {str(edge.agreement_id) for edge in select_agreements(edges, on=on)}


def test_the_health_code_recognitions_carry_their_dates(shipped_agreements):
    yrd = Agreement.objects.get(key=YRD_HEALTH_CODE)
    jjj = Agreement.objects.get(key="jjj-health-code-recognition")
    assert yrd.status == jjj.status == Agreement.Status.EXPIRED
    assert yrd.in_force_from.year == jjj.in_force_from.year == 2020
    assert yrd.expires_on == jjj.expires_on == dt.date(2022, 12, 7)
    assert yrd.evidence_note_en.startswith("month-level:") and yrd.evidence_note.startswith("精确到月")


def test_an_expired_agreement_counts_between_its_dates_only(shipped_agreements):
    assert YRD_HEALTH_CODE in _counted_on(dt.date(2021, 6, 30))
    assert "jjj-health-code-recognition" in _counted_on(dt.date(2021, 6, 30))
    assert YRD_HEALTH_CODE not in _counted_on(dt.date(2023, 6, 30))
    assert YRD_HEALTH_CODE not in _counted_on(dt.date(2019, 12, 31))


def test_loading_the_agreements_again_updates_their_dates_by_key(shipped_agreements):
    Agreement.objects.filter(key=YRD_HEALTH_CODE).update(in_force_from=None, expires_on=None)
    call_command("load_agreements", verbosity=0)
    assert Agreement.objects.get(key=YRD_HEALTH_CODE).expires_on == dt.date(2022, 12, 7)


def test_songjiang_note_is_loaded_from_the_members_file(reference_data):
    from django.utils import translation

    from cities.selectors import member_notes, region_by_code

    g60 = region_by_code(code="G60")
    with translation.override("zh-hans"):
        assert member_notes(g60) == {"310000": "上海以松江区参加G60科创走廊"}
    with translation.override("en"):
        assert member_notes(g60) == {"310000": "Shanghai takes part through Songjiang District"}
    assert member_notes(region_by_code(code="YRD")) == {}


def test_a_member_note_needs_both_languages(tmp_path):
    from cities.reference_import import read_members

    path = tmp_path / "members.csv"
    path.write_text("region_code,city_code,joined_on,note_zh,note_en\nG60,310000,,只有中文,\n", encoding="utf-8")
    rows, problems = read_members(path)
    assert rows == [] and [problem.column for problem in problems] == ["note_en"]


def test_the_members_file_without_note_columns_still_loads(tmp_path):
    from cities.reference_import import read_members

    path = tmp_path / "members.csv"
    path.write_text("region_code,city_code,joined_on\nG60,310000,2016-05-24\n", encoding="utf-8")
    rows, problems = read_members(path)
    assert problems == [] and (rows[0].note_zh, rows[0].note_en) == ("", "")


@pytest.mark.chinese
def test_the_region_and_city_pages_footnote_songjiang(client_factory, user_with_role, reference_data):
    from django.urls import reverse

    from accounts.roles import Role

    client = client_factory(user_with_role(Role.STAKEHOLDER))
    region_page = client.get(reverse("cities:region_detail", args=["G60"]))
    assert "上海以松江区参加G60科创走廊" in region_page.content.decode()
    city_page = client.get(reverse("cities:city_detail", args=["310000"]))
    assert "上海以松江区参加G60科创走廊" in city_page.content.decode()
    client.cookies["django_language"] = "en"
    assert (
        "Shanghai takes part through Songjiang District"
        in client.get(reverse("cities:city_detail", args=["310000"])).content.decode()
    )
    other = client.get(reverse("cities:city_detail", args=["330400"]))
    assert 'data-testid="member-note"' not in other.content.decode()


YRD_CENTRAL_AREA = {
    "310000",
    *("320100 320200 320400 320500 320600 321000 321100 320900 321200".split()),
    *("330100 330200 330300 330500 330400 330600 330700 330900 331000".split()),
    *("340100 340200 340500 340700 340800 341100 341700 341800".split()),
}


def test_the_yrd_central_area_holds_the_27_cities_of_the_outline(reference_data):
    from cities.models import Region, RegionMembership

    area = Region.objects.get(code="YRDC")
    assert area.kind == Region.Kind.CENTRAL_AREA
    assert set(RegionMembership.objects.filter(region=area).values_list("city_id", flat=True)) == YRD_CENTRAL_AREA
    assert len(YRD_CENTRAL_AREA) == 27
    assert "27个城市为中心区" in area.description_zh and "27 cities" in area.description_en


def test_subregions_are_the_regions_wholly_inside(reference_data):
    from cities.selectors import region_by_code, subregions

    assert [region.code for region in subregions(region_by_code(code="YRD"))] == ["G60", "YRDC"]
    assert [region.code for region in subregions(region_by_code(code="YRDC"))] == ["G60"]
    assert subregions(region_by_code(code="G60")) == []
    assert subregions(region_by_code(code="JJJ")) == []


def test_hengshui_x4_4_from_the_shipped_agreements_is_not_level_5(shipped_agreements):
    import json
    from pathlib import Path

    from assessment.derived_indicators import derived_proposal

    document = json.loads((Path(__file__).resolve().parents[2] / "fixtures/frameworks/dsmf-1.0.json").read_text())
    rule = next(node["indicator"]["derived_from"] for node in document["nodes"] if node["code"] == "X4.4")
    proposal = derived_proposal(
        indicator_type="level",
        rule=rule,
        city="131100",
        edges=agreement_edges(city_codes=["131100"]),
        on=dt.date(2025, 12, 31),
        other_members=12,
    )
    assert proposal.agreements == ("jjj-transport-card",) and len(proposal.partners) == 12
    assert proposal.value == 3
