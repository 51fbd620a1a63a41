"""Government intranets have no CDN: no template or stylesheet may reach another host."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# An attribute or CSS url() that would make the browser fetch from another host.
OUTSIDE_FETCH = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


def outside_fetches(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [f"{path.relative_to(ROOT)}: {match.group(0)}" for match in OUTSIDE_FETCH.finditer(text)]


def test_no_template_references_an_outside_url():
    hits = [hit for path in (ROOT / "templates").rglob("*.html") for hit in outside_fetches(path)]
    assert hits == []


def test_no_stylesheet_loads_from_an_outside_host():
    hits = [hit for path in (ROOT / "static").rglob("*.css") for hit in outside_fetches(path)]
    assert hits == []


def test_the_checker_catches_an_outside_script(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<script src="https://cdn.example.com/x.js"></script><link href="//cdn.example.com/a.css">')
    assert len(outside_fetches_at(page)) == 2


def outside_fetches_at(path: Path) -> list[str]:
    return OUTSIDE_FETCH.findall(path.read_text())


PLOTLY_BANNER = re.compile(r"plotly\.js v(\d+\.\d+\.\d+)")


def test_every_static_file_a_template_names_is_there():
    """A removed or renamed vendored file (the full Plotly bundle was) leaves no page pointing at it."""
    from django.contrib.staticfiles import finders

    named = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]""")
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "templates").rglob("*.html")
        for name in named.findall(path.read_text(encoding="utf-8"))
        if not finders.find(name)
    ]
    assert missing == []


def test_the_dashboards_draw_with_the_plotly_js_of_the_pdf_reports():
    """The partial bundle (static/vendor/plotly/README.md) is built from the plotly.js
    version that Python's plotly ships and kaleido draws the reports' figures with:
    a chart looks the same on the dashboard and in the PDF. Upgrading plotly means
    rebuilding the bundle."""
    import plotly

    bundle = ROOT / "static" / "vendor" / "plotly" / "plotly-dualspace.min.js"
    reports = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    ours = PLOTLY_BANNER.search(bundle.read_text(encoding="utf-8")[:400])
    theirs = PLOTLY_BANNER.search(reports.read_text(encoding="utf-8")[:400])
    assert ours and theirs and ours.group(1) == theirs.group(1)
    # Half the full bundle at most: only the traces the figures use (the e2e test measures the page).
    assert bundle.stat().st_size <= reports.stat().st_size // 2
