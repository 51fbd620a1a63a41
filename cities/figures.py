"""Plotly figures of the agreement network, built from plain results (never querysets).

Each builder returns a JSON-ready dict that the template hands to
``static/js/charts.js`` through ``json_script``; no script is inlined.
Colours follow Okabe and Ito (2008), a palette readable with the common
colour-vision deficiencies; with 16 domains and 8 colours, the second eight
domains repeat the colours with a dashed line.

Every figure of the project (these and `assessment.dashboards.figures`) leaves
its builder through `as_plotly_text`, so names and labels reach Plotly as text;
the palette, the font and that escaping are `cities.chart_style`.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from cities.chart_style import FONT, OKABE_ITO, as_plotly_text
from cities.network import AgreementEdge

DASHES = ("solid", "dash")


@dataclass(frozen=True)
class FigureCity:
    code: str
    label: str
    latitude: float
    longitude: float
    degree: int


def figure_cities(
    places: Iterable[tuple[str, float, float]], labels: Mapping[str, str], degree: Mapping[str, int]
) -> list[FigureCity]:
    """The cities of a network figure, from (code, latitude, longitude): each named and with its partner count."""
    return [
        FigureCity(
            code=code, label=labels.get(code, code), latitude=float(lat), longitude=float(lon), degree=degree[code]
        )
        for code, lat, lon in places
    ]


def domain_style(domain: str, domains: Sequence[str]) -> tuple[str, str]:
    """Colour and dash for a domain, fixed by its place in the full list of domains."""
    index = list(domains).index(domain) if domain in domains else 0
    return OKABE_ITO[index % len(OKABE_ITO)], DASHES[(index // len(OKABE_ITO)) % len(DASHES)]


def _as_json(figure: go.Figure) -> dict[str, Any]:
    return as_plotly_text(json.loads(figure.to_json()))


def network_figure(
    *,
    cities: Sequence[FigureCity],
    agreements: Sequence[AgreementEdge],
    domain_labels: Mapping[str, str],
) -> dict[str, Any]:
    """Cities at longitude/latitude; one line per bound pair, coloured by service domain."""
    where = {city.code: city for city in cities}
    domains = list(domain_labels)
    figure = go.Figure()
    by_domain: dict[str, list[AgreementEdge]] = {}
    for agreement in agreements:
        by_domain.setdefault(agreement.domain, []).append(agreement)
    for domain in sorted(by_domain, key=lambda d: domains.index(d) if d in domains else len(domains)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        pairs = set()
        for agreement in by_domain[domain]:
            inside = sorted(code for code in agreement.parties if code in where)
            pairs.update(combinations(inside, 2))
        for a, b in sorted(pairs):
            xs += [where[a].longitude, where[b].longitude, None]
            ys += [where[a].latitude, where[b].latitude, None]
        colour, dash = domain_style(domain, domains)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=domain_labels.get(domain, domain),
                line={"color": colour, "dash": dash, "width": 2},
                opacity=0.7,
                hoverinfo="skip",
            )
        )
    max_degree = max((city.degree for city in cities), default=0)
    figure.add_trace(
        go.Scatter(
            x=[city.longitude for city in cities],
            y=[city.latitude for city in cities],
            mode="markers+text",
            name=_("Cities"),
            # Past 15 cities written names would cover each other; they stay in the hover.
            text=[city.label if len(cities) <= 15 else "" for city in cities],
            hovertext=[city.label for city in cities],
            textposition="top center",
            customdata=[[city.code, city.degree] for city in cities],
            hovertemplate="%{hovertext} (%{customdata[0]})<br>"
            + _("Partner cities")
            + ": %{customdata[1]}<extra></extra>",
            marker={
                # Size grows with the number of partners, up to 22 px whatever the region's size.
                "size": [8 + 14 * city.degree / max(1, max_degree) for city in cities],
                "color": "#0b4f6c",
                "line": {"color": "#ffffff", "width": 1},
            },
        )
    )
    figure.update_layout(
        template="simple_white",
        font={"family": FONT},
        height=560,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        legend={"title": {"text": _("Service domain")}},
        xaxis={"title": {"text": _("Longitude (°E)")}},
        yaxis={"title": {"text": _("Latitude (°N)")}, "scaleanchor": "x", "scaleratio": 1.15},
    )
    return _as_json(figure)


def coverage_heatmap(*, matrix: pd.DataFrame, labels: Mapping[str, str]) -> dict[str, Any]:
    """The city x city count of agreements in force, as a heatmap."""
    names = [labels.get(code, code) for code in matrix.index]
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy().tolist(),
            x=names,
            y=names,
            colorscale="Viridis",
            zmin=0,
            # Gaps make plotly.js paint each cell at full size; without them it scales a
            # tiny image and relies on an image-rendering style attribute the CSP blocks.
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": _("Agreements")}},
            hovertemplate="%{y} – %{x}: %{z}<extra></extra>",
        )
    )
    size = max(360, 28 * len(names) + 160)
    figure.update_layout(
        template="simple_white",
        font={"family": FONT},
        height=size,
        margin={"l": 120, "r": 20, "t": 30, "b": 120},
        xaxis={"title": {"text": _("City")}, "tickangle": -45},
        yaxis={"title": {"text": _("City")}, "autorange": "reversed"},
    )
    return _as_json(figure)


def _plain(traces: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """A figure as a plain dict, its names and labels as text (see `cities.chart_style.plotly_text`)."""
    base = {"template": "plotly_white", "font": {"family": FONT, "size": 13}, "hoverlabel": {"font": {"family": FONT}}}
    return as_plotly_text({"data": traces, "layout": {**base, **layout}})


def domain_breadth_figure(distribution: Mapping[int, int], domain_count: int) -> dict[str, Any]:
    """Pairs of member cities by the number of service domains in which an agreement binds both: a bar per count."""
    counts = list(range(domain_count + 1))
    return _plain(
        [
            {
                "type": "bar",
                "x": counts,
                "y": [distribution.get(count, 0) for count in counts],
                "marker": {"color": OKABE_ITO[4]},
                "hovertemplate": _("%(domains)s domains: %(pairs)s pairs") % {"domains": "%{x}", "pairs": "%{y}"}
                + "<extra></extra>",
            }
        ],
        {
            "height": 300,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
            "xaxis": {
                "title": {"text": _("Service domains shared (of %(count)d)") % {"count": domain_count}},
                "dtick": 1,
                "range": [-0.5, domain_count + 0.5],
            },
            "yaxis": {"title": {"text": _("Pairs of cities")}, "rangemode": "tozero"},
        },
    )


# Where a priority number goes, tried in this order; a point takes the first no close neighbour has taken.
NUMBER_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")


def _number_positions(points: Sequence[Mapping[str, Any]], log_flow: bool) -> list[str]:
    """A text position per point so that close points' numbers do not run together.

    Alternating above and below by list order put two pairs at one coverage and almost one flow
    both below, where 6 and 4 read "64". Close: within 4 points of coverage and, across, within a
    factor of 1.6 of flow (log scale) or 8 % of the flow range (linear).
    """
    flows = [float(point["flow"]) for point in points]
    span = (max(flows) - min(flows)) if flows else 0.0

    def close(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
        if abs(float(a["coverage"]) - float(b["coverage"])) > 4:
            return False
        fa, fb = float(a["flow"]), float(b["flow"])
        if log_flow and fa > 0 and fb > 0:
            return max(fa, fb) / min(fa, fb) <= 1.6
        return abs(fa - fb) <= 0.08 * span

    positions: list[str] = []
    for index, point in enumerate(points):
        taken = {positions[other] for other in range(index) if close(points[other], point)}
        positions.append(next((place for place in NUMBER_POSITIONS if place not in taken), NUMBER_POSITIONS[0]))
    return positions


def dual_space_figure(
    *,
    points: Sequence[Mapping[str, Any]],
    flow_title: str,
    log_flow: bool,
    highlight: str | None = None,
) -> dict[str, Any]:
    """Pairs of cities: physical flow across (log scale when it spans orders), digital coverage (% of domains) up.

    Each point is a mapping with ``label`` (the pair's names, in the hover), ``flow``, ``coverage`` (0-100),
    ``priority`` (its number in the priority table, written on the chart, or None) and ``codes``; a highlighted
    city's pairs are drawn larger and outlined. Numbers rather than names: the priority pairs often share one
    coverage, and their names would cover each other.
    """
    groups = (
        (False, _("Other pairs"), OKABE_ITO[1], "circle"),
        (True, _("Priority pairs: strong flow, thin coverage"), OKABE_ITO[5], "diamond"),
    )
    traces = []
    for is_priority, name, colour, symbol in groups:
        chosen = [point for point in points if (point["priority"] is not None) == is_priority]
        if not chosen:
            continue
        mine = [highlight in point["codes"] for point in chosen] if highlight else [False] * len(chosen)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text" if is_priority else "markers",
                "name": name,
                "x": [point["flow"] for point in chosen],
                "y": [point["coverage"] for point in chosen],
                "text": [str(point["priority"]) if is_priority else "" for point in chosen],
                "hovertext": [point["label"] for point in chosen],
                "textposition": _number_positions(chosen, log_flow) if is_priority else "top center",
                "textfont": {"size": 11},
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": [13 if own else 9 for own in mine],
                    "line": {"color": "#000000", "width": [2 if own else 0.5 for own in mine]},
                    "opacity": 0.85,
                },
                "hovertemplate": "%{hovertext}<br>"
                + flow_title
                + ": %{x:.3g}<br>"
                + _("Digital coverage")
                + ": %{y:.1f}%"
                "<extra></extra>",
            }
        )
    return _plain(
        traces,
        {
            "height": 440,
            "margin": {"l": 70, "r": 20, "t": 20, "b": 60},
            "legend": {"orientation": "h", "y": -0.22},
            "xaxis": {"title": {"text": flow_title}, "type": "log" if log_flow else "linear"},
            "yaxis": {"title": {"text": _("Digital coverage (percent of service domains)")}, "range": [-3, 103]},
        },
    )


def partner_figure(*, partners: Sequence[Mapping[str, Any]], flow_title: str) -> dict[str, Any]:
    """A city's partners, largest flow on top: bars of digital coverage (% of domains), the flow in the hover."""
    shown = list(partners)
    return _plain(
        [
            {
                "type": "bar",
                "orientation": "h",
                "y": [partner["label"] for partner in shown],
                "x": [partner["coverage"] for partner in shown],
                "customdata": [[partner["flow_text"]] for partner in shown],
                "marker": {"color": [OKABE_ITO[5] if partner["weak"] else OKABE_ITO[4] for partner in shown]},
                "hovertemplate": "%{y}: %{x:.1f}%<br>" + flow_title + ": %{customdata[0]}<extra></extra>",
            }
        ],
        {
            "height": max(260, 26 * len(shown) + 90),
            "margin": {"l": 110, "r": 20, "t": 20, "b": 60},
            "xaxis": {"title": {"text": _("Digital coverage (percent of service domains)")}, "range": [0, 100]},
            # The order (largest flow on top) is in the caption: the longer title ran off the top of a short chart.
            "yaxis": {"autorange": "reversed", "title": {"text": _("Partner city")}},
        },
    )
