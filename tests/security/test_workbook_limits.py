"""A workbook upload larger than an assessment's workbook can be is refused before it is loaded whole.

The probe's 4.4 MB workbook took 15.4 s and 500 MB of server memory: openpyxl
builds every cell up to a sheet's last row and column. The upload is checked
first by what each sheet declares (read-only, no cells loaded), then by the
cells' real extent, against limits taken from the framework.
"""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

import assessment.workbook
from accounts.roles import Role
from assessment.views.workbook import _responses
from assessment.workbook import sheet_limits
from tests.security.test_uploads import workbook_uploads

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant(world, as_role):
    client = as_role(Role.CONSULTANT)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def downloaded(world, consultant) -> bytes:
    response = consultant.get(reverse("assessment:workbook_download", args=[world.draft.pk]))
    assert response.status_code == 200
    return response.content


@pytest.fixture
def limits(world):
    return sheet_limits(_responses(world.draft))


def edited(data: bytes, change) -> tuple[bytes, str]:
    """The workbook with `change(sheet)` applied to its first dimension sheet, and that sheet's title."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[1]
    change(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), sheet.title


def rewritten_sheet(data: bytes, title_position: int, rewrite) -> bytes:
    """The workbook with the XML of one worksheet part rewritten (as a crafted file would be)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == f"xl/worksheets/sheet{title_position}.xml":
                content = rewrite(content.decode()).encode()
            target.writestr(entry.filename, content)
    return buffer.getvalue()


def upload(client, world, data: bytes):
    state = list(world.draft.responses.order_by("pk").values_list("version", flat=True))
    kept = workbook_uploads()
    url = reverse("assessment:workbook_upload", args=[world.draft.pk])
    response = client.post(url, {"workbook": SimpleUploadedFile("answers.xlsx", data)})
    # Nothing written: no answer changed, no upload kept for applying.
    assert list(world.draft.responses.order_by("pk").values_list("version", flat=True)) == state
    assert workbook_uploads() == kept
    return response


@pytest.fixture
def never_loaded_whole(monkeypatch):
    """Fails the test if the upload is loaded other than read-only (the size check must come first)."""
    real = assessment.workbook.load_workbook

    def read_only_only(*args, **kwargs):
        if not kwargs.get("read_only"):
            raise AssertionError("the workbook was loaded whole before its size was checked")
        return real(*args, **kwargs)

    monkeypatch.setattr(assessment.workbook, "load_workbook", read_only_only)


def test_an_unchanged_workbook_is_within_the_limits(world, consultant, downloaded):
    response = upload(consultant, world, downloaded)
    assert response.status_code == 200
    assert "reaches row" not in response.content.decode()


def test_a_cell_at_row_one_million_is_refused_naming_the_sheet_before_the_workbook_is_loaded(
    world, consultant, downloaded, limits, never_loaded_whole
):
    data, title = edited(downloaded, lambda sheet: sheet.cell(row=1_000_000, column=1, value="x"))
    response = upload(consultant, world, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"sheet “{title}”" in page
    assert (
        f"the sheet reaches row 1000000; a workbook of this assessment has at most {limits.rows} rows per sheet" in page
    )


def test_a_sheet_reaching_far_to_the_right_is_refused_naming_the_column(
    world, consultant, downloaded, never_loaded_whole
):
    data, title = edited(downloaded, lambda sheet: sheet.cell(row=2, column=500, value="x"))
    response = upload(consultant, world, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"sheet “{title}”" in page
    assert "the sheet reaches column SF; a workbook of this assessment uses columns up to AB" in page


def test_a_sheet_declaring_less_than_its_cells_reach_is_refused_by_their_real_extent(
    world, consultant, downloaded, limits
):
    far = limits.rows + 500
    data, title = edited(downloaded, lambda sheet: sheet.cell(row=far, column=1, value="x"))
    # A crafted file declares a small dimension (or none) for a sheet whose cells go further.
    data = rewritten_sheet(data, 2, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:N5"/>', xml))
    response = upload(consultant, world, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"sheet “{title}”" in page
    assert (
        f"the sheet reaches row {far}; a workbook of this assessment has at most {limits.rows} rows per sheet" in page
    )


def test_a_sheet_with_more_data_than_its_cells_could_hold_is_refused_before_it_is_parsed(
    world, consultant, downloaded, limits, never_loaded_whole
):
    # One row repeating the same cell: within every row and column limit, but megabytes of XML to parse.
    last = limits.rows
    repeated = f'<c r="A{last}" t="n"><v>1</v></c>' * (limits.sheet_bytes // 20)
    data = rewritten_sheet(
        downloaded, 2, lambda xml: xml.replace("</sheetData>", f'<row r="{last}">{repeated}</row></sheetData>')
    )
    response = upload(consultant, world, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"a workbook of this assessment holds at most {limits.sheet_bytes // 1024} KB per sheet" in page


def test_a_workbook_with_many_sheets_is_refused(world, consultant, downloaded, limits, never_loaded_whole):
    book = load_workbook(io.BytesIO(downloaded))
    book.security.lockStructure = False
    for number in range(limits.sheets):
        book.create_sheet(f"extra{number}")
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(consultant, world, buffer.getvalue())
    assert response.status_code == 400
    assert f"a workbook of this assessment has at most {limits.sheets}" in response.content.decode()
