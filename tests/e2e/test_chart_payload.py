"""The charts' payload and console in a real browser (issue 16).

Every chart page used to load plotly.js's full 4.8 MB bundle (48 trace types,
maps, WebGL) to draw five: scatter, bar, heatmap, scatterpolar and the
outline map, which is a scatter. The dashboards now load a partial bundle
(static/vendor/plotly/README.md), must still draw every chart, must leave
nothing in the console (no Content-Security-Policy violation, no error), and
show Plotly's toolbar in the page's language.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.e2e.test_sign_in_by_role import sign_in

# g60_demo (tests/e2e/conftest.py): the G60 demo and the demo accounts, committed once for the module.

# The full plotly.js 4.1.1 bundle (plotly.min.js) the chart pages loaded before, in bytes.
FULL_BUNDLE_BYTES = 4_815_814
LANGUAGES = {"zh-hans": "自动缩放", "en": "Autoscale"}  # the modebar's "Autoscale" button
CHINESE = re.compile("[\u4e00-\u9fff]")
# The panels of each dashboard, and what in each one shows that its traces were drawn.
DASHBOARDS = {
    "region": (
        "/dashboards/regions/G60/",
        {
            "ranking": ".scatterlayer .trace",
            "plane": ".scatterlayer .trace .point",
            "heatmap": ".heatmaplayer .hm",
            "map": ".scatterlayer .trace .point",
            "stages": ".barlayer .trace .point",
            "movers": ".barlayer .trace .point",
            "dispersion": ".barlayer .trace .point",
            "interoperability": ".heatmaplayer .hm",
            "dual-space": ".scatterlayer .trace .point",
        },
    ),
    "city": (
        # 2025: every G60 city published, so the radar has a region to compare with (2026, Shanghai's latest
        # and the page's default, has Shanghai alone and draws it alone).
        "/dashboards/cities/310000/?period=2025",
        {
            "ranking": ".scatterlayer .trace",
            "plane": ".scatterlayer .trace .point",
            "radar": ".polarlayer .scatterlayer .trace",
            "indicators": ".heatmaplayer .hm",
            "trend": ".scatterlayer .trace",
            "quality": ".barlayer .trace .point",
            "dual-space-partners": ".barlayer .trace .point",
        },
    ),
}
# Reported to the console by the page itself, so that a violation is counted however Chromium words it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  "CSP violation: " + event.violatedDirective + " " + event.blockedURI + " at "
  + event.sourceFile + ":" + event.lineNumber + ":" + event.columnNumber
));
"""


def plotly_bytes(responses) -> int:
    """Bytes of JavaScript served from the Plotly vendor folder (the bundle and anything it brings)."""
    return sum(
        len(response.body())
        for response in responses
        if response.request.resource_type == "script" and "/vendor/plotly/" in urlsplit(response.url).path
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("dashboard", list(DASHBOARDS))
def test_a_dashboard_loads_half_the_plotly_bytes_draws_every_chart_and_keeps_a_clean_console(
    page,
    live_server,
    g60_demo,
    dashboard,
    language,
):
    path, panels = DASHBOARDS[dashboard]
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    sign_in(page, live_server, "manager")
    problems: list[str] = []
    responses = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: responses.append(response))

    page.goto(f"{live_server.url}{path}")
    assert page.locator("html").get_attribute("lang") == language
    for slug, drawn in panels.items():
        chart = page.locator(f"[data-testid={slug}-chart]")
        chart.locator(".main-svg").first.wait_for()
        assert chart.locator(drawn).count() >= 1, f"{dashboard} {slug}: nothing drawn for {drawn}"
    assert page.locator("[data-plotly-figure]").count() == len(panels)
    if dashboard == "region":
        # The map: the province outlines and the nine G60 cities.
        assert page.locator("[data-testid=map-chart] .scatterlayer .trace").count() >= 2
        assert page.locator("[data-testid=map-chart] .scatterlayer .point").count() >= 9
    else:
        # The radar: the region's best, its median and the city, one closed line each.
        assert page.locator("[data-testid=radar-chart] .polarlayer .scatterlayer .trace").count() == 3

    # Hovering shows a chart's toolbar and draws a hover label: none of what follows may break the policy.
    first = page.locator("[data-plotly-figure]").first
    first.hover()
    page.locator("[data-testid=plane-chart] .scatterlayer .point").first.hover(force=True)
    page.locator("[data-testid=plane-chart] .hoverlayer .hovertext").first.wait_for()
    assert problems == []
    # The toolbar's "download as PNG" draws the chart's SVG through an image (a blob: URL).
    first.hover()
    with page.expect_download() as download:
        first.locator(".modebar-btn[data-title*='PNG']").click()
    assert download.value.suggested_filename.endswith(".png")
    if dashboard == "region":
        # A what-if scenario redraws the charts (dashboard.js) with the same config.
        page.locator("[data-testid=weight-IC]").focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_selector("[data-what-if-url][data-state=scenario]")
    page.wait_for_load_state("networkidle")

    payload = plotly_bytes(responses)
    assert 0 < payload <= FULL_BUNDLE_BYTES // 2, f"{payload} bytes of Plotly"
    assert problems == []
    assert page.request_log.foreign == []
    # The toolbar speaks the page's language, and has no button that uploads a chart to Plotly Cloud.
    autoscale = first.locator(".modebar-btn[data-attr='zoom'][data-val='auto']")
    assert autoscale.get_attribute("data-title") == LANGUAGES[language]
    titles = [button.get_attribute("data-title") for button in first.locator(".modebar-btn").all()]
    assert len(titles) >= 5 and not [title for title in titles if "Share" in title]
    if language == "zh-hans":
        assert [title for title in titles if not CHINESE.search(title)] == []
