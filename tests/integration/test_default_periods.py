"""The first city published in a new period empties no dashboard (issue 16).

The demo's nine G60 cities are published for 2024 and 2025, and 上海 alone
for 2026; 苏州 alone is then published for 2027 through the
services a reviewer uses. Every page must
still open on a period with results, say how far the new one is covered and
link to it; 苏州's own page opens on 2027 with its rank put in context.
"""

import re

import pytest

from assessment.selectors import results as result_selectors
from assessment.services.assessments import (
    assessment_approve,
    assessment_publish,
    assessment_start_review,
    assessment_submit,
)
from cities.models import City
from tests.assessment_builders import answer_everything, assessment_with_team
from tests.integration.test_dashboards import table_rows
from tests.worlds import load_g60_demo, shared_world

# manager and english_pages: tests/integration/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

NEW = 2027


def g60_with_suzhou_published_alone():
    """The G60 demo, then 苏州 alone published for NEW through the services a reviewer uses."""
    framework = load_g60_demo()
    assessment = assessment_with_team(city=City.objects.get(code="320500"), framework=framework, period=NEW)
    answer_everything(assessment, derived_reason="Checked against the agreements with the reviewer.")
    assessment_submit(assessment=assessment, user=assessment.consultants.first())
    assessment_start_review(assessment=assessment, user=assessment.reviewer)
    assessment_approve(assessment=assessment, user=assessment.reviewer)
    assessment_publish(assessment=assessment, user=assessment.reviewer)
    return assessment


@pytest.fixture(scope="module")
def suzhou_world(django_db_setup, django_db_blocker):
    """Built once for this module's tests, which only read it; rolled back at the module's end."""
    with shared_world(django_db_blocker, g60_with_suzhou_published_alone) as assessment:
        yield assessment


@pytest.fixture
def suzhou_published_alone(suzhou_world, db):
    return suzhou_world


def selected_period(html: str, select_id: str = "filter-period") -> str:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\d+)" selected>', select).group(1)


