"""Script payloads in every free-text field users write: escaped in HTML, text in Excel, printed in the PDF.

Fields: answer source, comment and why-not-applicable; evidence notes, file
names and links; review comments; report-link recipients; agreement titles,
notes and sources; city names (administrators edit them in the admin site).
"""

import csv
import io
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from accounts.roles import Role
from assessment.models import Evidence, Report, Response, ReviewComment
from cities.models import Agreement, City
from tests.security.csp import csp_problems

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
JAVASCRIPT = "javascript:alert(1)"
FORMULAS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]
MARKUP = [SCRIPT, ATTRIBUTE]

STRICT_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")


def assert_escaped(response, payloads=MARKUP):
    """None of the payloads raw, each of them escaped, nothing the CSP would have to block."""
    page = response.wsgi_request.get_full_path()
    assert response.status_code == 200, (page, response.status_code)
    html = response.content.decode()
    for payload in payloads:
        assert payload not in html, f"raw {payload!r} in {page}"
        assert escape(payload) in html, f"escaped {payload!r} missing from {page}"
    # Whatever got through would show up as an inline script or handler.
    assert csp_problems(response) == []


def save_answer(client, world, **values):
    prefix = f"r{world.response.pk}"
    response = Response.objects.get(pk=world.response.pk)
    data = {f"{prefix}-base_version": response.version, f"{prefix}-level": "3", f"{prefix}-value": "1"}
    data |= {f"{prefix}-{name}": value for name, value in values.items()}
    reply = client.post(reverse("assessment:response_save", args=[world.draft.pk, world.response.pk]), data)
    assert reply.status_code == 302, reply.content.decode()[:500]


def test_answers_comments_and_evidence_are_escaped_on_every_page_that_shows_them(world, as_role):
    consultant, reviewer = as_role(Role.CONSULTANT), as_role(Role.REVIEWER)
    save_answer(consultant, world, source=SCRIPT, comment=ATTRIBUTE)
    add = reverse("assessment:evidence_add", args=[world.draft.pk, world.response.pk])
    assert consultant.post(add, {"note": SCRIPT}).status_code == 302
    upload = SimpleUploadedFile(f"{ATTRIBUTE}.txt", b"minutes of the meeting", content_type="text/plain")
    assert consultant.post(add, {"file": upload}).status_code == 302
    assert Evidence.objects.filter(response=world.response, original_name=f"{ATTRIBUTE}.txt").exists()
    comment = reverse("assessment:comment_add", args=[world.draft.pk, world.response.pk])
    assert reviewer.post(comment, {f"c{world.response.pk}-body": ATTRIBUTE + SCRIPT}).status_code == 302
    assert ReviewComment.objects.filter(body=ATTRIBUTE + SCRIPT).exists()
    form = reverse("assessment:dimension_form", args=[world.draft.pk, world.dimension_code])
    for client in (consultant, reviewer, as_role(Role.ADMINISTRATOR)):
        assert_escaped(client.get(form))
    # The history shows the data source (not the comment).
    assert_escaped(consultant.get(reverse("assessment:assessment_history", args=[world.draft.pk])), [SCRIPT])


def test_an_evidence_link_must_be_http_or_https(world, as_role):
    consultant = as_role(Role.CONSULTANT)
    consultant.cookies["django_language"] = "en"
    before = Evidence.objects.count()
    add = reverse("assessment:evidence_add", args=[world.draft.pk, world.response.pk])
    for url in (
        JAVASCRIPT,
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ):
        page = consultant.post(add, {"url": url}, follow=True).content.decode()
        assert "Give a full web address starting with http:// or https://." in page, url
    assert Evidence.objects.count() == before
    assert consultant.post(add, {"url": "https://example.org/plan.pdf"}).status_code == 302
    assert Evidence.objects.count() == before + 1


def test_a_report_link_recipient_is_escaped(world, as_role):
    client = as_role(Role.CITY_MANAGER)
    reply = client.post(
        reverse("assessment:report_link_create", args=[world.report.pk]), {"days": "2", "recipient": SCRIPT + ATTRIBUTE}
    )
    assert reply.status_code == 302
    assert_escaped(client.get(reverse("assessment:report_detail", args=[world.report.pk])))


