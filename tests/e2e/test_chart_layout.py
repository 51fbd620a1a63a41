"""The charts as drawn, at a desktop's and a phone's width: nothing a reader needs is cut or squeezed.

Checked from Plotly's own layout in the page (``gd._fullLayout``): the
highlighted city lies inside the plane's plot area with room for its marker,
the rank axis starts at 1 (never 0 or below), the map carries city labels and
stays a map (its plot at least 60 % as tall as it is wide and across most of
the chart), and the stage and trend charts keep their labels and legends clear
of their axes. From the drawn SVG: no name or number is cut at the chart's edge,
and the radar's scale sits on no dimension's name. Chinese and English: the
English names are the long ones.
"""

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import call_command

from assessment.dashboards import figures as dashboard_figures
from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_by_role import PASSWORD, sign_in

# g60_demo (tests/e2e/conftest.py): the G60 demo and the demo accounts, committed once for the module;
# the YRD tests load the whole demo for themselves (a live server's test is transactional, flushed after it).

WIDTHS = (1280, 390)

# The figure a panel drew, as Plotly laid it out.
LAYOUT = """slug => {
  const gd = document.querySelector(`[data-testid=${slug}-chart] .js-plotly-plot`)
    || document.querySelector(`[data-testid=${slug}-chart]`);
  const full = gd._fullLayout;
  const axis = a => ({range: a.range.map(Number), length: a._length, ticks: (a._vals || []).map(t => t.x),
                      offset: a._offset});
  return {x: axis(full.xaxis), y: axis(full.yaxis),
          data: gd._fullData.map(t => ({name: t.name, mode: t.mode, x: t.x, y: t.y,
                                        size: t.marker && t.marker.size, symbol: t.marker && t.marker.symbol,
                                        cliponaxis: t.cliponaxis, textposition: t.textposition})),
          texts: gd.querySelectorAll('.scatterlayer .textpoint text').length,
          legend: full.legend && full.legend._bbox ? {...full.legend._bbox} : null,
          xtitle: (gd.querySelector('.g-xtitle text') || {getBoundingClientRect: () => null}).getBoundingClientRect()};
}"""


# Every text the chart drew, where it was drawn, and the chart's own box: the SVG
# shows nothing outside that box.
TEXTS = """element => {
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const texts = [...element.querySelectorAll('svg text')].filter(t => t.textContent.trim() && t.getBBox().width > 0);
  return {chart: box(element.querySelector('.main-svg').getBoundingClientRect()),
          texts: texts.map(t => ({text: t.textContent, group: (t.closest('g[class]') || t).getAttribute('class'),
                                  ...box(t.getBoundingClientRect())}))};
}"""


def _layout(page, slug: str) -> dict:
    page.wait_for_selector(f"[data-testid={slug}-chart] .main-svg")
    return page.evaluate(LAYOUT, slug)


def _texts(page, selector: str) -> dict:
    return page.locator(selector).evaluate(TEXTS)


def _cut(drawn: dict) -> list[str]:
    """The texts that reach past the chart's edge (half a pixel of rounding allowed)."""
    chart = drawn["chart"]
    return [
        text["text"]
        for text in drawn["texts"]
        if text["left"] < chart["left"] - 0.5
        or text["right"] > chart["right"] + 0.5
        or text["top"] < chart["top"] - 0.5
        or text["bottom"] > chart["bottom"] + 0.5
    ]


def _overlap(a: dict, b: dict) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    )


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request):
    return request.param


@pytest.fixture(params=("zh-hans", "en"))
def language(request, page, live_server):
    # The language switcher's cookie: the app follows it, not the browser's locale.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": request.param, "url": live_server.url}])
    return request.param


def test_the_city_dashboard_draws_the_highlighted_city_whole_and_ranks_from_1(
    page, live_server, g60_demo, language, width
):
    sign_in(page, live_server, "manager")  # at the desktop width, where the menu shows
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/dashboards/cities/310000/?region=G60")

    plane = _layout(page, "plane")
    cities = plane["data"][0]
    highlighted = [i for i, symbol in enumerate(cities["symbol"]) if symbol == "diamond"]
    assert len(highlighted) == 1, "the city is not marked on the plane"
    i = highlighted[0]
    radius = cities["size"][i] / 2
    for axis, value in (("x", cities["x"][i]), ("y", cities["y"][i])):
        low, high = sorted(plane[axis]["range"])
        # Pixels between the marker's centre and the nearer edge of the plot area.
        room = min(value - low, high - value) / (high - low) * plane[axis]["length"]
        assert room >= radius, f"the highlighted city is cut at the plane's {axis} edge ({room:.1f} px < {radius} px)"

    ranking = _layout(page, "ranking")
    assert min(ranking["x"]["range"]) >= 0.5 and ranking["x"]["ticks"] and min(ranking["x"]["ticks"]) >= 1, ranking["x"]

    trend = _layout(page, "trend")
    legend, title = trend["legend"], trend["xtitle"]
    if legend and title:
        # The legend and the axis title do not share a line.
        assert legend["top"] + legend["height"] <= title["top"] or title["top"] + title["height"] <= legend["top"]

    radar = _texts(page, "[data-testid=radar-chart]")
    scale = [text for text in radar["texts"] if text["group"] == "xtick"]
    spokes = [text for text in radar["texts"] if text["group"] == "angularaxistick"]
    assert scale and spokes, radar["texts"]
    collisions = [(a["text"], b["text"]) for a in scale for b in spokes if _overlap(a, b)]
    assert not collisions, f"the radar's scale is written over a dimension's name: {collisions}"

    for slug in ("plane", "radar", "trend", "ranking"):
        cut = _cut(_texts(page, f"[data-testid={slug}-chart]"))
        assert not cut, f"{slug}: cut at the chart's edge: {cut}"
    screenshot(page, f"chart-layout-city-{language}-{width}")


