"""Plotly figures of the dashboards, as plain JSON-ready dicts built from `assessment.dashboards.frames` tables.

Plain dicts rather than ``plotly.graph_objects``: the browser's plotly.js
validates them anyway, and skipping the Python-side validation keeps a
41-city region page fast. The same dicts are exported to vector graphics
for the PDF reports. Every builder returns through `_figure`, which escapes
the names and labels (`as_plotly_text`): Plotly must show a city's name,
never read it as markup. Colours: Okabe and Ito's palette for categories and
Viridis for magnitudes, both readable with the common colour-vision
deficiencies; the highlighted city is also drawn larger and outlined, so
colour is never the only cue. The palette, the font and the escaping are
shared with the agreement network's figures (`cities.chart_style`).
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from assessment.dashboards.labels import display_number
from cities.chart_style import FONT, OKABE_ITO, as_plotly_text

Figure = dict[str, Any]
HIGHLIGHT = "#D55E00"
OTHERS = "#0072B2"
MEDIAN_LINE = "#999999"


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def _figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> Figure:
    """The figure as Plotly gets it, its names and labels as text (see `plotly_text`)."""
    return as_plotly_text({"data": traces, "layout": layout})


def _plotted(value: float) -> float | None:
    """A value as the figure holds it: two decimals, None (a gap) where there is none."""
    return display_number(value, 2, blank=None)


def stage_colours(ladder: Sequence[str]) -> dict[str, str]:
    """One Okabe-Ito colour per rung, in ladder order."""
    return {stage: OKABE_ITO[i % len(OKABE_ITO)] for i, stage in enumerate(ladder)}


def _rank_axis(frame: pd.DataFrame) -> dict[str, Any]:
    """Ranks run from 1 (left) to the last place; Plotly's autorange padded them to 0 and beyond."""
    last = int(max([len(frame), *[v for v in frame["rank_p95"].dropna()], *[v for v in frame["rank"].dropna()]]))
    step = 1 if last <= 12 else 5
    ticks = [1, *range(step if step > 1 else 2, last + 1, step)]
    return {"range": [last + 0.5, 0.5], "tickmode": "array", "tickvals": ticks, "zeroline": False}


def ranking_figure(
    frame: pd.DataFrame, labels: Mapping[str, str], highlight: str | None, method: Mapping[str, str]
) -> Figure:
    """Rank (median of the Monte Carlo) with its interval per city; the stored rank as a dot.

    ``method``: `rank_intervals.method_stated`, for the interval's percentiles in the legend.
    """
    names = [labels.get(code, code) for code in frame.index]
    has_interval = frame["rank_p05"].notna().any()
    traces: list[dict[str, Any]] = []
    if has_interval:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Rank interval (percentiles %(interval_low)s–%(interval_high)s)") % method,
                "x": [_plotted(v) for v in frame["rank_median"]],
                "y": names,
                "marker": {"symbol": "line-ns-open", "size": 10, "color": MEDIAN_LINE},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [_plotted(v) for v in frame["rank_p95"] - frame["rank_median"]],
                    "arrayminus": [_plotted(v) for v in frame["rank_median"] - frame["rank_p05"]],
                    "color": MEDIAN_LINE,
                    "thickness": 3,
                    "width": 0,
                },
                "hovertemplate": "%{y}: %{x}<extra>" + _("median rank") + "</extra>",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Rank"),
            "x": [_plotted(v) for v in frame["rank"]],
            "y": names,
            "marker": {
                "size": [14 if code == highlight else 9 for code in frame.index],
                "color": [HIGHLIGHT if code == highlight else OTHERS for code in frame.index],
                "line": {"color": "#000000", "width": [2 if code == highlight else 0 for code in frame.index]},
            },
            "hovertemplate": "%{y}: %{x}<extra>" + _("rank") + "</extra>",
        }
    )
    return _figure(
        traces,
        _layout(
            max(320, 22 * len(frame) + 90),
            xaxis={"title": {"text": _("Rank (1 = highest index)")}, **_rank_axis(frame)},
            # A standoff from the names: without it the title sat on the longest name in a what-if redraw.
            yaxis={"title": {"text": _("City"), "standoff": 12}, "autorange": "reversed", "automargin": True},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        ),
    )


