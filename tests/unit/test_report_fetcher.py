"""The report renderer reaches nothing but the app's static files and data: URIs."""

import pytest

from assessment.reports.fetcher import RefusedURL, ReportURLFetcher, static_url


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.com/logo.png",
        "https://dualspace-static/../../etc/passwd",
        "https://dualspace-static/%2e%2e/%2e%2e/etc/passwd",
        "https://dualspace-static/css/report.css?redirect=https://example.com",
        "https://dualspace-static/no/such/file.css",
        "ftp://dualspace-static/css/report.css",
    ],
)
def test_everything_but_static_files_and_data_is_refused(url):
    fetcher = ReportURLFetcher()
    with pytest.raises((RefusedURL, ValueError)):
        fetcher.fetch(url)
    assert fetcher.fetched == []


def test_static_files_and_data_uris_are_served():
    fetcher = ReportURLFetcher()
    css = fetcher.fetch(static_url("css/report.css"))
    assert b"@page" in css.read() if hasattr(css, "read") else True
    data = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert data.url.startswith("data:")
    assert fetcher.fetched == [static_url("css/report.css"), "data:"]
    assert fetcher.refused == []
