"""As a city manager, in a real browser: the city and region dashboards draw every chart from the demo data."""

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_by_role import sign_in

# g60_demo (tests/e2e/conftest.py): the G60 demo and the demo accounts, committed once for the module.


def ranking_order(page) -> list[str]:
    return page.locator("[data-testid=ranking-table] tbody tr td:nth-child(3)").all_text_contents()


def test_the_region_dashboard_draws_every_chart_and_a_slider_reorders_the_ranking(page, live_server, g60_demo):
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/dashboards/regions/G60/")
    for slug in ("ranking", "plane", "heatmap", "map", "stages", "movers"):
        page.wait_for_selector(f"[data-testid={slug}-chart] .main-svg")
    # The map: province outlines and the nine cities, drawn with nothing from another host.
    assert page.locator("[data-testid=map-chart] .scatterlayer .trace").count() >= 2
    assert page.locator("[data-testid=map-chart] .scatterlayer .point").count() == 9
    # The table view holds what the chart draws: the ranking's y axis lists the table's cities.
    page.locator("[data-panel=ranking] summary").click()
    names_in_table = page.locator("[data-testid=ranking-table] tbody tr td:nth-child(2)").all_inner_texts()
    names_in_chart = page.locator("[data-testid=ranking-chart] .yaxislayer-above text").all_text_contents()
    # Plotly writes the ticks of the reversed axis bottom up.
    assert names_in_chart in (names_in_table, names_in_table[::-1]) and len(names_in_table) == 9
    screenshot(page, "region-dashboard-g60")

    before = ranking_order(page)
    slider = page.locator("[data-testid=weight-IC]")
    slider.focus()
    for _ in range(10):  # 1.0 -> 0.0: only cross-boundary readiness counts
        page.keyboard.press("ArrowLeft")
    page.wait_for_selector("[data-what-if-url][data-state=scenario]")
    after = ranking_order(page)
    assert sorted(after) == sorted(before) and after != before
    assert "w.IC=0" in page.url
    assert page.locator("[data-what-if-badge]").is_visible()
    # The shared link opens the same scenario.
    page.goto(page.url)
    assert ranking_order(page) == after
    page.locator("[data-testid=what-if-reset]").click()
    page.wait_for_load_state()
    assert ranking_order(page) == before
    assert page.request_log.foreign == []


def test_the_city_dashboard_draws_every_chart(page, live_server, g60_demo):
    sign_in(page, live_server, "manager")
    page.locator("[data-testid=city-dashboard-link]").first.click()
    page.wait_for_url("**/dashboards/cities/310000/**")
    # Shanghai opens on 2026, which only it has published so far; 2025 has all nine G60 cities.
    page.goto(f"{live_server.url}/dashboards/cities/310000/?region=G60&period=2025")
    for slug in ("ranking", "plane", "radar", "indicators", "trend", "quality"):
        page.wait_for_selector(f"[data-testid={slug}-chart] .main-svg")
    assert page.locator("[data-testid=stage-ladder] [aria-current=step]").count() == 1
    assert page.locator("[data-testid=plane-chart] .scatterlayer .point").count() == 9
    screenshot(page, "city-dashboard-shanghai")
    assert page.request_log.foreign == []
