"""Disguised and dangerous uploads: refused with a message naming the file, nothing kept on disk or in the database."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from assessment.models import Evidence

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_BARE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'


def zip_bomb(inner: str, size: int = 200 * 1024 * 1024) -> bytes:
    """A small Office-looking zip that declares `size` bytes of zeros (about 200 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with archive.open(inner, "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bombs():
    return {"xlsx": zip_bomb("xl/worksheets/sheet1.xml"), "docx": zip_bomb("word/document.xml")}


@pytest.fixture(autouse=True)
def own_media_folder(settings, tmp_path):
    """A media folder of this test's own: others running tests at the same time write to the shared one."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "media"}},
    }


def stored_files() -> set[str]:
    root = Path(default_storage.location)
    return {str(path) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def workbook_uploads() -> set[str]:
    folder = Path(settings.BASE_DIR) / "var" / "workbook-uploads"
    return {path.name for path in folder.glob("*")} if folder.exists() else set()


def post_evidence(client, world, name: str, data: bytes, content_type: str = "application/pdf"):
    url = reverse("assessment:evidence_add", args=[world.draft.pk, world.response.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type=content_type)}, follow=True)


@pytest.fixture
def consultant(world, as_role):
    client = as_role(Role.CONSULTANT)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("name", "kind", "reason"),
    [
        ("minutes.pdf", "html", "HTML, SVG and XML files are not accepted as evidence"),
        ("chart.svg", "svg", "HTML, SVG and XML files are not accepted as evidence"),
        ("chart.png", "svg", "HTML, SVG and XML files are not accepted as evidence"),
        ("logo.png", "svg_bare", "HTML, SVG and XML files are not accepted as evidence"),
        ("budget.xlsx", "bomb_xlsx", "expands to an implausible size"),
        ("report.docx", "bomb_docx", "expands to an implausible size"),
    ],
)
def test_a_disguised_evidence_file_is_refused_and_nothing_is_kept(world, consultant, bombs, name, kind, reason):
    data = {"html": HTML, "svg": SVG, "svg_bare": SVG_BARE, "bomb_xlsx": bombs["xlsx"], "bomb_docx": bombs["docx"]}[
        kind
    ]
    evidence_before, files_before = Evidence.objects.count(), stored_files()
    page = post_evidence(consultant, world, name, data).content.decode()
    assert f"“{name}” was refused" in page and reason in page
    assert Evidence.objects.count() == evidence_before
    assert stored_files() == files_before


def test_an_oversized_evidence_file_is_refused_by_its_size(world, consultant, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    evidence_before, files_before = Evidence.objects.count(), stored_files()
    page = post_evidence(consultant, world, "scan.pdf", b"%PDF-1.4\n" + bytes(1024 * 1024)).content.decode()
    assert "“scan.pdf” was refused: The file is larger than the limit of 1 MB." in page
    assert Evidence.objects.count() == evidence_before
    assert stored_files() == files_before


def test_a_real_pdf_is_accepted_so_the_refusals_are_about_the_content(world, consultant):
    before = Evidence.objects.count()
    page = post_evidence(consultant, world, "minutes.pdf", b"%PDF-1.4\n%%EOF\n").content.decode()
    assert "was refused" not in page
    assert Evidence.objects.count() == before + 1
    assert len(stored_files()) == 1  # stored where the refusal tests look


def test_the_evidence_check_reads_declared_sizes_and_never_inflates_the_bomb(bombs, monkeypatch):
    from assessment.evidence_files import evidence_file_check

    def no_reading(*args, **kwargs):
        raise AssertionError("the checker unpacked a member")

    monkeypatch.setattr(zipfile.ZipFile, "read", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="implausible size"):
        evidence_file_check(SimpleUploadedFile("budget.xlsx", bombs["xlsx"]))


@pytest.mark.parametrize("kind", ["bomb", "html", "svg"])
def test_a_disguised_workbook_is_refused_naming_the_file_and_nothing_is_kept(
    world, consultant, bombs, kind, monkeypatch
):
    import assessment.workbook

    def no_opening(*args, **kwargs):
        raise AssertionError("the workbook was opened before its size was checked")

    if kind == "bomb":
        monkeypatch.setattr(assessment.workbook, "load_workbook", no_opening)
    data = {"bomb": bombs["xlsx"], "html": HTML, "svg": SVG}[kind]
    before, state_before = (
        workbook_uploads(),
        list(world.draft.responses.order_by("pk").values_list("version", flat=True)),
    )
    url = reverse("assessment:workbook_upload", args=[world.draft.pk])
    response = consultant.post(url, {"workbook": SimpleUploadedFile("answers.xlsx", data)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "File: “answers.xlsx”" in page
    assert ("implausible size" if kind == "bomb" else "not an Excel workbook") in page
    assert workbook_uploads() == before
    assert list(world.draft.responses.order_by("pk").values_list("version", flat=True)) == state_before
