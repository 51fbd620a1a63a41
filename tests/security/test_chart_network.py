"""A name written as Plotly markup cannot make the report's chart browser fetch a URL (issue 15, point 4).

Plotly reads a small HTML in labels; in the Chromium that kaleido drives,
``<span style="fill:url(http://…)">`` made it request the URL while drawing a
PDF's chart, behind the back of the report fetcher. Two walls, each tried on
its own here against a real listener on 127.0.0.1:

- the figures hand every name to Plotly as text (`cities.chart_style.plotly_text`);
- the chart browser has no network (`assessment.reports.svg.CHART_BROWSER_FLAGS`).

``DUALSPACE_DISABLE_PROTECTION=chart_network`` takes both away, and the
listener is hit.
"""

import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

import pandas as pd
import pytest
from django.utils.html import escape

from accounts.roles import Role
from assessment.dashboards import figures as dashboard_figures
from assessment.reports import svg
from assessment.reports.render import render_city_report, render_region_report
from cities.models import City

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium"),
]

NAMED_CITY = "330100"  # Hangzhou: a demo city of the security world, published in G60
# Chromium starts a resource request while it paints and does not wait for it;
# a request it made has reached the listener well within this.
SETTLE_SECONDS = 0.5
SVG = "{http://www.w3.org/2000/svg}"


class Listener:
    """An HTTP server on a free port of 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.end_headers()

            do_GET = do_HEAD = do_POST = do_CONNECT = do_OPTIONS = answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def settled_hits(self) -> list[str]:
        time.sleep(SETTLE_SECONDS)
        return list(self.hits)


@pytest.fixture
def listener():
    listening = Listener()
    listening.thread.start()
    yield listening
    listening.server.shutdown()
    listening.server.server_close()


def payload(port: int, host: str = "127.0.0.1") -> str:
    return f'<span style="fill:url(http://{host}:{port}/f#x)">杭</span><img src=http://{host}:{port}/i>'


def test_reports_on_a_city_named_in_plotly_markup_send_no_request(world, listener):
    name = payload(listener.port)
    City.objects.filter(code=NAMED_CITY).update(name_zh=name, name_en=name)
    reader = world.users[Role.ADMINISTRATOR]
    city = City.objects.get(code=NAMED_CITY)
    city_report = render_city_report(user=reader, city=city, period=2025, language="zh-hans")
    region_report = render_region_report(user=reader, region=world.region, period=2025, language="en")
    # Both reports are about the renamed city (its name printed as text in the page) ...
    assert escape(name) in city_report.html and escape(name) in region_report.html
    # ... and drawing their charts sent nothing anywhere.
    assert listener.settled_hits() == []


def test_the_chart_browser_has_no_network_even_for_a_label_left_as_markup(listener):
    """Bypasses the escaping: a raw figure straight to the project's kaleido."""
    hosts = ("127.0.0.1", "localhost")
    labels = [payload(listener.port, host) for host in hosts]
    raw = {
        "data": [{"type": "bar", "x": labels, "y": [1, 2], "name": labels[0], "text": labels, "textposition": "auto"}],
        "layout": {
            "title": {"text": labels[1]},
            "showlegend": True,
            "annotations": [{"x": 0, "y": 1, "text": labels[0], "showarrow": False}],
        },
    }
    drawing = svg.figure_svg(raw, 680, 400)
    # kaleido still draws through its pipe: the figure is there, its markup read as Plotly's.
    assert drawing.startswith(b"<svg") and "杭".encode() in drawing
    assert listener.settled_hits() == []


def test_the_dashboard_figures_show_a_name_as_written(listener):
    """The name reaches plotly.js as text, escaped once (the dashboards' and kaleido's plotly.js are one version)."""
    name = payload(listener.port)
    frame = pd.DataFrame({"x": [40.0, 60.0], "y": [50.0, 70.0]}, index=[NAMED_CITY, "310000"])
    labels = {NAMED_CITY: name, "310000": "上海"}
    figure = dashboard_figures.plane_figure(frame, (50.0, 60.0), labels, (name, "Y"), NAMED_CITY)
    trace = figure["data"][0]
    written = trace["text"][0]
    assert written == trace["hovertext"][0] == trace["meta"][0] == figure["layout"]["xaxis"]["title"]["text"]
    assert written.startswith("&lt;span style=") and "<" not in written
    assert name not in trace["hovertemplate"]
    drawn = ElementTree.fromstring(svg.figure_svg(figure, 680, 480))
    texts = ["".join(element.itertext()) for element in drawn.iter(f"{SVG}text")]
    # Drawn as the characters typed (the written label and the axis title), not as "&lt;span…",
    # and no piece of it became a styled tspan.
    assert texts.count(name) == 2, texts
    assert not [text for text in texts if "&lt;" in text or "&amp;" in text]
    styled = [tspan.attrib for tspan in drawn.iter(f"{SVG}tspan") if "url(" in tspan.get("style", "")]
    assert styled == []
    assert listener.settled_hits() == []
