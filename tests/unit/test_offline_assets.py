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
