"""The only way a report reaches anything outside its HTML: the app's static files, data: URIs
and the report's own figures, drawn in this process (`svg.figure_url`).

WeasyPrint would otherwise follow any URL in the HTML: file:///etc/passwd,
an intranet address, a redirect. User-written text is escaped by the
templates, so no user can place a URL; this fetcher is the second wall.
Everything else is refused with an error WeasyPrint logs and skips.
"""

import base64
import mimetypes
import ssl
from functools import cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders

from assessment.reports import svg

STATIC_SCHEME_HOST = "dualspace-static"
BASE_URL = f"https://{STATIC_SCHEME_HOST}/"


class RefusedURL(ValueError):
    """A URL the report renderer may not fetch."""


def static_url(path: str) -> str:
    """The URL under which a report refers to a static file (``css/report.css``)."""
    return BASE_URL + path.lstrip("/")


def _data_uri(url: str) -> tuple[bytes, str]:
    header, _, payload = url[5:].partition(",")
    parts = header.split(";")
    mime = parts[0] or "text/plain"
    data = base64.b64decode(payload) if "base64" in parts[1:] else unquote(payload).encode()
    return data, mime


def _static_file(url: str) -> tuple[bytes, str]:
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != STATIC_SCHEME_HOST or parts.query or parts.fragment:
        raise RefusedURL(url)
    relative = PurePosixPath(unquote(parts.path).lstrip("/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise RefusedURL(url)
    found = finders.find(str(relative))
    if not found:
        raise RefusedURL(url)
    with open(found, "rb") as handle:
        data = handle.read()
    return data, mimetypes.guess_type(str(relative))[0] or "application/octet-stream"


@cache
def _unused_tls_context() -> ssl.SSLContext:
    # WeasyPrint's base fetcher builds an HTTPS handler, and without a context
    # that handler loads the system's certificate store: 40 ms on every report,
    # for a handler `fetch` below never reaches. One default context per process.
    return ssl.create_default_context()


@cache
def _fetcher_class() -> type:
    # WeasyPrint is imported on first use: the web process never renders, so never loads it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ReportURLFetcher(URLFetcher):
        """WeasyPrint's fetcher for reports: data: URIs and the app's static files, nothing else.

        ``fetched`` and ``refused`` list what was asked, so tests can show that
        nothing else was reached.
        """

        def __init__(self) -> None:
            super().__init__(
                allowed_protocols=("https", "data"), allow_redirects=False, ssl_context=_unused_tls_context()
            )
            self.fetched: list[str] = []
            self.refused: list[str] = []
            self.figure_errors: list[Exception] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            try:
                drawn = svg.figure_bytes(url)
            except Exception as error:
                # WeasyPrint would log this and print the report without the chart: keep it for render to raise.
                self.figure_errors.append(error)
                raise
            if drawn is not None:
                self.fetched.append("figure:")
                return URLFetcherResponse(url, body=drawn, headers={"Content-Type": "image/svg+xml"})
            try:
                data, mime = _data_uri(url) if url.startswith("data:") else _static_file(url)
            except RefusedURL:
                self.refused.append(url)
                raise
            except (ValueError, OSError) as error:
                self.refused.append(url)
                raise RefusedURL(url) from error
            self.fetched.append(url if not url.startswith("data:") else "data:")
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})

    return ReportURLFetcher


def ReportURLFetcher() -> Any:  # noqa: N802 - reads as the class it builds
    """A new report fetcher (see the class above); ``fetched`` and ``refused`` record every URL."""
    return _fetcher_class()()