PLANE_HEIGHT = 520  # px
PLANE_MARGIN = {"l": 60, "r": 40, "t": 40, "b": 100}
PLANE_RANGE = {"x": (-4.0, 104.0), "y": (-4.0, 108.0)}
PLANE_NAME_SIZE = 11  # px
PLANE_JUDGED_WIDTH = 250  # px across the plot where names are placed: a phone's, where they crowd most
PLANE_ALL_NAMED = 12  # a region of up to this many cities has every name written
PLANE_EXTREMES = 3  # else: the top and bottom few on each axis are named...
PLANE_OFF_DIAGONAL = 4  # ...and the cities furthest from the diagonal (x far from y)
THRESHOLD_LINE = "#000000"
# Where a name may go around its marker, tried in this order; Plotly's textposition values.
_NAME_PLACES = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)

Box = tuple[float, float, float, float]  # left, top, right, bottom in px, downwards


def _plane_px(x: float, y: float) -> tuple[float, float]:
    """A plane point in px of the plot judged (`PLANE_JUDGED_WIDTH` across), y downwards."""
    (x0, x1), (y0, y1) = PLANE_RANGE["x"], PLANE_RANGE["y"]
    tall = PLANE_HEIGHT - PLANE_MARGIN["t"] - PLANE_MARGIN["b"]
    return (x - x0) / (x1 - x0) * PLANE_JUDGED_WIDTH, (y1 - y) / (y1 - y0) * tall


def _name_box(place: str, x: float, y: float, width: float, radius: float) -> Box:
    """Where Plotly writes a name of ``width`` px at ``place`` around a marker of ``radius`` px at (x, y)."""
    tall = 1.3 * PLANE_NAME_SIZE
    vertical, horizontal = place.split()
    if horizontal == "center":
        left = x - width / 2
    elif horizontal == "right":
        left = x + (radius if vertical == "middle" else radius * 0.5)
    else:
        left = x - width - (radius if vertical == "middle" else radius * 0.5)
    if vertical == "middle":
        top = y - tall / 2
    elif vertical == "top":
        top = y - radius - tall
    else:
        top = y + radius
    return (left, top, left + width, top + tall)


def _crossing(box: Box, others: Sequence[Box]) -> int:
    return sum(1 for o in others if box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3])


_CORNERS = {
    "both": (100.0, 100.0, "right", "top"),
    "x_only": (100.0, 0.0, "right", "bottom"),
    "y_only": (0.0, 100.0, "left", "top"),
    "neither": (0.0, 0.0, "left", "bottom"),
}
_CORNER_SIZE = 11  # px, the quadrants' names


def _corner_box(key: str, text: str) -> Box:
    """Where a quadrant's name stands in its corner, in the px of `_plane_px`."""
    x, y, anchor_x, anchor_y = _CORNERS[key]
    px, py = _plane_px(x, y)
    width, tall = _text_width(text, _CORNER_SIZE), 1.3 * _CORNER_SIZE
    left = px - width if anchor_x == "right" else px
    top = py if anchor_y == "top" else py - tall
    return (left, top, left + width, top + tall)


