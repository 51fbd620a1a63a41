"""The dashboards' Plotly figures drawn as vector SVG for the PDF reports (kaleido: figure → SVG).

"Figures" are the Plotly dicts of `assessment.dashboards.figures`; this module
only draws them.

Plotly's own renderer (kaleido) draws them in the Debian Chromium the
project installs, offline: the report's chart is the dashboard's chart, not
a redrawing. One Chromium is started per process on first use and kept warm
(`kaleido.start_sync_server`); the report worker is a long-lived process, so
only its first report pays for the start.

That Chromium has no network (`CHART_BROWSER_FLAGS`): every request goes
to a closed port and no host name resolves, so a URL that reached a chart
anyway (the labels are escaped, `cities.chart_style.plotly_text`) is never
fetched. kaleido talks to it through pipes, not HTTP, and loads plotly.js
from plotly's package as a file; MathJax, which kaleido would take from a
CDN, is left out.

SVG text gets an explicit CJK font family: WeasyPrint then embeds Noto Sans
CJK and Chinese labels print instead of empty boxes.

A report refers to its figures by `figure_url`: the drawing starts at once in
Chromium (another process, so another core) while the report goes on being
built and WeasyPrint cascades its styles; the report fetcher waits for the SVG
only when the layout reaches the image. That overlap takes a few tenths of a
second off a city report.
"""

import atexit
import copy
import logging
import secrets
import threading
import time
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

PDF_FONT = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif'

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_started = False

for _name in ("kaleido", "choreographer", "logistro"):
    logging.getLogger(_name).setLevel(logging.WARNING)


# Chromium sends 127.0.0.1 and localhost past the proxy unless told "<-loopback>";
# the resolver rule alone also refuses IP addresses, the proxy is the second wall.
CHART_BROWSER_FLAGS = (
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chart_browser_options() -> dict[str, Any]:
    """kaleido's arguments: a headless Chromium without network, and no MathJax from a CDN."""
    from choreographer.browsers.chromium import Chromium

    class OfflineChromium(Chromium):
        # choreographer's only way to add Chromium flags is its browser class (browser_cls).
        def get_cli(self) -> list[str]:
            return [*super().get_cli(), *CHART_BROWSER_FLAGS]

    return {"headless": True, "browser_cls": OfflineChromium, "mathjax": False}


def _ensure_server() -> None:
    global _started
    with _lock:
        if _started:
            return
        import kaleido

        kaleido.start_sync_server(**chart_browser_options(), silence_warnings=True)
        atexit.register(_stop_server)
        _started = True


def _stop_server() -> None:
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:
        # Stopping runs at exit and between tests, after the browser may already have died: a failure
        # to stop it must not mask what is ending the process, but it is logged rather than swallowed.
        logger.warning("the chart browser did not stop cleanly", exc_info=True)


def stop_chart_browser() -> None:
    """Stop the warm Chromium; the next figure starts a new one with the current options."""
    global _started
    with _lock:
        if _started:
            _stop_server()
            _started = False


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


# Tries when kaleido's page has not loaded its script yet (see figure_svg).
PAGE_NOT_READY_TRIES = 3


def figure_svg(figure: dict[str, Any], width: int = 680, height: int | None = None) -> bytes:
    """The figure as SVG bytes, drawn by plotly.js in a headless Chromium."""
    import plotly.io as pio

    _ensure_server()
    printed = for_print(figure, width, height)
    for attempt in range(1, PAGE_NOT_READY_TRIES + 1):
        try:
            with warnings.catch_warnings():
                # plotly warns that it ignores kaleido options when a warm server is used: that is the point.
                warnings.simplefilter("ignore", UserWarning)
                return pio.to_image(printed, format="svg")
        except Exception as error:
            # On a loaded machine kaleido may call into its tab before the tab has loaded its own
            # script ("kaleido_scopes is not defined"): the figure is fine, the page was not ready.
            # Drawing is deterministic, so trying again gives the same SVG; any other error is real.
            if "kaleido_scopes" not in str(error) or attempt == PAGE_NOT_READY_TRIES:
                raise
            logger.warning("the chart browser's page was not ready (try %d): drawing again", attempt)
            time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")  # the loop returns or raises


FIGURE_HOST = "dualspace-figure"
FIGURE_TIMEOUT = 120  # seconds: a figure Chromium has not drawn by then is an error, not a wait
_drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-figures")
_pending: dict[str, tuple[float, Future[bytes]]] = {}
_pending_lock = threading.Lock()


def figure_url(figure: dict[str, Any], width: int = 680, height: int | None = None) -> str:
    """Start drawing the figure; the report's ``<img src>`` is this URL, resolved by `figure_bytes`."""
    token = secrets.token_hex(16)
    future = _drawing.submit(figure_svg, figure, width, height)
    now = time.monotonic()
    with _pending_lock:
        # Figures of a report that was never laid out (an error in between) are dropped after a while.
        for stale in [key for key, (started, _) in _pending.items() if now - started > 10 * FIGURE_TIMEOUT]:
            del _pending[stale]
        _pending[token] = (now, future)
    return f"https://{FIGURE_HOST}/{token}.svg"


def figure_bytes(url: str) -> bytes | None:
    """The SVG of a figure started by `figure_url`, once drawn; None for any other URL."""
    prefix = f"https://{FIGURE_HOST}/"
    if not url.startswith(prefix) or not url.endswith(".svg"):
        return None
    with _pending_lock:
        entry = _pending.pop(url[len(prefix) : -len(".svg")], None)
    return None if entry is None else entry[1].result(timeout=FIGURE_TIMEOUT)
