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
        "https://dualspace-figure/0123456789abcdef0123456789abcdef.svg",  # no figure of this report
        "https://dualspace-figure/../../etc/passwd",
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


def test_a_reports_own_figure_is_served_once_drawn(monkeypatch):
    from assessment.reports import svg

    monkeypatch.setattr(svg, "figure_svg", lambda figure, width, height: b"<svg/>")
    url = svg.figure_url({"data": []}, 680, 400)
    fetcher = ReportURLFetcher()
    assert fetcher.fetch(url).read() == b"<svg/>"
    assert fetcher.fetched == ["figure:"]
    with pytest.raises(RefusedURL):  # served once: the token is spent
        fetcher.fetch(url)


def test_a_figure_chromium_failed_to_draw_fails_the_report(monkeypatch):
    """WeasyPrint would skip an image it cannot load; a report without its chart must fail instead."""
    from assessment.reports import svg
    from assessment.reports.render import html_to_pdf

    def broken(figure, width, height):
        raise RuntimeError("Chromium went away")

    monkeypatch.setattr(svg, "figure_svg", broken)
    url = svg.figure_url({"data": []}, 680, 400)
    with pytest.raises(RuntimeError, match="Chromium went away"):
        html_to_pdf(f'<html><body><img src="{url}"></body></html>')
