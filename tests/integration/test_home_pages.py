"""The start page of each role shows what that role works on next, from the same selectors as the other pages."""

import re

import pytest
from django.utils import translation

from accounts.roles import Role
from assessment.demo.load import VERSION_BY_PERIOD
from assessment.models import Assessment, Report
from assessment.selectors.results import city_results, framework_for_results, region_results
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def home(client, language: str = "en") -> str:
    client.cookies["django_language"] = language
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_city_manager_sees_the_stage_the_rank_interval_and_the_trend(g60_demo, client_factory):
    manager = UserFactory(roles=[Role.CITY_MANAGER])
    city = City.objects.get(code="330400")  # Jiaxing: a G60 city in the middle of the ranking
    city.managers.add(manager)
    page = home(client_factory(manager))
    card = page.split('data-testid="city-standing" data-city="330400"')[1].split("</section>")[0]
    # The numbers are the dashboard's selectors', never scored again here.
    latest = [item for item in city_results(city=city, user=manager) if item.kind == "consultant"][-1]
    assert latest.period == 2025
    framework = framework_for_results(code="DSMF", version=VERSION_BY_PERIOD[2025])  # the demo's 2025 version
    stage_name = framework.stages.get(code=latest.stage).name_en
    stage = re.sub(r"\s+", " ", card.split('data-testid="standing-stage">')[1].split("</dd>")[0])
    assert latest.stage in stage and stage_name in stage
    row = next(
        row
        for row in region_results(
            region=Region.objects.get(code="G60"), period=2025, framework=framework, user=manager
        ).rows
        if row.city_code == "330400"
    )
    rank = card.split('data-testid="standing-rank">')[1].split("</dd>")[0]
    assert f"{row.rank} of 9 in G60" in rank
    low, high = round(row.rank_interval.p05), round(row.rank_interval.p95)
    assert (f"between {low} and {high}" if low != high else "the same when the weights vary") in rank
    trend = card.split('data-testid="standing-trend"')[1].split("</table>")[0]
    assert [int(period) for period in re.findall(r"<tr><td>(\d{4})</td>", trend)] == [2024, 2025]
    assert "?period=2025&amp;region=G60" in card  # the dashboard link opens on the city's own period
    assert 'data-testid="standing-rank-coverage"' not in card  # 9 of 9 published in 2025


def test_a_rank_among_too_few_published_cities_says_so_on_the_start_page(g60_demo, client_factory):
    """Shanghai's latest is 2026, when it alone of the G60's nine is published: '1 of 1' needs its warning."""
    manager = UserFactory(roles=[Role.CITY_MANAGER])
    City.objects.get(code="310000").managers.add(manager)
    card = home(client_factory(manager)).split('data-testid="city-standing" data-city="310000"')[1]
    card = card.split("</section>")[0]
    assert "1 of 1 in G60" in card
    warning = card.split('data-testid="standing-rank-coverage">')[1].split("</div>")[0]
    assert "Only 1 of 9 member cities have a published result for 2026: this rank is among those alone." in warning


@pytest.mark.chinese
def test_a_city_manager_without_a_published_result_is_told_so_in_chinese(reference_data, client_factory):
    manager = UserFactory(roles=[Role.CITY_MANAGER])
    City.objects.get(code="330100").managers.add(manager)
    page = home(client_factory(manager), "zh-hans")
    assert 'data-testid="standing-none"' in page and "杭州" in page


def test_a_consultant_sees_the_open_assessments_assigned_to_them_with_progress(g60_demo, client_factory):
    consultant = Assessment.objects.get(city_id="330100", period=2026).consultants.get()
    page = home(client_factory(consultant))
    table = page.split('data-testid="assignments"')[1].split("</table>")[0]
    shown = set(re.findall(r'data-assessment="(\d+)"', table))
    expected = {
        str(pk)
        for pk in Assessment.objects.filter(consultants=consultant)
        .exclude(status=Assessment.Status.PUBLISHED)
        .values_list("pk", flat=True)
    }
    assert shown == expected and len(expected) == 3  # Hangzhou, Suzhou drafts; Hefei in review (Shanghai published)
    hangzhou = Assessment.objects.get(city_id="330100", period=2026)
    answered = sum(1 for response in hangzhou.responses.select_related("indicator") if response.is_answered)
    total = hangzhou.responses.count()
    row = table.split(f'data-assessment="{hangzhou.pk}"')[1].split("</tr>")[0]
    assert f'data-testid="progress">{answered} / {total}<' in row and 0 < answered < total
    assert 'data-status="draft"' in row and "none set" in row


def test_a_reviewer_sees_what_waits_for_their_review_and_not_the_drafts(g60_demo, client_factory):
    reviewer = Assessment.objects.get(city_id="330100", period=2026).reviewer
    page = home(client_factory(reviewer))
    table = page.split('data-testid="reviews"')[1].split("</table>")[0]
    waiting = Assessment.objects.filter(reviewer=reviewer, status=Assessment.Status.IN_REVIEW)
    assert set(re.findall(r'data-assessment="(\d+)"', table)) == {
        str(pk) for pk in waiting.values_list("pk", flat=True)
    }
    assert waiting.count() == 1  # Hefei; Nanjing, the demo's other one in review, is not a G60 city
    assert str(Assessment.objects.get(city_id="330100", period=2026).pk) not in re.findall(
        r'data-assessment="(\d+)"', table
    )


def test_a_stakeholder_sees_their_own_reports_and_how_to_get_one(reference_data, default_framework, client_factory):
    stakeholder = UserFactory(roles=[Role.STAKEHOLDER])
    other = UserFactory(roles=[Role.STAKEHOLDER])
    fields = dict(
        kind=Report.Kind.REGION, region=Region.objects.get(code="YRD"), framework=default_framework, language="en"
    )
    mine = Report.objects.create(period=2025, requested_by=stakeholder, status=Report.Status.DONE, **fields)
    theirs = Report.objects.create(period=2024, requested_by=other, **fields)
    page = home(client_factory(stakeholder))
    reports = page.split('data-testid="my-reports"')[1].split("</ul>")[0]
    assert f"/reports/{mine.pk}/" in reports and f"/reports/{mine.pk}/download/" in reports
    assert f"/reports/{theirs.pk}/" not in page
    how = page.split('data-testid="how-to-get-a-report"')[1].split("</section>")[0]
    assert "/dashboards/regions/YRD/" in how and "Regional PDF report" in how
    assert 'data-testid="assignments"' not in page and 'data-testid="reviews"' not in page


def test_namesakes_are_told_apart_on_the_start_page(g60_demo, client_factory):
    """苏州 (320500) and 宿州 (341300) are both "Suzhou" in English."""
    suzhou_anhui = City.objects.get(code="341300")
    consultant = Assessment.objects.get(city_id="330100", period=2026).consultants.get()
    assessment = Assessment.objects.get(city_id="320500", period=2026)
    page = home(client_factory(consultant))
    assert f'{assessment.get_absolute_url()}">Suzhou (Jiangsu) · 2026<' in page
    manager = UserFactory(roles=[Role.CITY_MANAGER])
    suzhou_anhui.managers.add(manager)
    with translation.override("en"):
        assert "Suzhou (Anhui)" in home(client_factory(manager))
