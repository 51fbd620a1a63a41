"""Peer groups (issue 20, point 4): a city among cities like it, shown only from five published members.

Over the published G60 demo (9 cities, 2025): Wuhu's prefecture-level group
has 7 published members, so its rank, rating, median and best are shown and
drawn; its Anhui group and its population band have 3 each, so they get a note
instead of a position. Groups are data: a bad file is refused naming line and
column and writes nothing, and a group over an imported attribute works.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.models import AssessmentResult
from cities.models import CityAttribute, PeerGroup
from cities.peer_groups import PEER_GROUP_MINIMUM, peer_position

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

WUHU = "340200"


def panel_rows(html: str) -> dict[str, list[str]]:
    table = re.search(r'data-testid="peer_groups-table">(.*?)</table>', html, re.S).group(1)
    body = table.split("<tbody>")[1]
    rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in body.split("</tr>") if "<td" in row]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows}


def index_of(codes: list[str]) -> dict[str, float]:
    results = AssessmentResult.objects.filter(assessment__period=2025, assessment__city_id__in=codes)
    return {result.assessment.city_id: result.index_score for result in results.select_related("assessment")}


def test_a_group_with_five_published_members_is_shown_and_one_below_gets_a_note(manager, g60_demo):
    html = manager.get(f"/dashboards/cities/{WUHU}/?region=G60&period=2025").content.decode()
    assert 'data-testid="peer_groups-chart"' in html
    rows = panel_rows(html)
    prefecture = rows["Prefecture-level cities"]
    # The seven G60 prefecture-level cities with published 2025 results, out of the 48 in the group.
    g60_prefecture = ["330400", "330700", "320500", "330500", "341800", "340200", "340100"]
    expected = peer_position(index_of(g60_prefecture), WUHU)
    assert prefecture[0] == "7 / 48"
    assert prefecture[1] == f"{expected.rank} / 7" and prefecture[2] == expected.rating
    assert float(prefecture[4]) == pytest.approx(expected.median, abs=0.05)
    assert rows["Cities of Anhui"][0] == "3 / 16"
    assert rows["Resident population under 5 million"][0] == "3 / 27"
    for name in ("Cities of Anhui", "Resident population under 5 million"):
        assert "3 of its" in rows[name][1] and f"{PEER_GROUP_MINIMUM} are needed" in rows[name][1]
    # The chart draws the shown group only.
    figure = re.search(r'id="figure-peer_groups"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert "Prefecture-level cities" in figure and "Cities of Anhui" not in figure


def test_peer_groups_are_data_a_bad_file_names_line_and_column_and_writes_nothing(tmp_path, reference_data):
    before = list(PeerGroup.objects.values_list("code", "attribute", "minimum", "maximum"))
    bad = tmp_path / "groups.csv"
    bad.write_text(
        "code,name_zh,name_en,attribute,values,minimum,maximum\n"
        "rich,人均GDP 15万元以上,GDP per head 150k or more,gdp_per_head,,150000,\n"
        "odd,怪组,Odd,level,capital,,\n"
        "band,倒置,Upside down,population,,9000000,100\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_peer_groups", str(bad), stdout=io.StringIO())
    message = str(refused.value)
    assert "line 3, column “values”" in message and "capital" in message
    assert "line 4, column “maximum”" in message
    assert list(PeerGroup.objects.values_list("code", "attribute", "minimum", "maximum")) == before


def test_a_group_over_an_imported_attribute(tmp_path, reference_data):
    attributes = tmp_path / "gdp.csv"
    attributes.write_text(
        "city_code,key,value,year,source\n"
        "310000,gdp_per_head,190321,2023,示例来源\n"
        "330100,gdp_per_head,153000,2023,示例来源\n"
        "340200,gdp_per_head,120000,2023,示例来源\n",
        encoding="utf-8",
    )
    call_command("import_city_attributes", str(attributes), stdout=io.StringIO())
    assert CityAttribute.objects.count() == 3
    broken = tmp_path / "broken.csv"
    broken.write_text("city_code,key,value,year,source\n999999,gdp_per_head,1,2023,x\n310000,population,1,,x\n")
    with pytest.raises(CommandError) as refused:
        call_command("import_city_attributes", str(broken), stdout=io.StringIO())
    assert "line 2, column “city_code”" in str(refused.value) and "line 3, column “key”" in str(refused.value)
    assert CityAttribute.objects.count() == 3
    groups = tmp_path / "groups.csv"
    groups.write_text(
        "code,name_zh,name_en,attribute,values,minimum,maximum\n"
        "gdp-150k-plus,人均GDP 15万元以上,GDP per head 150k or more,gdp_per_head,,150000,\n",
        encoding="utf-8",
    )
    call_command("import_peer_groups", str(groups), stdout=io.StringIO())
    from assessment.selectors.peer_groups import peer_groups_of
    from cities.models import City

    of_shanghai = dict((group.code, members) for group, members in peer_groups_of(City.objects.get(code="310000")))
    assert of_shanghai["gdp-150k-plus"] == ["310000", "330100"]
    assert "gdp-150k-plus" not in {group.code for group, _ in peer_groups_of(City.objects.get(code=WUHU))}
