"""Trends across framework versions (issue 20, point 3): the cross-walk and the re-expressed trend.

TEST 1.1 follows TEST 1.0: D1.1 and D2.1 are the same measurement (their
answers carry), D1.2 is new (it carries nothing). A city published 2024 under
1.0 and 2025 under 1.1; on the 1.1 city dashboard 2024 is re-expressed in 1.1
from the carried answers (open marker), the break between 2024 and 2025 is a
dashed line labelled with both versions, and the table keeps the result as
published beside the re-expressed one with the share of weight that carried.
"""

import copy
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from assessment.framework.document import FrameworkDocumentError
from assessment.models import Framework
from assessment.selectors.crosswalk import re_expressed_results
from assessment.selectors.framework import framework_document
from assessment.services import assessments as workflow
from assessment.services.framework import framework_import, framework_publish
from cities.models import Region
from tests.assessment_builders import answer_everything, assessment_with_team, published_test_framework
from tests.factories import CityFactory, RegionFactory, RegionMembershipFactory, UserFactory
from tests.framework_documents import node

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

CHANGES = {
    "D1.1": ("same", ["D1.1"]),
    "D1.2": ("new", []),
    "D2.1": ("reworded", ["D2.1"]),
}


def successor_document(earlier: Framework) -> dict:
    document = copy.deepcopy(framework_document(earlier))
    document.update(version="1.1", status="draft", previous={"code": earlier.code, "version": earlier.version})
    for code, (kind, continues) in CHANGES.items():
        indicator = node(document, code)["indicator"]
        indicator["continues"] = continues
        indicator["change"] = {"kind": kind, "zh": f"{code}的变化说明", "en": f"Why {code} changed"}
    document["change_log"] = [{"item": "", "kind": "changed", "zh": "示例", "en": "Example"}]
    return document


def publish(city, framework, period, *, level, share):
    assessment = assessment_with_team(city=city, period=period, framework=framework)
    answer_everything(assessment, level=level, share=share)
    workflow.assessment_submit(assessment=assessment, user=assessment.consultants.first())
    workflow.assessment_approve(assessment=assessment, user=assessment.reviewer)
    return workflow.assessment_publish(assessment=assessment, user=assessment.reviewer)


@pytest.fixture
def versions(client_factory):
    earlier = published_test_framework()
    later = framework_publish(framework=framework_import(document=successor_document(earlier)))
    city = CityFactory()
    RegionMembershipFactory(region=RegionFactory(code="XWALK"), city=city)
    # Level 4 and 80 % of every range: every carried answer normalises to 80 on either version.
    publish(city, earlier, 2024, level=4, share=0.8)
    publish(city, later, 2025, level=2, share=0.4)
    user = UserFactory(roles=[Role.CITY_MANAGER])
    return {"earlier": earlier, "later": later, "city": city, "reader": client_factory(user), "user": user}


def test_the_crosswalk_round_trips_with_the_change_log(versions):
    document = framework_document(versions["later"])
    assert node(document, "D1.2")["indicator"]["change"] == {
        "kind": "new",
        "zh": "D1.2的变化说明",
        "en": "Why D1.2 changed",
    }
    assert document["change_log"] == [{"item": "", "kind": "changed", "zh": "示例", "en": "Example"}]
    assert "change_log" not in framework_document(versions["earlier"])


def test_an_earlier_result_is_re_expressed_from_the_answers_that_carry(versions):
    found = re_expressed_results(
        city=versions["city"], framework=versions["later"], kind="consultant", user=versions["user"]
    )
    assert set(found) == {2024}
    value = found[2024]
    assert value.from_version == "TEST 1.0" and (value.carried, value.indicators) == (2, 3)
    # D1.1 and D2.1 carry (each 80 points); D1.2 is new and left out, so the index is 80 exactly.
    assert value.scores["ROOT"] == pytest.approx(80.0)
    # Effective weights: D1 2/3 split 1:3 between D1.1 and D1.2, D2 1/3 all on D2.1: carried 1/6 + 1/3 = 1/2.
    assert value.coverage == pytest.approx(0.5)


