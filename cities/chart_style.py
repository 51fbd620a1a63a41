"""What every chart of the project shares: the palette, the font, and text escaped for Plotly.

The dashboards' figures (`assessment.dashboards.figures`) and the agreement
network's (`cities.figures`) both draw with these. They live in `cities`, the
app every other app already imports, so that the reference-data app never
imports the assessment app.
"""

from typing import Any

from django.utils.functional import Promise

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
FONT = (
    'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif'
)


# The project's own markup: data reaches a template through its %{...} variables
# (%{y}, %{meta[0]}, %{fullData.name}), which plotly.js fills with the escaped values.
# "template" is Plotly's theme, never data.
PLOTLY_MARKUP_KEYS = frozenset({"hovertemplate", "texttemplate", "template"})
_TEXT_OR_NESTED = (str, Promise, dict, list, tuple)


def plotly_text(text: str) -> str:
    """Text that Plotly shows as written, never as its pseudo-HTML.

    Plotly reads <br>, <b>, <a href> and <span style> in every label, tick,
    legend and hover. A city named ``<span style="fill:url(http://…)">`` would
    be markup: the report's Chromium would fetch the URL while drawing the PDF
    charts, and the dashboard would style the name. plotly.js turns the
    entities back into the characters, so the name shows as typed.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_plotly_text(value: Any) -> Any:
    """A figure (or part of one) with every string passed through `plotly_text`, except the templates.

    Escaping every string rather than a list of text attributes means a label
    added to a figure later is covered too; the other strings (colours,
    modes, symbols) never hold ``<``, ``>`` or ``&``.
    """
    if isinstance(value, str | Promise):
        return plotly_text(str(value))
    if isinstance(value, dict):
        return {key: item if key in PLOTLY_MARKUP_KEYS else as_plotly_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        # Numbers pass without a call: a map's outlines are some 16,000 of them.
        return [as_plotly_text(item) if isinstance(item, _TEXT_OR_NESTED) else item for item in value]
    return value