def plane_names(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    highlight: str | None = None,
    quadrant_names: Mapping[str, str] | None = None,
    lines: Sequence[tuple[str, float]] = (),
) -> dict[str, str]:
    """Code -> textposition of the cities whose names the plane writes; the others are named on hover.

    Up to `PLANE_ALL_NAMED` cities every name is written. Past that, the
    highlighted city, the `PLANE_EXTREMES` highest and lowest on each axis
    and the `PLANE_OFF_DIAGONAL` cities furthest from the diagonal, in that
    order, each where its name covers no marker, no quadrant's name and no
    name already written (judged on a phone-wide plot); one that fits
    nowhere is left to hover.
    Every name is placed the same way when all are written, the least
    crossing place winning. ``lines`` (axis "x" or "y", value) are the
    threshold and median lines: a name avoids crossing one where it can,
    but crossing one never leaves a name unwritten.
    """
    codes = list(frame.index)
    if not codes:
        return {}
    points = {code: _plane_px(float(frame.loc[code, "x"]), float(frame.loc[code, "y"])) for code in codes}
    radii = {code: 8.0 if code == highlight else 5.0 for code in codes}
    markers: dict[str, Box] = {
        code: (px - radii[code], py - radii[code], px + radii[code], py + radii[code])
        for code, (px, py) in points.items()
    }
    every = len(codes) <= PLANE_ALL_NAMED
    if every:
        wanted = codes
    else:
        by_x, by_y = frame["x"].sort_values(), frame["y"].sort_values()
        off_diagonal = (frame["x"] - frame["y"]).abs().sort_values(ascending=False)
        wanted = [
            *([highlight] if highlight in points else []),
            *by_x.index[::-1][:PLANE_EXTREMES],
            *by_y.index[::-1][:PLANE_EXTREMES],
            *by_x.index[:PLANE_EXTREMES],
            *by_y.index[:PLANE_EXTREMES],
            *off_diagonal.index[:PLANE_OFF_DIAGONAL],
        ]
        wanted = list(dict.fromkeys(wanted))
    tall = PLANE_HEIGHT - PLANE_MARGIN["t"] - PLANE_MARGIN["b"]
    frame_box: Box = (-PLANE_MARGIN["l"] + 30, -PLANE_MARGIN["t"] + 14, PLANE_JUDGED_WIDTH + PLANE_MARGIN["r"], tall)
    written: dict[str, Box] = {}
    places: dict[str, str] = {}
    corners = [_corner_box(key, text) for key, text in (quadrant_names or {}).items() if key in _CORNERS]
    line_boxes: list[Box] = []
    for axis, value in lines:
        if pd.isna(value):
            continue
        if axis == "x":
            px = _plane_px(float(value), 0.0)[0]
            line_boxes.append((px - 1, frame_box[1], px + 1, frame_box[3]))
        else:
            py = _plane_px(0.0, float(value))[1]
            line_boxes.append((frame_box[0], py - 1, frame_box[2], py + 1))
    for code in wanted:
        width = _text_width(labels.get(code, code), PLANE_NAME_SIZE)
        others = [box for other, box in markers.items() if other != code] + corners + list(written.values())
        # (names, markers or corners crossed; lines crossed): a line struck through a name reads badly, a name
        # on another name not at all.
        best: tuple[tuple[int, int], str, Box] | None = None
        for place in _NAME_PLACES:
            box = _name_box(place, *points[code], width, radii[code])
            outside = box[0] < frame_box[0] or box[1] < frame_box[1] or box[2] > frame_box[2] or box[3] > frame_box[3]
            cost = (_crossing(box, others) + (100 if outside else 0), _crossing(box, line_boxes))
            if best is None or cost < best[0]:
                best = (cost, place, box)
            if cost == (0, 0):
                break
        assert best is not None
        if best[0][0] == 0 or every or code == highlight:
            places[code], written[code] = best[1], best[2]
    return places