def test_the_region_dashboard_ranks_from_1_and_its_map_is_a_labelled_map(page, live_server, g60_demo, language, width):
    sign_in(page, live_server, "manager")  # at the desktop width, where the menu shows
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/dashboards/regions/G60/?period=2025")

    ranking = _layout(page, "ranking")
    assert min(ranking["x"]["range"]) >= 0.5 and min(ranking["x"]["ticks"]) >= 1, ranking["x"]

    chart_map = _layout(page, "map")
    cities = [trace for trace in chart_map["data"][1:]]
    assert all("text" in trace["mode"] for trace in cities), [trace["mode"] for trace in cities]
    assert chart_map["texts"] >= 9, f"{chart_map['texts']} city labels drawn on the map"
    assert chart_map["y"]["length"] >= 0.6 * chart_map["x"]["length"], "the map is squeezed to a strip"
    drawn = _texts(page, "[data-testid=map-chart]")
    width_drawn = drawn["chart"]["right"] - drawn["chart"]["left"]
    assert chart_map["x"]["length"] >= 0.6 * width_drawn, "the legend beside the map squeezes it to a strip"
    names = [text for text in drawn["texts"] if text["group"] == "textpoint"]
    crossed = [(a["text"], b["text"]) for i, a in enumerate(names) for b in names[i + 1 :] if _overlap(a, b)]
    assert not crossed, f"city names written over each other: {crossed}"

    stages = _layout(page, "stages")
    # Cities per stage are counted in whole cities: no 0.2, 0.4 ticks.
    counts_axis = stages["x"]
    assert all(float(tick).is_integer() for tick in counts_axis["ticks"]), counts_axis["ticks"]
    assert stages["data"][0]["cliponaxis"] is False
    for slug in ("stages", "map", "plane", "ranking"):
        cut = _cut(_texts(page, f"[data-testid={slug}-chart]"))
        assert not cut, f"{slug}: cut at the chart's edge: {cut}"
    screenshot(page, f"chart-layout-region-{language}-{width}")


def test_cities_at_the_plane_s_corners_are_drawn_whole_with_their_names(page, live_server, g60_demo, width):
    """Scores of 0 and 100 are possible: such a city, its marker and its name sit on the frame, not past it."""
    corners = pd.DataFrame(
        {"x": [0.0, 100.0, 0.0, 100.0, 50.0], "y": [0.0, 100.0, 100.0, 0.0, 50.0]},
        index=["A", "B", "C", "D", "E"],
    )
    labels = {"A": "Taizhou (Zhejiang)", "B": "Suzhou (Jiangsu)", "C": "Ma'anshan", "D": "Lianyungang", "E": "Hefei"}
    figure = dashboard_figures.plane_figure(
        corners, (50.0, 50.0), labels, ("In-city maturity", "Cross-boundary readiness"), highlight="B"
    )

    sign_in(page, live_server, "manager")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/dashboards/cities/310000/?region=G60")
    page.wait_for_selector("[data-testid=plane-chart] .main-svg")
    # The same plotly.js and the same place on the page as the plane the dashboard drew.
    page.evaluate(
        """figure => { const chart = document.querySelector('[data-testid=plane-chart]');
                       return Plotly.newPlot(chart, figure.data, figure.layout); }""",
        figure,
    )
    drawn = _texts(page, "[data-testid=plane-chart]")
    assert set(labels.values()) <= {text["text"] for text in drawn["texts"]}
    assert not _cut(drawn), f"cut at the plane's edge: {_cut(drawn)}"
    plane = _layout(page, "plane")
    for axis, values in (("x", corners["x"]), ("y", corners["y"])):
        low, high = sorted(plane[axis]["range"])
        room = min(min(values) - low, high - max(values)) / (high - low) * plane[axis]["length"]
        assert room >= 8, f"a city at the {axis} axis' end has {room:.1f} px for its marker"


@pytest.fixture
def yrd_demo(settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)
    call_command("load_demo", quiet=True)


def test_the_crowded_yrd_map_names_its_cities_without_writing_names_over_each_other(
    page, live_server, yrd_demo, language
):
    """41 cities on a phone: the names that fit are written (the best ranked first), none over another."""
    sign_in(page, live_server, "manager")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/dashboards/regions/YRD/?period=2025")
    chart_map = _layout(page, "map")
    drawn = _texts(page, "[data-testid=map-chart]")
    names = [text for text in drawn["texts"] if text["group"] == "textpoint"]
    assert len(names) >= 20, f"{len(names)} of 41 cities named"
    crossed = [(a["text"], b["text"]) for i, a in enumerate(names) for b in names[i + 1 :] if _overlap(a, b)]
    assert not crossed, f"city names written over each other: {crossed}"
    assert not _cut(drawn), _cut(drawn)
    assert chart_map["y"]["length"] >= 0.6 * chart_map["x"]["length"]
    assert chart_map["x"]["length"] >= 0.6 * (drawn["chart"]["right"] - drawn["chart"]["left"])
    # The region's leader is among the names.
    page.locator("[data-panel=ranking] summary").click()
    leader = page.locator("[data-testid=ranking-table] tbody tr td:nth-child(2)").first.inner_text()
    assert leader in {name["text"] for name in names}, leader
    screenshot(page, f"chart-layout-yrd-map-{language}-390")
