"""PDF reports: both kinds written by render_report, Chinese embedded, nothing fetched from outside."""

import shutil
import subprocess

import pytest
from django.core.management import call_command

from assessment.models import Assessment, Evidence, Report, Response, ReviewComment
from assessment.reports.render import render_city_report
from cities.models import City
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium"),
]

PAYLOADS = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="https://example.com/tracker.png">',
    "https://example.com/steal?c=1",
]


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_render_report_writes_a_chinese_city_report_with_the_cjk_font_embedded(g60_demo, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("render_report", "city", city="310000", period=2025, lang="zh", out=str(out))
    fonts = pdf_fonts(out)
    assert "NotoSansCJK" in fonts.replace("-", "") and " yes " in fonts
    text = pdf_text(out)
    stage = Assessment.objects.get(city_id="310000", period=2025).result.stage
    assert "上海" in text and stage in text
    assert "执行摘要" in text and "示例数据" in text
    assert "附录A" in text.replace(" ", "") or "附录 A" in text


def test_render_report_writes_an_english_regional_report_with_one_page_per_city(g60_demo, tmp_path):
    out = tmp_path / "region.pdf"
    call_command("render_report", "region", region="G60", period=2025, lang="en", out=str(out))
    text = pdf_text(out)
    assert "G60" in text and "Ranking with rank intervals" in text
    for name in ("Shanghai", "Hangzhou", "Hefei", "Wuhu"):
        assert name in text
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages >= 9 + 6  # cover, contents, five chapters, then a page per city


def test_the_contents_page_gives_the_page_each_chapter_starts_on(g60_demo, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("render_report", "city", city="330100", period=2025, lang="en", out=str(out))
    pages = pdf_text(out).split("\f")
    contents = {}
    for line in pages[1].splitlines():
        words = line.split()
        if len(words) > 1 and words[-1].isdigit() and "/" not in words:
            contents[" ".join(words[:-1])] = int(words[-1])
    assert list(contents)[:3] == ["Executive summary", "Position in the region", "Dimensions"]
    assert "Annex B: data quality" in contents
    for title, page in contents.items():
        lines = [line.strip() for line in pages[page - 1].splitlines() if line.strip()]
        # The chapter's heading is on that page, under the running header, and not on the page before.
        assert title in lines[1:3], (title, page, lines[:3])
        assert title not in [line.strip() for line in pages[page - 2].splitlines()][1:]


def test_an_unpublished_period_is_a_clear_command_error(g60_demo, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no published result for 2019"):
        call_command("render_report", "region", region="G60", period=2019, lang="en", out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="There is no city 999999"):
        call_command("render_report", "city", city="999999", period=2025, lang="en", out=str(tmp_path / "x.pdf"))


def test_user_text_in_evidence_and_comments_is_printed_never_fetched_or_attached(g60_demo, tmp_path):
    assessment = Assessment.objects.get(city_id="330100", period=2025)
    responses = list(Response.objects.filter(assessment=assessment).order_by("pk")[: len(PAYLOADS)])
    author = UserFactory()
    for response, payload in zip(responses, PAYLOADS, strict=True):
        Response.objects.filter(pk=response.pk).update(comment=payload, source=payload)
        Evidence.objects.create(response=response, kind="note", note=payload)
        Evidence.objects.create(response=response, kind="link", url="https://example.com/evidence.pdf")
        ReviewComment.objects.create(response=response, author=author, body=payload)
    reader = UserFactory(is_superuser=True, is_staff=True)
    # The full edition: the only one that prints sources, comments and evidence.
    report = render_city_report(
        user=reader, city=City.objects.get(code="330100"), period=2025, language="en", audience=Report.Audience.FULL
    )
    # Only the stylesheet and the figures (data: URIs) were fetched; nothing was refused
    # because the payloads never reached the renderer as markup.
    assert set(report.fetched) <= {"https://dualspace-static/css/report.css", "data:", "figure:"}
    assert report.refused == []
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in report.html
    assert '<img src="file:///etc/passwd">' not in report.html
    assert '<link rel="attachment"' not in report.html
    out = tmp_path / "payload.pdf"
    out.write_bytes(report.pdf)
    attachments = subprocess.run(["pdfdetach", "-list", str(out)], capture_output=True, text=True).stdout
    assert attachments.strip().startswith("0 embedded files")
    assert "file:///etc/passwd" in pdf_text(out)  # printed as text, as the consultant typed it
    assert b"/URI (https://example.com" not in report.pdf and b"/URI(https://example.com" not in report.pdf


def test_the_renderer_refuses_file_and_outside_urls_even_in_markup():
    """Second wall: were markup ever to reach the renderer, the fetcher refuses the URLs."""
    from assessment.reports.render import html_to_pdf

    html = "".join(
        [
            "<html><body><p>x</p>",
            '<img src="file:///etc/passwd">',
            '<link rel="attachment" href="file:///etc/passwd">',
            '<img src="https://example.com/tracker.png">',
            '<link rel="stylesheet" href="http://127.0.0.1:8000/static/css/dualspace.css">',
            "</body></html>",
        ]
    )
    report = html_to_pdf(html)
    assert report.fetched == []
    assert sorted(report.refused) == sorted(
        [
            "file:///etc/passwd",
            "file:///etc/passwd",
            "https://example.com/tracker.png",
            "http://127.0.0.1:8000/static/css/dualspace.css",
        ]
    )
    assert b"root:" not in report.pdf
    assert b"/EmbeddedFile" not in report.pdf