def plane_figure(
    frame: pd.DataFrame,
    medians: tuple[float, float],
    labels: Mapping[str, str],
    axis_titles: tuple[str, str],
    highlight: str | None = None,
    *,
    thresholds: Mapping[str, tuple[float, str]] | None = None,
    stages: Mapping[str, str] | None = None,
    quadrant_names: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Cities on the in-city × cross-boundary plane: threshold and medians as lines, names per `plane_names`.

    ``thresholds``: per axis ("x", "y") the threshold's score and the line's
    label (what the ladder asks there); ``stages``: per city the stage's
    name, on hover; ``quadrant_names``: written in the plane's corners
    (keys "both", "x_only", "y_only", "neither"); ``names``: the legend's
    words for "threshold" and "median" lines.
    """
    x_median, y_median = medians
    codes = list(frame.index)
    drawn_lines = [(axis, value) for axis, (value, _label) in (thresholds or {}).items()]
    drawn_lines += [("x", x_median), ("y", y_median)]  # NaN when no median is drawn: plane_names skips it
    placed = plane_names(frame, labels, highlight, quadrant_names, drawn_lines)
    stage_of = stages or {}
    legend_words = {"threshold": _("Stage threshold"), "median": _("Region median"), **(names or {})}
    # Lines as shapes below the cities, named in the legend: the cities stay the figure's first trace.
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []

    def lines(kind: str, ends: list[tuple[float, float, float, float]], line: dict[str, Any]) -> None:
        for i, (x0, y0, x1, y1) in enumerate(ends):
            shapes.append(
                {
                    "type": "line",
                    "layer": "below",
                    "x0": x0,
                    "y0": y0,
                    "x1": x1,
                    "y1": y1,
                    "line": line,
                    "name": legend_words[kind],
                    "legendgroup": kind,
                    "showlegend": i == 0,
                }
            )

    if thresholds:
        for axis, (value, label) in thresholds.items():
            if axis == "x":
                # Above the plot, over its line: not over a city.
                annotations.append(
                    {"x": value, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom", "text": label}
                )
            else:
                # Right of the plot, along its line.
                annotations.append(
                    {
                        "x": 1,
                        "y": value,
                        "xref": "paper",
                        "yref": "y",
                        "xanchor": "left",
                        "textangle": 90,
                        # Clear of a city drawn at 100 on the plot's edge.
                        "xshift": 10,
                        "text": label,
                    }
                )
        for annotation in annotations:
            annotation.update({"showarrow": False, "font": {"size": 11, "color": THRESHOLD_LINE}})
        lines(
            "threshold",
            [(v, 0, v, 100) if axis == "x" else (0, v, 100, v) for axis, (v, _label) in thresholds.items()],
            {"color": THRESHOLD_LINE, "width": 1.5},
        )
    if not pd.isna(x_median):
        lines(
            "median",
            [(x_median, 0, x_median, 100), (0, y_median, 100, y_median)],
            {"color": MEDIAN_LINE, "dash": "dot", "width": 1},
        )
    traces: list[dict[str, Any]] = []
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": _("Cities"),
            "showlegend": False,
            "x": [_plotted(v) for v in frame["x"]],
            "y": [_plotted(v) for v in frame["y"]],
            "text": [labels.get(code, code) if code in placed else "" for code in codes],
            "hovertext": [labels.get(code, code) for code in codes],
            "customdata": [[code, stage_of.get(code, "")] for code in codes],
            "textposition": [placed.get(code, "top center") for code in codes],
            "textfont": {"size": PLANE_NAME_SIZE},
            # A city at 0 or 100 sits on the frame: drawn whole, its name too, not cut at the axis.
            "cliponaxis": False,
            "marker": {
                "size": [16 if code == highlight else 10 for code in codes],
                "color": [HIGHLIGHT if code == highlight else OTHERS for code in codes],
                "symbol": ["diamond" if code == highlight else "circle" for code in codes],
                "line": {"color": "#000000", "width": [2 if code == highlight else 0 for code in codes]},
            },
            # The axis titles are the framework's names: data, so they go in as variables.
            "meta": list(axis_titles),
            "hovertemplate": "%{hovertext}<br>%{meta[0]}: %{x}<br>%{meta[1]}: %{y}"
            + ("<br>%{customdata[1]}" if stages else "")
            + "<extra></extra>",
        }
    )
    for key, (x, y, anchor_x, anchor_y) in _CORNERS.items():
        if quadrant_names and key in quadrant_names:
            annotations.append(
                {
                    "x": x,
                    "y": y,
                    "xanchor": anchor_x,
                    "yanchor": anchor_y,
                    "text": quadrant_names[key],
                    "showarrow": False,
                    "font": {"color": "#555555", "size": _CORNER_SIZE},
                }
            )
    (x0, x1), (y0, y1) = PLANE_RANGE["x"], PLANE_RANGE["y"]
    return _figure(
        traces,
        _layout(
            PLANE_HEIGHT,
            xaxis={
                "title": {"text": axis_titles[0]},
                "range": [x0, x1],
                "tickvals": [0, 25, 50, 75, 100],
                "zeroline": False,
            },
            yaxis={
                "title": {"text": axis_titles[1]},
                "range": [y0, y1],
                "tickvals": [0, 25, 50, 75, 100],
                "zeroline": False,
            },
            annotations=annotations,
            # Below the axis title: above the plot stands the threshold's label.
            legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
            showlegend=bool(shapes),
            shapes=shapes,
            margin=dict(PLANE_MARGIN),
        ),
    )


def heatmap_figure(
    matrix: pd.DataFrame,
    row_labels: Mapping[str, str],
    column_labels: Mapping[str, str],
    colour_title: str,
    axis_titles: tuple[str, str],
) -> Figure:
    """Rows x columns of scores 0-100, Viridis, the value written in each cell; ``axis_titles``: (columns, rows)."""
    z = [[_plotted(v) for v in row] for row in matrix.to_numpy()]
    return _figure(
        [
            {
                "type": "heatmap",
                "z": z,
                "x": [column_labels.get(code, code) for code in matrix.columns],
                "y": [row_labels.get(code, code) for code in matrix.index],
                "text": [["" if v is None else f"{v:.0f}" for v in row] for row in z],
                "texttemplate": "%{text}",
                "colorscale": "Viridis",
                "zmin": 0,
                "zmax": 100,
                "xgap": 1,
                "ygap": 1,
                "colorbar": {"title": {"text": colour_title}},
                "hovertemplate": "%{y} · %{x}: %{z}<extra></extra>",
            }
        ],
        _layout(
            max(300, 24 * len(matrix) + 140),
            xaxis={"title": {"text": axis_titles[0]}, "side": "top", "tickangle": -30, "automargin": True},
            yaxis={"title": {"text": axis_titles[1]}, "autorange": "reversed", "automargin": True},
            margin={"l": 60, "r": 20, "t": 90, "b": 20},
        ),
    )


def bar_figure(
    categories: Sequence[str],
    values: Sequence[float],
    axis_title: str,
    colours: Sequence[str] | str = OTHERS,
    horizontal: bool = False,
    names_above: bool = False,
    *,
    category_title: str,
    digits: int | None = None,
) -> Figure:
    """Bars with their values written outside; ``names_above`` (across only) writes each name over its bar.

    ``axis_title`` names the values' axis with its unit, ``category_title`` the bars'.

    Names over the bars have the chart's whole width: a long name such as
    "S2+ Second breakthrough: collaborating" left of its bar took more than a
    phone's width can spare and was cut at the chart's edge.
    """
    values_out = [_plotted(v) for v in values]
    trace: dict[str, Any] = {
        "type": "bar",
        "marker": {"color": list(colours) if not isinstance(colours, str) else colours},
        # ``digits`` writes every value with as many decimals as its table: "9.0" beside "10.2", not "9".
        "text": [("" if v is None else f"{v:g}" if digits is None else f"{v:.{digits}f}") for v in values_out],
        "textposition": "outside",
        "cliponaxis": False,
    }
    counts = all(v is None or float(v).is_integer() for v in values_out)
    # Counts (cities per stage) read 0, 1, 2: never 0.2, 0.4 when the tallest bar is 1.
    value_axis: dict[str, Any] = (
        {"tickformat": "d", "dtick": 1} if counts and max((v or 0) for v in values_out) <= 10 else {}
    )
    if horizontal:
        trace.update({"x": values_out, "y": list(categories), "orientation": "h"})
        axes = {
            "xaxis": {"title": {"text": axis_title}, "rangemode": "tozero", **value_axis},
            "yaxis": {"title": {"text": category_title}, "autorange": "reversed", "automargin": True},
        }
        height = max(260, 26 * len(categories) + 90)
        if names_above:
            return _bars_with_names_above(trace, categories, axes)
    else:
        trace.update({"x": list(categories), "y": values_out})
        axes = {
            "yaxis": {"title": {"text": axis_title}, "rangemode": "tozero", **value_axis},
            "xaxis": {"title": {"text": category_title}, "automargin": True},
        }
        height = 320
    # Room above (or beside) the longest bar for its label.
    return _figure([trace], _layout(height, showlegend=False, margin={"l": 60, "r": 40, "t": 40, "b": 50}, **axes))


def _bars_with_names_above(trace: dict[str, Any], categories: Sequence[str], axes: dict[str, Any]) -> Figure:
    bargap = 0.5
    # On the category axis bar i spans i ± (1 - bargap) / 2; the axis runs downwards, so the
    # name's bottom at i - (1 - bargap) / 2 stands just over the bar at any height of the chart.
    annotations = [
        {
            "x": 0,
            "y": i - (1 - bargap) / 2,
            "xref": "x",
            "yref": "y",
            "xanchor": "left",
            "yanchor": "bottom",
            "text": name,
            "showarrow": False,
            "font": {"size": 12},
        }
        for i, name in enumerate(categories)
    ]
    axes["yaxis"].update({"showticklabels": False, "automargin": False})
    return _figure(
        [trace],
        _layout(
            max(260, 44 * len(categories) + 80),
            showlegend=False,
            bargap=bargap,
            annotations=annotations,
            # Room for the stage axis' title, left of the names.
            margin={"l": 40, "r": 40, "t": 20, "b": 50},
            **axes,
        ),
    )


def radar_figure(
    frame: pd.DataFrame, labels: Mapping[str, str], city_label: str, *, with_region: bool = True
) -> Figure:
    """The city against the region's median and best, one spoke per dimension (the city alone without the region)."""
    theta = [labels.get(code, code) for code in frame.index]
    theta_closed = theta + theta[:1]

    def closed(column: str) -> list[float | None]:
        values = [_plotted(v) for v in frame[column]]
        return values + values[:1]

    region_traces = [
        {
            "type": "scatterpolar",
            "r": closed("best"),
            "theta": theta_closed,
            "name": _("Region best"),
            "line": {"color": OKABE_ITO[2], "dash": "dash"},
        },
        {
            "type": "scatterpolar",
            "r": closed("median"),
            "theta": theta_closed,
            "name": _("Region median"),
            "line": {"color": MEDIAN_LINE, "dash": "dot"},
        },
    ]
    traces = [
        *(region_traces if with_region else []),
        {
            "type": "scatterpolar",
            "r": closed("city"),
            "theta": theta_closed,
            "name": city_label,
            "fill": "toself",
            "line": {"color": HIGHLIGHT, "width": 3},
            "opacity": 0.8,
        },
    ]
    # The radial scale runs between the first two spokes: on a spoke its numbers sat on that spoke's name.
    # It stops at 80: a "100" on the outer ring touched the second spoke's name; the ring is 100.
    between = 90 - 180 / max(len(theta), 1)
    return _figure(
        traces,
        _layout(
            460,
            polar={
                "radialaxis": {
                    "range": [0, 100],
                    "angle": between,
                    "tickangle": between,
                    "tickfont": {"size": 10},
                    "tickvals": [20, 40, 60, 80],
                },
                "angularaxis": {"rotation": 90, "direction": "clockwise"},
            },
            legend={"orientation": "h", "y": -0.1},
            margin={"l": 70, "r": 70, "t": 40, "b": 40},
        ),
    )


def trend_figure(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    re_expressed: frozenset[str] | set[str] = frozenset(),
    break_before: str | None = None,
    break_label: str = "",
) -> Figure:
    """One line per node over the periods (rows: periods; columns: node codes).

    Periods in ``re_expressed`` (earlier results re-expressed in this version)
    get open markers; a dashed vertical line with ``break_label`` stands just
    before the period ``break_before``, where the framework version changes.
    """
    periods = [str(period) for period in frame.index]
    traces = []
    for i, code in enumerate(frame.columns):
        trace: dict[str, Any] = {
            "type": "scatter",
            "mode": "lines+markers",
            "name": labels.get(code, code),
            "x": periods,
            "y": [_plotted(v) for v in frame[code]],
            "line": {"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)], "dash": ("solid", "dash", "dot")[i % 3]},
        }
        if re_expressed:
            trace["marker"] = {
                "symbol": ["circle-open" if period in re_expressed else "circle" for period in periods],
                "size": [10 if period in re_expressed else 7 for period in periods],
            }
        traces.append(trace)
    extra: dict[str, Any] = {}
    if break_before is not None and break_before in periods:
        # On a category axis the periods sit at 0, 1, 2 ...: the break is drawn half way to the one before.
        position = periods.index(break_before) - 0.5
        extra["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": position,
                "x1": position,
                "y0": 0,
                "y1": 1,
                "line": {"color": THRESHOLD_LINE, "dash": "dash", "width": 1.5},
            }
        ]
        # At the foot of the line: at its top a leading city's lines (90 to 100) ran through the words.
        extra["annotations"] = [
            {
                "x": position,
                "y": 0,
                "xref": "x",
                "yref": "paper",
                "text": break_label,
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        ]
    return _figure(
        traces,
        _layout(
            320,
            xaxis={"title": {"text": _("Period")}, "type": "category"},
            yaxis={"title": {"text": _("Score (0–100)")}, "range": [0, 100]},
            # Above the plot: below it, the legend ran into the axis title.
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            **extra,
        ),
    )


def map_figure(
    outlines: Sequence[Mapping[str, Any]],
    cities: pd.DataFrame,
    stages: pd.Series,
    labels: Mapping[str, str],
    stage_labels: Mapping[str, str],
    ladder: Sequence[str],
    priority: Sequence[str] = (),
) -> Figure:
    """Province outlines as filled lines, cities at their coordinates coloured by stage and named.

    No map library and no tiles: the outlines come from static GeoJSON and
    are drawn on plain longitude/latitude axes (1° of latitude is drawn
    1.15x a degree of longitude, about right at 30° N). Where names would
    cross, the cities first in ``priority`` (the ranking) keep theirs.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    for feature in outlines:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            for ring in polygon[:1]:
                xs.extend(point[0] for point in ring)
                ys.extend(point[1] for point in ring)
                xs.append(None)
                ys.append(None)
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "fill": "toself",
            "fillcolor": "#f2f2f2",
            "line": {"color": "#9a9a9a", "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": _("Provinces"),
        }
    ]
    pad = 0.6
    x_range = [float(cities["longitude"].min()) - pad, float(cities["longitude"].max()) + pad]
    y_range = [float(cities["latitude"].min()) - pad, float(cities["latitude"].max()) + pad]
    # As tall as the region is on a chart 460 px across (a desktop's panel), within reason.
    plot_height = round(
        min(640, max(320, 460 * (y_range[1] - y_range[0]) * MAP_LATITUDE_SCALE / (x_range[1] - x_range[0])))
    )
    written = _map_names_that_fit(cities, labels, priority, x_range, y_range, plot_height)
    colours = stage_colours(ladder)
    unscored = [code for code in cities.index if code not in stages.index]
    for stage in ladder:
        codes = [code for code in cities.index if stages.get(code) == stage]
        if not codes:
            continue
        traces.append(_city_markers(cities, codes, labels, written, stage_labels.get(stage, stage), colours[stage]))
    if unscored:
        traces.append(_city_markers(cities, unscored, labels, written, _("No published result"), "#ffffff"))
    # Below the map, one line per stage (the English names are long), clear of the axis title:
    # beside it, the stage names took half of a phone's width and left the map a strip.
    legend_height = 22 * (len(traces) - 1) + 30
    below_plot = 70
    return _figure(
        traces,
        _layout(
            30 + plot_height + below_plot + legend_height,
            xaxis={"title": {"text": _("Longitude (°E)")}, "range": x_range, "showgrid": False},
            yaxis={
                "title": {"text": _("Latitude (°N)")},
                "range": y_range,
                "scaleanchor": "x",
                "scaleratio": MAP_LATITUDE_SCALE,
                "showgrid": False,
            },
            legend={
                "title": {"text": _("Stage")},
                "orientation": "h",
                "y": -below_plot / plot_height,
                "yanchor": "top",
            },
            margin={"l": 60, "r": 20, "t": 30, "b": below_plot + legend_height},
        ),
    )


MAP_LATITUDE_SCALE = 1.15  # a degree of latitude is drawn 1.15 times a degree of longitude (about right at 30° N)
MAP_NAME_SIZE = 9  # px


# How wide a Latin character is drawn, in ems (of a sans-serif like DejaVu Sans); a Chinese one is square.
_NARROW, _SLIM, _WIDE = frozenset("ijl'.,:;|!"), frozenset("ftrIJ() -"), frozenset("mwMW")


def _text_width(text: str, size: float) -> float:
    """About how wide a label is drawn, in px: close enough to tell whether two names would cross."""

    def em(char: str) -> float:
        if ord(char) >= 0x2E80:
            return 1.0
        if char in _NARROW:
            return 0.28
        if char in _SLIM:
            return 0.4
        if char in _WIDE:
            return 0.9
        return 0.7 if char.isupper() else 0.62

    return size * sum(em(char) for char in text)


def _map_names_that_fit(
    cities: pd.DataFrame,
    labels: Mapping[str, str],
    priority: Sequence[str],
    x_range: Sequence[float],
    y_range: Sequence[float],
    plot_height: int,
) -> set[str]:
    """The cities whose names are written on the map.

    The first in ``priority`` whose names would cross no name already written.
    Judged at a phone's width (a plot 280 px across), where names crowd most;
    the others are named when hovered and in the table view.
    """
    across = 280 / (x_range[1] - x_range[0])  # px per degree of longitude
    scale = min(across, plot_height / ((y_range[1] - y_range[0]) * MAP_LATITUDE_SCALE))
    order = [code for code in priority if code in cities.index] + [
        code for code in cities.index if code not in priority
    ]
    boxes: list[tuple[float, float, float, float]] = []
    written: set[str] = set()
    for code in order:
        x = float(cities.loc[code, "longitude"]) * scale
        y = -float(cities.loc[code, "latitude"]) * scale * MAP_LATITUDE_SCALE  # px, downwards
        half = _text_width(labels.get(code, code), MAP_NAME_SIZE) / 2
        # "top center": the name stands on the marker (11 px), about 1.3 of its size tall.
        box = (x - half, y - 6 - 1.3 * MAP_NAME_SIZE - 2, x + half, y - 4)
        if any(box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3] for other in boxes):
            continue
        boxes.append(box)
        written.add(code)
    return written


def _city_markers(
    cities: pd.DataFrame, codes: Sequence[str], labels: Mapping[str, str], written: set[str], name: str, colour: str
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "markers+text",
        "name": name,
        "textposition": "top center",
        "textfont": {"size": MAP_NAME_SIZE, "color": "#333333"},
        "cliponaxis": False,
        "x": [float(cities.loc[code, "longitude"]) for code in codes],
        "y": [float(cities.loc[code, "latitude"]) for code in codes],
        "text": [labels.get(code, code) if code in written else "" for code in codes],
        "hovertext": [labels.get(code, code) for code in codes],
        "marker": {"size": 11, "color": colour, "line": {"color": "#000000", "width": 1}},
        "hovertemplate": "%{hovertext}<br>%{fullData.name}<extra></extra>",
    }


def grouped_bar_figure(
    frame: pd.DataFrame,
    city_labels: Mapping[str, str],
    category_labels: Mapping[str, str],
    axis_title: str,
    category_title: str,
) -> Figure:
    """One group of bars per category (rows of ``frame``), one bar per city (columns), 0-100."""
    traces = [
        {
            "type": "bar",
            "name": city_labels.get(city, city),
            "x": [category_labels.get(code, code) for code in frame.index],
            "y": [_plotted(v) for v in frame[city]],
            "marker": {"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)], "line": {"color": "#000000", "width": 0.5}},
            "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>",
        }
        for i, city in enumerate(frame.columns)
    ]
    return _figure(
        traces,
        _layout(
            420,
            barmode="group",
            yaxis={"title": {"text": axis_title}, "range": [0, 100]},
            xaxis={"title": {"text": category_title}, "automargin": True},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        ),
    )


def peer_groups_figure(
    groups: Sequence[tuple[str, Mapping[str, float]]], names: Mapping[str, str], city: str, city_label: str
) -> Figure:
    """One row per peer group: every scored member's index as a dot, the city's larger and coloured, the median a bar.

    ``groups``: (group label, member code -> index), top row first.
    """
    labels = [label for label, _scores in groups]
    others_x: list[float | None] = []
    others_y: list[str] = []
    others_text: list[str] = []
    for label, scores in groups:
        for code, value in scores.items():
            if code != city:
                others_x.append(_plotted(value))
                others_y.append(label)
                others_text.append(names.get(code, code))
    medians = [float(pd.Series(list(scores.values())).median()) for _label, scores in groups]
    traces = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Other members"),
            "x": others_x,
            "y": others_y,
            "text": others_text,
            "hovertemplate": "%{text}: %{x}<extra></extra>",
            "marker": {"color": OTHERS, "size": 9, "opacity": 0.55},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Group median"),
            "x": [_plotted(value) for value in medians],
            "y": labels,
            "hovertemplate": "%{x}<extra></extra>",
            "marker": {"color": MEDIAN_LINE, "symbol": "line-ns-open", "size": 22, "line": {"width": 3}},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": city_label,
            "x": [_plotted(scores.get(city, float("nan"))) for _label, scores in groups],
            "y": labels,
            "hovertemplate": f"{city_label}: %{{x}}<extra></extra>",
            "marker": {"color": HIGHLIGHT, "size": 15, "line": {"color": "#ffffff", "width": 1.5}},
        },
    ]
    return _figure(
        traces,
        _layout(
            max(220, 56 * len(groups) + 110),
            xaxis={"title": {"text": _("Index (0–100)")}, "range": [0, 100]},
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            margin={"l": 60, "r": 20, "t": 40, "b": 50},
        ),
    )
