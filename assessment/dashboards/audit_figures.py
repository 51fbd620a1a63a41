"""Plotly figures of the statistical audit page and its PDF annex, as plain dicts.

The correlation matrix as a diverging heatmap (ColorBrewer's RdBu, readable
with the common colour-vision deficiencies, centred on r = 0 over [-1, 1]); the
Sobol indices as two bars per assumption (first-order S1 and total ST, with
their bootstrap confidence intervals as error bars: Saltelli et al. 2010,
"Variance based sensitivity analysis of model output", as SALib reports
them); each indicator's nominal weight against its influence share, with the
diagonal where the two agree (Paruolo, Saisana and Saltelli 2013, "Ratings
and rankings: voodoo or science?", JRSS A 176(3), fig. 3). Built through
`assessment.dashboards.figures`' layout and escaping, so names are text.
"""

from collections.abc import Mapping

import pandas as pd
from django.utils.translation import gettext as _

from assessment.dashboards.figures import OTHERS, Figure, _figure, _layout, _plotted
from cities.chart_style import OKABE_ITO

# ColorBrewer's RdBu (Brewer 2002), negative blue through white to positive red.
DIVERGING = [[0.0, "#2166AC"], [0.25, "#92C5DE"], [0.5, "#F7F7F7"], [0.75, "#F4A582"], [1.0, "#B2182B"]]
FIRST_ORDER = OKABE_ITO[4]  # blue
TOTAL = OKABE_ITO[0]  # orange


def correlation_figure(matrix: pd.DataFrame, labels: Mapping[str, str], with_values: bool = True) -> Figure:
    """A symmetric correlation matrix, r in each cell when ``with_values`` (a small matrix has room for it)."""
    z = [[_plotted(v) for v in row] for row in matrix.to_numpy()]
    names = [labels.get(code, code) for code in matrix.columns]
    trace = {
        "type": "heatmap",
        "z": z,
        "x": names,
        "y": [labels.get(code, code) for code in matrix.index],
        "colorscale": DIVERGING,
        "zmin": -1,
        "zmax": 1,
        "zmid": 0,
        "xgap": 1,
        "ygap": 1,
        "colorbar": {"title": {"text": _("Correlation (r)")}},
        "hovertemplate": "%{y} · %{x}: r = %{z}<extra></extra>",
    }
    if with_values:
        trace["text"] = [["" if v is None else f"{v:.2f}" for v in row] for row in z]
        trace["texttemplate"] = "%{text}"
    cell = 24 if with_values else 12
    return _figure(
        [trace],
        _layout(
            max(320, cell * len(matrix) + 160),
            xaxis={"title": {"text": _("Dimension or indicator")}, "side": "top", "tickangle": -45, "automargin": True},
            yaxis={"title": {"text": _("Dimension or indicator")}, "autorange": "reversed", "automargin": True},
            margin={"l": 60, "r": 20, "t": 90, "b": 20},
        ),
    )


def sensitivity_figure(indices: pd.DataFrame, labels: Mapping[str, str]) -> Figure:
    """S1 and ST per assumption (rows of ``indices``), horizontal bars with confidence intervals."""
    names = [labels.get(code, code) for code in indices.index]

    def bars(column: str, name: str, colour: str) -> dict[str, object]:
        return {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": names,
            "x": [_plotted(v) for v in indices[column]],
            "error_x": {"type": "data", "array": [_plotted(v) for v in indices[f"{column}_conf"]], "visible": True},
            "marker": {"color": colour},
            "hovertemplate": "%{y}: %{x}<extra>" + name + "</extra>",
        }

    return _figure(
        [
            bars("S1", _("First-order effect (S1)"), FIRST_ORDER),
            bars("ST", _("Total effect (ST)"), TOTAL),
        ],
        _layout(
            max(240, 60 * len(indices) + 110),
            barmode="group",
            xaxis={"title": {"text": _("Share of the ranking's variance")}, "rangemode": "tozero"},
            yaxis={"title": {"text": _("Assumption")}, "autorange": "reversed", "automargin": True},
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            margin={"l": 60, "r": 20, "t": 50, "b": 50},
        ),
    )


def influence_figure(influence: pd.DataFrame, labels: Mapping[str, str]) -> Figure:
    """Each indicator's nominal weight (x) against its share of influence on the index (y), in %, with the diagonal.

    In percent: shares of some fifty indicators are about 0.02 each, and two decimals of a share would merge them.
    """
    weights = [_plotted(100 * v) for v in influence["nominal_weight"]]
    shares = [_plotted(100 * v) for v in influence["influence_share"]]
    top = max([v for v in weights + shares if v is not None] or [0.0])
    return _figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "x": [0, top],
                "y": [0, top],
                "line": {"color": "#999999", "dash": "dot"},
                "name": _("Influence equal to weight"),
                "hoverinfo": "skip",
            },
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": weights,
                "y": shares,
                "text": [str(code) for code in influence.index],
                "customdata": [labels.get(code, code) for code in influence.index],
                "textposition": "top center",
                "textfont": {"size": 9},
                "marker": {"color": OTHERS, "size": 7},
                "name": _("Indicator"),
                "hovertemplate": "%{customdata}: %{x} % · %{y} %<extra></extra>",
            },
        ],
        _layout(
            460,
            xaxis={"title": {"text": _("Nominal weight in the index (%)")}, "rangemode": "tozero"},
            yaxis={"title": {"text": _("Share of influence on the index (%)")}, "rangemode": "tozero"},
            legend={"orientation": "h", "y": -0.2},
        ),
    )
