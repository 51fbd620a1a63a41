"""The dashboards' Plotly figures as vector SVG for the PDF reports.

Plotly's own renderer (kaleido) draws them in the Debian Chromium the
project installs, offline: the report's chart is the dashboard's chart, not
a redrawing. One Chromium is started per process on first use and kept warm
(`kaleido.start_sync_server`); the report worker is a long-lived process, so
only its first report pays for the start.

SVG text gets an explicit CJK font family: WeasyPrint then embeds Noto Sans
CJK and Chinese labels print instead of empty boxes.
"""

import atexit
import base64
import copy
import logging
import threading
import warnings
from typing import Any

PDF_FONT = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif'

_lock = threading.Lock()
_started = False

for _name in ("kaleido", "choreographer", "logistro"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def _ensure_server() -> None:
    global _started
    with _lock:
        if _started:
            return
        import kaleido

        kaleido.start_sync_server(headless=True, silence_warnings=True)
        atexit.register(_stop_server)
        _started = True


def _stop_server() -> None:
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # noqa: BLE001 - the process is ending anyway
        pass


def for_print(figure: dict[str, Any], width: int, height: int | None = None) -> dict[str, Any]:
    """A copy of a dashboard figure sized for an A4 page, with the CJK font."""
    printed = copy.deepcopy(figure)
    layout = printed.setdefault("layout", {})
    layout["width"] = width
    if height:
        layout["height"] = height
    layout.setdefault("font", {})["family"] = PDF_FONT
    if "hoverlabel" in layout:
        layout["hoverlabel"]["font"] = {"family": PDF_FONT}
    layout["paper_bgcolor"] = "#ffffff"
    return printed


def figure_svg(figure: dict[str, Any], width: int = 680, height: int | None = None) -> bytes:
    """The figure as SVG bytes, drawn by plotly.js in a headless Chromium."""
    import plotly.io as pio

    _ensure_server()
    with warnings.catch_warnings():
        # plotly warns that it ignores kaleido options when a warm server is used: that is the point.
        warnings.simplefilter("ignore", UserWarning)
        return pio.to_image(for_print(figure, width, height), format="svg")


def figure_data_uri(figure: dict[str, Any], width: int = 680, height: int | None = None) -> str:
    """An ``<img src>`` for the report: SVG as a data: URI, which the report fetcher allows."""
    return "data:image/svg+xml;base64," + base64.b64encode(figure_svg(figure, width, height)).decode()
