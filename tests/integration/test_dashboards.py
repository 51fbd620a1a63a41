"""Region and city dashboards over the demo data: content, downloads, what-if, permissions, query counts."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from assessment.demo.load import VERSION_BY_PERIOD
from assessment.models import AssessmentResult, Indicator
from cities.models import Region
from tests.factories import UserFactory

# These tests read English messages (english_pages); the language cookie still switches.
# g60_demo, manager: tests/integration/conftest.py (the G60 demo is loaded once for the module).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def table_rows(html: str, slug: str) -> list[list[str]]:
    """The cells of a panel's table view, as text (entities decoded: W2.2's name has an apostrophe)."""
    import html as entities
    import re

    table = re.search(rf'data-testid="{slug}-table">(.*?)</table>', html, re.S).group(1)
    body = table.split("<tbody>")[1]
    return [
        [entities.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in body.split("</tr>")
        if "<td>" in row
    ]


def test_the_region_dashboard_shows_every_panel_for_a_city_manager(manager, g60_demo):
    response = manager.get("/dashboards/regions/G60/?period=2025")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("ranking", "plane", "heatmap", "map", "stages", "movers"):
        assert f'data-testid="{slug}-chart"' in html and f'data-testid="{slug}-table"' in html
    assert 'data-testid="demo-label"' in html
    assert 'data-testid="weight-IC"' in html and 'data-testid="weight-X6"' in html
    ranking = table_rows(html, "ranking")
    assert len(ranking) == 9
    assert [int(row[0]) for row in ranking] == sorted(int(row[0]) for row in ranking)
    # Every row has an interval around its rank.
    for row in ranking:
        p05, rank, p95 = float(row[5]), float(row[0]), float(row[7])
        assert p05 <= rank <= p95


def test_the_ranking_matches_the_stored_results(manager, g60_demo):
    html = manager.get("/dashboards/regions/G60/?period=2025").content.decode()
    stored = {
        result.assessment.city_id: round(result.index_score, 1)
        for result in AssessmentResult.objects.filter(assessment__period=2025).select_related("assessment")
    }
    shown = {row[2]: float(row[3]) for row in table_rows(html, "ranking")}
    assert shown == stored


def test_a_download_holds_exactly_the_table_of_the_chart(manager, g60_demo):
    html = manager.get("/dashboards/regions/G60/?period=2025").content.decode()
    shown = table_rows(html, "heatmap")
    response = manager.get("/dashboards/regions/G60/data/heatmap.csv?period=2025")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1:] == shown
    workbook = manager.get("/dashboards/regions/G60/data/heatmap.xlsx?period=2025")
    sheet = load_workbook(io.BytesIO(workbook.content)).active

    def same(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return "" if value is None else str(value)

    cells = [[same(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[1:] == [[same(value) for value in row] for row in shown]
    assert manager.get("/dashboards/regions/G60/data/heatmap.exe?period=2025").status_code == 404
    assert manager.get("/dashboards/regions/G60/data/nothing.csv?period=2025").status_code == 404


def test_what_if_weights_change_the_ranking_but_never_the_stored_results(manager, g60_demo):
    before = list(AssessmentResult.objects.order_by("pk").values_list("index_score", "stage", "scores"))
    published = manager.get("/dashboards/regions/G60/what-if.json?period=2025").json()
    assert published["what_if"] is False
    # Only cross-boundary readiness counts: the order follows XB.
    scenario = manager.get("/dashboards/regions/G60/what-if.json?period=2025&w.IC=0&w.XB=1").json()
    assert scenario["what_if"] is True and scenario["weights"] == {"IC": 0.0, "XB": 1.0}
    by_xb = sorted(published["panels"]["plane"]["rows"], key=lambda row: float(row[3]), reverse=True)
    assert [row["city"] for row in scenario["ranking"]][:3] == [row[1] for row in by_xb][:3]
    assert [row["city"] for row in scenario["ranking"]] != [row["city"] for row in published["ranking"]]
    assert list(AssessmentResult.objects.order_by("pk").values_list("index_score", "stage", "scores")) == before
    # The page opened from the shared link shows the same scenario.
    html = manager.get("/dashboards/regions/G60/?period=2025&w.IC=0").content.decode()
    assert [row[2] for row in table_rows(html, "ranking")] == [row["city"] for row in scenario["ranking"]]
    assert "w.IC=0" not in html.split('data-testid="what-if-reset"')[0].rsplit("href=", 1)[1]
    # The redrawn tables are written as the page writes them: "75.0", never a bare 75.
    shown = manager.get("/dashboards/regions/G60/what-if.json?period=2025&w.IC=0").json()
    for slug in ("ranking", "heatmap", "plane"):
        assert shown["panels"][slug]["rows"] == table_rows(html, slug), slug


def test_framework_weights_in_a_what_if_give_the_published_ranking(manager, g60_demo):
    published = manager.get("/dashboards/regions/G60/what-if.json?period=2025").json()
    same = manager.get("/dashboards/regions/G60/what-if.json?period=2025&w.IC=1&w.XB=1").json()
    assert [(row["city"], row["index"], row["stage"]) for row in same["ranking"]] == [
        (row["city"], row["index"], row["stage"]) for row in published["ranking"]
    ]


def test_bad_filters_get_a_message_not_an_error(manager, g60_demo):
    response = manager.get("/dashboards/regions/G60/?period=abc&version=9.9&w.W1=lots&w.NOPE=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No published results for period abc" in html
    assert "There is no published framework DSMF 9.9" in html
    assert manager.get("/dashboards/regions/NOWHERE/").status_code == 404
    assert manager.get("/dashboards/cities/999999/").status_code == 404


def test_an_empty_region_says_nothing_is_published_yet(manager, reference_data, default_framework):
    response = manager.get("/dashboards/regions/JJJ/")
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()
    assert manager.get("/dashboards/regions/JJJ/data/ranking.csv").status_code == 404
    assert manager.get("/dashboards/cities/110000/").status_code == 200


def test_the_city_dashboard_shows_ladder_plane_radar_trend_and_quality(manager, g60_demo):
    response = manager.get("/dashboards/cities/310000/?region=G60&period=2025")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("ranking", "plane", "radar", "indicators", "trend", "quality"):
        assert f'data-testid="{slug}-chart"' in html
    assert 'data-testid="stage-ladder"' in html and 'aria-current="step"' in html
    stored = AssessmentResult.objects.get(assessment__city_id="310000", assessment__period=2025)
    assert stored.stage in html.split('data-testid="city-stage"')[1][:200]
    trend = table_rows(html, "trend")
    # 2024 twice: as published under DSMF 1.0 and re-expressed in 2025's DSMF 1.1; Shanghai's 2026 is published too.
    assert [row[0] for row in trend] == ["2024", "2024", "2025", "2026"]
    # Demo grades are not passed off as measured: the quality caption says they were generated.
    assert "these grades were generated with the answers; nothing was measured" in html
    radar = manager.get("/dashboards/cities/310000/data/radar.csv?region=G60&period=2025")
    rows = list(csv.reader(io.StringIO(radar.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 11  # a header and the eleven dimensions


@pytest.mark.parametrize(
    "path", ["/dashboards/regions/G60/", "/dashboards/cities/310000/", "/dashboards/regions/G60/data/ranking.csv"]
)
def test_dashboards_need_a_sign_in(client, g60_demo, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_what_if_is_refused(client, g60_demo):
    response = client.get("/dashboards/regions/G60/what-if.json")
    assert response.status_code in (302, 401, 403)


@pytest.mark.parametrize("role", [Role.STAKEHOLDER, Role.CONSULTANT, Role.REVIEWER])
def test_every_signed_in_role_reads_published_results(client_factory, g60_demo, role):
    assert client_factory(UserFactory(roles=[role])).get("/dashboards/regions/G60/").status_code == 200


def test_yrd_and_jjj_dashboards_take_the_same_number_of_queries(manager, reference_data, default_framework):
    """41 cities and 13 cities: the count of SQL queries does not grow with the region."""
    call_command("load_demo", quiet=True)
    assert Region.objects.get(code="YRD").memberships.count() == 41
    assert Region.objects.get(code="JJJ").memberships.count() == 13
    for code in ("YRD", "JJJ"):  # warm the framework caches and the Monte Carlo cache
        manager.get(f"/dashboards/regions/{code}/")
        manager.get(f"/api/v1/regions/{code}/results?period=2025")
    counts = {}
    for code in ("YRD", "JJJ"):
        for path in (f"/dashboards/regions/{code}/", f"/api/v1/regions/{code}/results?period=2025"):
            with CaptureQueriesContext(connection) as queries:
                response = manager.get(path)
            assert response.status_code == 200
            counts[(code, path.split("/")[1])] = len(queries)
    assert counts[("YRD", "dashboards")] == counts[("JJJ", "dashboards")]
    assert counts[("YRD", "api")] == counts[("JJJ", "api")]


def test_compare_puts_two_to_six_cities_side_by_side_on_every_indicator(manager, g60_demo):
    response = manager.get("/dashboards/compare/?cities=310000&cities=330100,320500&period=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dimensions-chart"' in html
    dimensions = table_rows(html, "dimensions")
    assert [row[0] for row in dimensions][:4] == ["Stage", "DSMI", "IC", "XB"]
    assert all(len(row) == 2 + 3 for row in dimensions)
    indicators = table_rows(html, "indicators")
    indicator_count = Indicator.objects.filter(node__framework__version=VERSION_BY_PERIOD[2025]).count()
    assert len(indicators) == indicator_count and all(len(row) == 2 + 3 + 3 for row in indicators)
    stored = AssessmentResult.objects.get(assessment__city_id="330100", assessment__period=2025)
    dsmi = next(row for row in dimensions if row[0] == "DSMI")
    assert float(dsmi[3]) == round(stored.index_score, 1)
    download = manager.get("/dashboards/compare/data/indicators.csv?cities=310000&cities=330100,320500&period=2025")
    assert list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))[1:] == indicators


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cities=310000", None),
        ("cities=310000,330100,320500,330400,330500,330700,341800", "Choose between 2 and 6 cities; you chose 7."),
        ("cities=310000,999999,330100", "Unknown city code: 999999."),
        ("cities=310000,330100&period=1990", "No published results for period 1990; showing 2025."),
    ],
)
def test_compare_explains_what_is_wrong_with_the_request(manager, g60_demo, query, message):
    response = manager.get(f"/dashboards/compare/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    if message:
        assert message in html
    else:
        assert 'data-testid="dimensions-chart"' not in html


def test_compare_needs_a_sign_in(client, g60_demo):
    response = client.get("/dashboards/compare/?cities=310000,330100")
    assert response.status_code == 302


def test_cities_that_share_an_english_name_stay_apart(client_factory, reference_data, default_framework):
    """苏州 and 宿州 are both Suzhou, 泰州 and 台州 both Taizhou: a chart axis would merge them."""
    call_command("load_demo", cities="320500,341300,321200,331000", quiet=True)
    client = client_factory(UserFactory(roles=[Role.STAKEHOLDER]))
    client.cookies["django_language"] = "en"
    html = client.get("/dashboards/regions/YRD/").content.decode()
    names = [row[1] for row in table_rows(html, "ranking")]
    assert sorted(names) == ["Suzhou (Anhui)", "Suzhou (Jiangsu)", "Taizhou (Jiangsu)", "Taizhou (Zhejiang)"]


def test_strengths_and_gaps_name_each_dimension_in_full(g60_demo):
    """An axis may shorten a long name to its code; a list of strengths read as text may not."""
    from django.utils import translation

    from assessment.reports.city_content import city_report_context
    from cities.models import City

    reader = UserFactory(is_superuser=True)
    with translation.override("en"):
        context = city_report_context(user=reader, city=City.objects.get(code="330100"), period=2025, region_code="G60")
    listed = [name for name, _delta in context["strengths"] + context["weaknesses"]]
    assert listed
    for name in listed:
        code, _space, label = name.partition(" ")
        assert code[:1] in "WBX" and len(label) > 3, listed


def test_a_city_report_of_a_thinly_published_period_says_its_rank_is_among_few_and_lists_no_strengths(g60_demo):
    """Shanghai alone is published for 2026 in G60: no "no dimension above the median" of a median of itself."""
    from assessment.reports.render import city_report_html
    from cities.models import City

    reader = UserFactory(is_superuser=True)
    shanghai = City.objects.get(code="310000")
    thin = city_report_html(user=reader, city=shanghai, period=2026, region_code="G60", language="en")
    full = city_report_html(user=reader, city=shanghai, period=2025, region_code="G60", language="en")
    assert "Only 1 of 9 member cities have a published result for 2026" in thin
    assert 'data-testid="no-strengths"' in thin and "Three strengths" not in thin
    assert "Strengths and gaps compare" not in thin and "Strengths and gaps compare" in full
    assert "Only 1 of 9" not in full and 'data-testid="no-strengths"' not in full and "Three strengths" in full
    # Nor a radar or a median and best per dimension, each of which would be Shanghai's own scores again.
    assert 'data-testid="dimensions-alone"' in thin and "The region's median and best are not shown" in thin
    assert "Dimensions against the region" not in thin and "Dimensions against the region" in full
    assert 'data-testid="dimensions-alone"' not in full
    # The regions table: Shanghai alone in each region it belongs to, so no median or best there either.
    assert "G60 Science and Innovation Corridor: only 1 of 9 member cities are published for 2026" in thin
    assert "Corridor: only" not in full  # the G60 is fully published in 2025
    # The plane draws no median lines through Shanghai's own point, and says why.
    assert "No median lines: only 1 of 9 member cities are published" in thin and "Dotted lines" not in thin
    assert "Dotted lines: the region" in full


def test_the_city_page_of_a_thinly_published_period_compares_the_city_with_no_median_of_itself(manager, g60_demo):
    """Shanghai alone is published for 2026 in G60: the radar draws Shanghai alone and no strength is named."""
    manager.cookies["django_language"] = "en"
    thin = manager.get("/dashboards/cities/310000/?region=G60&period=2026")
    full = manager.get("/dashboards/cities/310000/?region=G60&period=2025")
    radar = {panel.slug: panel for panel in thin.context["panels"]}["radar"]
    assert [trace["name"] for trace in radar.figure["data"]] == ["Shanghai"]
    assert radar.columns == ["Dimension", "Shanghai"] and "Only 1 of 9 member cities" in radar.caption
    assert 'data-testid="no-strengths"' in thin.content.decode()
    assert 'data-testid="strengths"' not in thin.content.decode()
    full_radar = {panel.slug: panel for panel in full.context["panels"]}["radar"]
    assert [trace["name"] for trace in full_radar.figure["data"]] == ["Region best", "Region median", "Shanghai"]
    assert 'data-testid="strengths"' in full.content.decode()
    assert manager.get("/dashboards/cities/310000/data/radar.csv?region=G60&period=2026").status_code == 200


def test_the_report_language_follows_the_page_language(manager, g60_demo):
    manager.cookies["django_language"] = "en"
    english = manager.get("/dashboards/cities/310000/?region=G60&period=2025").content.decode()
    assert '<option value="en" selected>English</option>' in english
    manager.cookies["django_language"] = "zh-hans"
    chinese = manager.get("/dashboards/cities/310000/?region=G60&period=2025").content.decode()
    assert '<option value="zh" selected>中文</option>' in chinese


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_report_asks_its_reader_to_hover(g60_demo, language):
    """Paper cannot be hovered: the plane's caption names what is drawn, where the page adds "on hover"."""
    from assessment.reports.render import city_report_html, region_report_html
    from cities.models import City, Region

    reader = UserFactory(is_superuser=True)
    city = city_report_html(
        user=reader, city=City.objects.get(code="310000"), period=2025, region_code="G60", language=language
    )
    region = region_report_html(user=reader, region=Region.objects.get(code="G60"), period=2025, language=language)
    for html in (city, region):
        assert "hover" not in html.replace("hoverlabel", "").lower() and "悬停" not in html