def test_the_trend_runs_across_the_break_with_the_break_marked(versions):
    city = versions["city"]
    html = (
        versions["reader"]
        .get(f"/dashboards/cities/{city.code}/?region=XWALK&framework=TEST&version=1.1&period=2025")
        .content.decode()
    )
    figure = json.loads(re.search(r'id="figure-trend"[^>]*>(.*?)</script>', html, re.S).group(1))
    line = figure["data"][0]
    assert line["x"] == ["2024", "2025"] and line["marker"]["symbol"] == ["circle-open", "circle"]
    assert line["y"][0] == pytest.approx(80.0)
    assert figure["layout"]["shapes"][0]["x0"] == pytest.approx(0.5)
    assert figure["layout"]["annotations"][0]["text"] == "TEST 1.0 → TEST 1.1"
    table = re.search(r'data-testid="trend-table">(.*?)</table>', html, re.S).group(1)
    assert "TEST 1.0 re-expressed in TEST 1.1 (50 % of the weight carried)" in table
    assert table.count("<td>2024</td>") == 2  # as published, and re-expressed
    assert "compare across the break with care" in html


@translation.override("en")
def test_a_carrying_change_must_continue_exactly_one_indicator(versions):
    document = successor_document(versions["earlier"])
    document["version"] = "1.2"
    node(document, "D2.1")["indicator"]["continues"] = ["D2.1", "D1.1"]
    node(document, "D1.2")["indicator"]["change"]["kind"] = "split"
    with pytest.raises(FrameworkDocumentError) as refused:
        framework_import(document=document)
    message = str(refused.value)
    assert "D2.1" in message and "continues exactly one indicator" in message
    assert "D1.2" in message and "names the indicators it comes from" in message


def test_the_region_movers_reach_across_the_break_from_the_re_expressed_period(versions):
    city = versions["city"]
    html = versions["reader"].get("/dashboards/regions/XWALK/?framework=TEST&version=1.1&period=2025").content.decode()
    assert "Biggest movers since 2024 (re-expressed from TEST 1.0)" in html
    assert "a change here mixes progress with the change of framework" in html
    assert "no change across the break is called beyond the uncertainty" in html
    assert "A change is beyond the uncertainty only when" not in html
    table = re.search(r'data-testid="movers-table">(.*?)</table>', html, re.S).group(1)
    row = next(r for r in table.split("</tr>") if city.code in r)
    # 80 re-expressed (every carried answer at 80), 40 now (level 2 and 40 % of each range): a fall of 40.
    assert "<td>80.0</td>" in row and "<td>40.0</td>" in row and "<td>-40.0</td>" in row


def test_the_framework_page_lists_the_changes_since_the_previous_version(versions):
    page = versions["reader"].get(reverse("assessment:framework_detail", args=["TEST", "1.1"]))
    html = page.content.decode()
    assert 'data-testid="framework-changes"' in html and 'data-testid="change-log"' in html
    crosswalk = html.split('data-testid="crosswalk"')[1].split("</table>")[0]
    assert crosswalk.count('id="change-') == versions["later"].nodes.filter(kind="indicator").count()
    row = crosswalk.split('id="change-D1.2"')[1].split("</tr>")[0]
    assert "D1.2的变化说明" in row or "Why D1.2 changed" in row
    earlier = versions["reader"].get(reverse("assessment:framework_detail", args=["TEST", "1.0"])).content.decode()
    assert 'data-testid="framework-changes"' not in earlier


def test_a_period_opens_in_the_version_it_was_published_under(versions):
    # 2024 was published under TEST 1.0 only, 2025 under 1.1: neither page opens empty.
    assert Framework.objects.latest_with_results("TEST", period=2024) == versions["earlier"]
    assert Framework.objects.latest_with_results("TEST", period=2025) == versions["later"]
    assert Framework.objects.latest_with_results("TEST") == versions["later"]
    assert Framework.objects.latest_with_results("TEST", period=1999) == versions["later"]  # none: the latest
    html = versions["reader"].get("/dashboards/regions/XWALK/?framework=TEST&period=2024").content.decode()
    assert '<option value="1.0" selected>' in html


def test_a_city_page_without_a_result_in_the_version_asked_links_to_the_other_versions_periods(versions):
    city, reader = versions["city"], versions["reader"]
    reader.cookies["django_language"] = "en"
    # Another member has 2024 under TEST 1.1, so the region offers 2024 in 1.1; the city has 2024 in 1.0 only,
    # and asked under 1.1 its page links to that period with its version.
    neighbour = CityFactory()
    RegionMembershipFactory(region=Region.objects.get(code="XWALK"), city=neighbour)
    publish(neighbour, versions["later"], 2024, level=3, share=0.5)
    html = reader.get(f"/dashboards/cities/{city.code}/?region=XWALK&framework=TEST&version=1.1&period=2024")
    page = html.content.decode().replace("&amp;", "&")
    other = page.split('data-testid="other-periods"')[1].split("</p>")[0]
    assert "has no published result for 2024" in other
    assert "period=2024" in other and "version=1.0" in other and "2024 (TEST 1.0)" in other
    assert "period=2025" in other and "for None" not in page
