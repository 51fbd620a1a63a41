"""The charts as drawn, at a desktop's and a phone's width: nothing a reader needs is cut or squeezed.

Checked from Plotly's own layout in the page (``gd._fullLayout``): the
highlighted city lies inside the plane's plot area with room for its marker,
the rank axis starts at 1 (never 0 or below), the map carries city labels and
stays a map (its plot at least 60 % as tall as it is wide), and the stage and
trend charts keep their labels and legends clear of their axes.
"""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_dashboards import g60_demo  # noqa: F401 - the fixture
from tests.e2e.test_sign_in_by_role import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)

# The figure a panel drew, as Plotly laid it out.
LAYOUT = """slug => {
  const gd = document.querySelector(`[data-testid=${slug}-chart] .js-plotly-plot`) || document.querySelector(`[data-testid=${slug}-chart]`);
  const full = gd._fullLayout;
  const axis = a => ({range: a.range.map(Number), length: a._length, ticks: (a._vals || []).map(t => t.x), offset: a._offset});
  return {x: axis(full.xaxis), y: axis(full.yaxis), data: gd._fullData.map(t => ({name: t.name, mode: t.mode, x: t.x, y: t.y,
          size: t.marker && t.marker.size, symbol: t.marker && t.marker.symbol, cliponaxis: t.cliponaxis, textposition: t.textposition})),
          texts: gd.querySelectorAll('.scatterlayer .textpoint text').length,
          legend: full.legend && full.legend._bbox ? {...full.legend._bbox} : null,
          xtitle: (gd.querySelector('.g-xtitle text') || {getBoundingClientRect: () => null}).getBoundingClientRect()};
}"""


def _layout(page, slug: str) -> dict:
    page.wait_for_selector(f"[data-testid={slug}-chart] .main-svg")
    return page.evaluate(LAYOUT, slug)


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request):
    return request.param


def test_the_city_dashboard_draws_the_highlighted_city_whole_and_ranks_from_1(page, live_server, g60_demo, width):  # noqa: F811
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
    screenshot(page, f"chart-layout-city-{width}")


def test_the_region_dashboard_ranks_from_1_and_its_map_is_a_labelled_map(page, live_server, g60_demo, width):  # noqa: F811
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

    stages = _layout(page, "stages")
    # Cities per stage are counted in whole cities: no 0.2, 0.4 ticks.
    counts_axis = stages["x"]
    assert all(float(tick).is_integer() for tick in counts_axis["ticks"]), counts_axis["ticks"]
    assert stages["data"][0]["cliponaxis"] is False
    screenshot(page, f"chart-layout-region-{width}")