def marked_text(html: str, name: str) -> str:
    """The text of the first element marked data-testid=name, tags removed."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</(?:p|div)>', html, re.S)
    assert match, f"no {name} on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def links(html: str, name: str) -> list[str]:
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</(?:p|div)>', html, re.S)
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', match.group(1))] if match else []


def test_another_city_opens_on_its_own_latest_period(manager, suzhou_published_alone):
    html = manager.get("/dashboards/cities/330400/?region=G60").content.decode()
    assert 'data-testid="empty-state"' not in html
    assert selected_period(html) == "2025"
    assert marked_text(html, "city-rank").endswith("/ 9")
    assert 'data-testid="rank-coverage"' not in html


def test_region_dashboards_open_on_a_ranked_period_and_link_to_the_newer_one(manager, suzhou_published_alone):
    g60 = manager.get("/dashboards/regions/G60/").content.decode()
    assert selected_period(g60) == "2025"
    assert len(table_rows(g60, "ranking")) == 9
    # The newer periods, newest first, each with its coverage: Suzhou's NEW, then Shanghai's 2026.
    assert marked_text(g60, "newer-period").startswith(f"{NEW}: 1 of 9 member cities published")
    assert "2026: 1 of 9 member cities published" in re.sub(r"<[^>]+>", " ", g60.split('data-testid="newer-period"')[2])
    assert any(f"period={NEW}" in href for href in links(g60, "newer-period"))
    assert 'data-testid="partial-period"' not in g60
    # Only the nine G60 cities are published: the YRD never has half of its 41, and opens on
    # the period with the most of them, saying the ranking is partial.
    yrd = manager.get("/dashboards/regions/YRD/").content.decode()
    assert selected_period(yrd) == "2025"
    assert len(table_rows(yrd, "ranking")) == 9
    assert marked_text(yrd, "newer-period").startswith(f"{NEW}: 1 of 41 member cities published")
    assert "only 9 of 41 member cities" in marked_text(yrd, "partial-period")


def test_the_partial_period_says_so_and_links_back(manager, suzhou_published_alone):
    html = manager.get(f"/dashboards/regions/G60/?period={NEW}").content.decode()
    assert selected_period(html) == str(NEW)
    assert "only 1 of 9 member cities" in marked_text(html, "partial-period")
    assert any("period=2025" in href for href in links(html, "partial-period"))


def test_compare_opens_on_a_period_with_every_chosen_city(manager, suzhou_published_alone):
    html = manager.get("/dashboards/compare/?cities=310000&cities=320500&cities=330100").content.decode()
    assert selected_period(html, "compare-period") == "2025"
    assert 'data-testid="dimensions-chart"' in html and 'data-testid="compare-missing"' not in html
    # Asked for the new period, it names who is missing and links to the complete ones.
    html = manager.get(f"/dashboards/compare/?cities=310000&cities=320500&period={NEW}").content.decode()
    assert "上海" in marked_text(html, "compare-missing") or "Shanghai" in marked_text(html, "compare-missing")
    # Periods of the version shown: 2024 was published under DSMF 1.0, 2025 on under 1.1.
    assert {href.rsplit("period=", 1)[1] for href in links(html, "compare-missing")} == {"2025"}


def test_the_published_city_opens_on_its_newest_period_with_its_rank_in_context(manager, suzhou_published_alone):
    html = manager.get("/dashboards/cities/320500/?region=G60").content.decode()
    assert selected_period(html) == str(NEW)
    assert marked_text(html, "city-rank") == "1 / 1"
    note = marked_text(html, "rank-coverage")
    assert f"Only 1 of 9 member cities have a published result for {NEW}" in note
    assert any("period=2025" in href for href in links(html, "rank-coverage"))
    # The link to the region does not pin the new period: the region opens on its own default.
    region_link = re.search(r'href="([^"]+)" data-testid="region-link"', html).group(1)
    assert "period=" not in region_link


def test_a_period_without_the_citys_result_links_to_the_periods_with_one(manager, suzhou_published_alone):
    html = manager.get(f"/dashboards/cities/310000/?region=G60&period={NEW}").content.decode()
    assert 'data-testid="empty-state"' in html
    # The version shown's periods, then 2024, published under DSMF 1.0, with that version in its link.
    hrefs = links(html, "other-periods")
    assert [href.rsplit("period=", 1)[1] for href in hrefs] == ["2026", "2025", "2024"]
    assert "version=1.0" in hrefs[2] and all("version=1.1" in href for href in hrefs[:2])


def test_the_what_if_reset_keeps_the_period_only_when_the_reader_chose_it(manager, suzhou_published_alone):
    def reset(html: str) -> str:
        return re.search(r'href="([^"]+)"[^>]*data-testid="what-if-reset"', html).group(1)

    assert "period=" not in reset(manager.get("/dashboards/regions/G60/?w.IC=2").content.decode())
    assert "period=2024" in reset(manager.get("/dashboards/regions/G60/?period=2024&w.IC=2").content.decode())
    assert "w.IC" not in reset(manager.get("/dashboards/regions/G60/?period=2024&w.IC=2").content.decode())


def test_enough_published_members_is_half_and_at_least_three():
    coverage = result_selectors.PeriodCoverage
    assert coverage(2025, 5, 9).is_ranked and not coverage(2025, 4, 9).is_ranked
    assert coverage(2025, 3, 4).is_ranked and not coverage(2025, 2, 4).is_ranked  # half of 4 is 2, but 3 at least
    assert coverage(2025, 2, 2).is_ranked and not coverage(2025, 1, 2).is_ranked  # a region of two: both
    periods = [coverage(2027, 1, 9), coverage(2026, 4, 9), coverage(2025, 9, 9)]
    assert result_selectors.default_ranked_period(periods) == 2025
    assert result_selectors.default_ranked_period([coverage(2027, 1, 41), coverage(2025, 9, 41)]) == 2025
    assert result_selectors.default_compared_period([coverage(2027, 2, 3), coverage(2025, 3, 3)]) == 2025
    assert result_selectors.default_compared_period([coverage(2027, 2, 3), coverage(2025, 1, 3)]) == 2027
    assert result_selectors.default_ranked_period([]) is None
