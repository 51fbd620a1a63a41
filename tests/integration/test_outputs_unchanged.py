"""What readers get, pinned: dashboards, compare page, API and both PDFs on the demo data.

A refactoring must not change a number, a label or a caption. Every output a reader
can take away (the figure JSON embedded in a page, every panel's CSV download, the
what-if JSON, the read API's JSON and the text of both PDF reports in both
languages) is compared byte for byte with the files under tests/golden/outputs/.

When a change is meant to alter what readers see, write the files anew and review
the diff like any other change:

    DUALSPACE_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/integration/test_outputs_unchanged.py
"""

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.roles import Role
from tests.factories import UserFactory

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "outputs"
WRITE = os.environ.get("DUALSPACE_WRITE_GOLDEN") == "1"
G60 = "310000,330400,330100,330700,320500,330500,341800,340200,340100"
PERIOD = 2025
COMPARED = "310000,330100,341800"
# Dates and times say when the demo was loaded or a report generated, not what it says.
WHEN = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")


@pytest.fixture(scope="module")
def reader(django_db_setup, django_db_blocker):
    """The G60 demo published once for this module, rolled back at its end, and an administrator to read it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_reference_data", verbosity=0)
            call_command("load_frameworks", verbosity=0)
            call_command("load_agreements", verbosity=0)
            call_command("load_demo", cities=G60, quiet=True)
            user = UserFactory(username="golden-admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
            yield user
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def client(reader, db):
    client = Client()
    client.force_login(reader)
    client.cookies["django_language"] = "en"
    return client


def same_as_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = WHEN.sub("DATE", text)
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {path.name}: run with DUALSPACE_WRITE_GOLDEN=1 once"
    expected = path.read_bytes().decode("utf-8")  # bytes: CSV rows end in CRLF
    assert text == expected, f"{name} differs from tests/golden/outputs/{name}"


def figures(page: str) -> str:
    """The Plotly figures a page embeds (json_script blocks), one per panel, pretty-printed."""
    blocks = re.findall(r'<script id="([^"]+)" type="application/json">(.*?)</script>', page, re.S)
    assert blocks, "the page embeds no figure"
    return json.dumps(
        {key: json.loads(html.unescape(body)) for key, body in blocks}, ensure_ascii=False, indent=1, sort_keys=True
    )


def visible_text(page: str) -> str:
    """The words of the page's main part (headline, captions, tables, notes), one run of text a line."""
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    main = re.sub(r"<(script|style)\b.*?</\1>", "", main, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]+>", "\n", main))
    return "\n".join(" ".join(line.split()) for line in words.splitlines() if line.strip()) + "\n"


def panel_slugs(page: str) -> list[str]:
    return re.findall(r'data-testid="([a-z-]+)-table"', page)


def page_and_downloads(client: Client, prefix: str, page_url: str, data_url: str, query: str) -> None:
    response = client.get(f"{page_url}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    same_as_golden(f"{prefix}-figures.json", figures(page))
    same_as_golden(f"{prefix}-page.txt", visible_text(page))
    slugs = panel_slugs(page)
    assert slugs
    for slug in slugs:
        download = client.get(f"{data_url}{slug}.csv?{query}")
        assert download.status_code == 200, slug
        same_as_golden(f"{prefix}-{slug}.csv", download.content.decode("utf-8-sig"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_region_dashboard_and_its_downloads_are_unchanged(client, language):
    client.cookies["django_language"] = language
    page_and_downloads(
        client,
        f"region-G60-{language}",
        "/dashboards/regions/G60/",
        "/dashboards/regions/G60/data/",
        f"period={PERIOD}",
    )


def test_the_what_if_answer_is_unchanged(client):
    response = client.get(f"/dashboards/regions/G60/what-if.json?period={PERIOD}&w.IC=2&w.X6=0.5")
    assert response.status_code == 200
    same_as_golden("region-G60-what-if.json", json.dumps(response.json(), ensure_ascii=False, indent=1, sort_keys=True))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_city_dashboard_and_its_downloads_are_unchanged(client, language):
    client.cookies["django_language"] = language
    page_and_downloads(
        client,
        f"city-310000-{language}",
        "/dashboards/cities/310000/",
        "/dashboards/cities/310000/data/",
        f"period={PERIOD}",
    )


def test_the_compare_page_and_its_downloads_are_unchanged(client):
    page_and_downloads(
        client, "compare", "/dashboards/compare/", "/dashboards/compare/data/", f"cities={COMPARED}&period={PERIOD}"
    )


@pytest.mark.parametrize(
    "name, url",
    [
        ("api-regions.json", "/api/v1/regions"),
        ("api-region-G60.json", "/api/v1/regions/G60"),
        ("api-city-310000.json", "/api/v1/cities/310000"),
        ("api-frameworks.json", "/api/v1/frameworks"),
        ("api-region-G60-results.json", f"/api/v1/regions/G60/results?period={PERIOD}"),
        ("api-city-310000-results.json", "/api/v1/cities/310000/results"),
    ],
)
def test_the_api_answers_are_unchanged(client, name, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    same_as_golden(name, json.dumps(response.json(), ensure_ascii=False, indent=1, sort_keys=True))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils reads the PDFs")
@pytest.mark.parametrize(
    "kind, options",
    [
        ("city", {"city": "310000"}),
        ("region", {"region": "G60"}),
    ],
)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pdf_reports_say_the_same(reader, db, tmp_path, kind, options, language):
    out = tmp_path / "report.pdf"
    call_command(
        "render_report", kind, period=PERIOD, lang=language, out=str(out), stdout=open(os.devnull, "w"), **options
    )
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    same_as_golden(f"report-{kind}-{language}.txt", text)