def test_agreement_text_is_escaped_and_a_javascript_link_cannot_be_imported(world, as_role, tmp_path):
    agreement = world.agreement
    Agreement.objects.filter(pk=agreement.pk).update(
        title_zh=SCRIPT, title_en=SCRIPT, evidence_note=ATTRIBUTE, source=ATTRIBUTE
    )
    client = as_role(Role.STAKEHOLDER)
    client.cookies["django_language"] = "en"
    assert_escaped(client.get(reverse("cities:agreement_detail", args=[agreement.key])))
    assert_escaped(client.get(reverse("cities:agreement_list")), [SCRIPT])
    from django.core.management import CommandError, call_command

    header = (
        "key,title_zh,title_en,domain,mode,status,parties,region,signed_on,in_force_from,expires_on,"
        "service_items,evidence_url,source\n"
    )
    row = (
        "xss-test,测试,Test,talent,mutual_recognition,in_force,310000:lead;330400,G60,"
        "2020-01-01,2020-02-01,2030-12-31,5,javascript:alert(1),x\n"
    )
    path = tmp_path / "agreements.csv"
    path.write_text(header + row, encoding="utf-8")
    with pytest.raises(CommandError, match="evidence_url"):
        call_command("load_agreements", file=path, verbosity=0)
    assert not Agreement.objects.filter(key="xss-test").exists()


def test_city_names_are_escaped_on_the_dashboards(world, as_role):
    City.objects.filter(code="330100").update(name_zh=SCRIPT, name_en=ATTRIBUTE)
    client = as_role(Role.STAKEHOLDER)
    client.cookies["django_language"] = "en"
    assert_escaped(client.get(reverse("assessment:region_dashboard", args=["G60"]) + "?period=2025"), [ATTRIBUTE])
    assert_escaped(client.get(reverse("assessment:compare") + "?cities=310000,330100&period=2025"), [ATTRIBUTE])
    assert_escaped(client.get(reverse("cities:city_detail", args=["330100"])), [SCRIPT, ATTRIBUTE])


# Spreadsheets


def formula_cells(book):
    """(sheet, cell) of every cell a spreadsheet would evaluate: a formula, or text starting with =+-@."""
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@"):
                    found.append((sheet.title, cell.coordinate, cell.value))
    return found


def test_the_assessment_workbook_writes_formula_like_answers_as_text(world, as_role):
    consultant = as_role(Role.CONSULTANT)
    save_answer(consultant, world, source=FORMULAS[0], comment=FORMULAS[1], not_applicable_reason=FORMULAS[2])
    download = consultant.get(reverse("assessment:workbook_download", args=[world.draft.pk]))
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    assert formula_cells(book) == []
    values = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    for payload in FORMULAS[:2]:
        assert "'" + payload in values, payload


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_dashboard_downloads_write_formula_like_names_as_text(world, as_role, fmt):
    City.objects.filter(code="330100").update(name_zh=FORMULAS[0], name_en=FORMULAS[3])
    client = as_role(Role.STAKEHOLDER)
    url = reverse("assessment:compare_data", args=["indicators", fmt]) + "?cities=310000,330100&period=2025"
    region_url = reverse("assessment:region_data", args=["G60", "ranking", fmt]) + "?period=2025"
    for response in (client.get(url), client.get(region_url)):
        assert response.status_code == 200
        if fmt == "xlsx":
            book = load_workbook(io.BytesIO(response.content))
            assert formula_cells(book) == []
            text = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        else:
            text = [value for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for value in row]
            # A plain number ("-11.3") is no formula and stays a number: checked against a strict pattern of
            # the test's own, so that a looser rule in the code cannot loosen this test with it.
            assert not [value for value in text if value[:1] in "=+-@" and not STRICT_NUMBER.fullmatch(value)]
        neutralised = [
            value
            for value in text
            if isinstance(value, str) and value.startswith("'") and value[1:].startswith(tuple(FORMULAS))
        ]
        assert neutralised, text[:20]


# PDF


@pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None, reason="needs chromium and poppler"
)
def test_the_pdf_prints_payloads_as_text_and_fetches_nothing(world, tmp_path):
    from assessment.reports.render import render_city_report

    published = world.published
    responses = list(Response.objects.filter(assessment=published).order_by("pk")[:3])
    payloads = [SCRIPT, ATTRIBUTE, FORMULAS[0]]
    for response, payload in zip(responses, payloads, strict=True):
        Response.objects.filter(pk=response.pk).update(source=payload, comment=payload)
        Evidence.objects.create(response=response, kind=Evidence.Kind.NOTE, note=payload)
        Evidence.objects.create(response=response, kind=Evidence.Kind.LINK, url="https://example.org/evidence.pdf")
    # The full edition: the only one that prints sources, comments and evidence.
    report = render_city_report(
        user=world.users[Role.ADMINISTRATOR], city=world.city, period=2025, language="en", audience=Report.Audience.FULL
    )
    assert set(report.fetched) <= {"https://dualspace-static/css/report.css", "data:", "figure:"}
    assert report.refused == []
    for payload in MARKUP:
        assert payload not in report.html
    out = tmp_path / "payloads.pdf"
    out.write_bytes(report.pdf)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for payload in payloads:
        assert "".join(payload.split()) in flat, payload
    assert b"/JavaScript" not in report.pdf and b"/JS " not in report.pdf
