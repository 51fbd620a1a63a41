import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from assessment.models import Response
from assessment.services.assessments import response_save
from assessment.views.workbook import _responses
from assessment.workbook import workbook_build
from tests.assessment_builders import assessment_with_team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client_factory):
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    client = client_factory(consultant)
    data = client.get(reverse("assessment:workbook_download", args=[assessment.pk])).content
    return {"assessment": assessment, "consultant": consultant, "client": client, "data": data}


def edit(data: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_of(sheet, code):
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == code)


def upload(setup, data, name="answers.xlsx"):
    url = reverse("assessment:workbook_upload", args=[setup["assessment"].pk])
    setup["client"].cookies["django_language"] = "en"
    return setup["client"].post(url, {"workbook": _file(data, name)})


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored(assessment):
    return {
        r.indicator.node.code: (r.level, r.value, r.comment, r.version)
        for r in assessment.responses.select_related("indicator__node")
    }


def test_the_workbook_has_a_sheet_per_dimension_with_level_choices_and_descriptors(setup):
    book = load_workbook(io.BytesIO(setup["data"]))
    assert {"D1", "D2"} <= set(book.sheetnames)
    assert book["_meta"].sheet_state == "veryHidden"
    assert book.security.lockStructure
    sheet = book["D1"]
    assert sheet.protection.sheet
    row = row_of(sheet, "D1.1")
    level_cell = sheet.cell(row=row, column=6)
    assert "第5级描述" in level_cell.comment.text  # Chinese first
    assert any("0,1,2,3,4,5" in (dv.formula1 or "") for dv in sheet.data_validations.dataValidation)
    assert level_cell.protection.locked is False
    assert sheet.cell(row=row, column=1).protection.locked is True


def test_an_unchanged_workbook_reads_back_with_no_change(setup):
    reply = upload(setup, setup["data"])
    assert reply.status_code == 200
    assert 'data-testid="workbook-changes"' not in reply.content.decode()
    assert 'data-testid="workbook-problems"' not in reply.content.decode()


def test_changes_are_previewed_then_applied_together(setup):
    def change(book):
        d1 = book["D1"]
        d1.cell(row=row_of(d1, "D1.1"), column=6).value = 3
        d1.cell(row=row_of(d1, "D1.2"), column=7).value = 64.5
        d2 = book["D2"]
        d2.cell(row=row_of(d2, "D2.1"), column=12).value = "从年报摘录"

    reply = upload(setup, edit(setup["data"], change))
    page = reply.content.decode()
    assert reply.status_code == 200 and 'data-testid="workbook-changes"' in page
    assert stored(setup["assessment"])["D1.1"][0] is None  # nothing saved by the preview
    token = reply.context["token"]
    applied = setup["client"].post(
        reverse("assessment:workbook_apply", args=[setup["assessment"].pk]), {"token": token}
    )
    assert applied.status_code == 302
    now = stored(setup["assessment"])
    assert now["D1.1"][0] == 3 and now["D1.2"][1] == 64.5 and now["D2.1"][2] == "从年报摘录"
    assert now["D1.1"][3] == 2
    assert Response.history.filter(assessment_id=setup["assessment"].pk, level=3).exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda b: setattr(b["D1"].cell(row=row_of(b["D1"], "D1.1"), column=6), "value", 7),
            "sheet “D1”, row 2, column “Level (0-5)”",
        ),
        (
            lambda b: setattr(b["D1"].cell(row=row_of(b["D1"], "D1.2"), column=7), "value", "about half"),
            "“about half” is text, not a number",
        ),
        (lambda b: setattr(b["D1"].cell(row=row_of(b["D1"], "D1.2"), column=4), "value", "km"), "column “Unit”"),
        (
            lambda b: setattr(b["D1"].cell(row=row_of(b["D1"], "D1.2"), column=1), "value", "Z9.9"),
            "unknown indicator code “Z9.9”",
        ),
        (lambda b: setattr(b["D2"], "title", "Sheet9"), "sheet “D2”: the sheet is missing"),
        (lambda b: setattr(b["D2"].cell(row=row_of(b["D2"], "D2.1"), column=7), "value", 2.5), "sheet “D2”, row 2"),
    ],
    ids=["level-out-of-range", "text-in-number", "wrong-unit", "unknown-code", "sheet-renamed", "count-not-whole"],
)
def test_each_bad_row_is_reported_by_sheet_and_row_and_nothing_is_saved(setup, change, expected):
    before = stored(setup["assessment"])

    def mutate(book):
        book.security.lockStructure = False
        change(book)

    reply = upload(setup, edit(setup["data"], mutate))
    page = reply.content.decode()
    assert reply.status_code == 400
    assert expected in page
    assert 'data-testid="workbook-apply"' not in page
    assert stored(setup["assessment"]) == before


def test_a_file_that_is_not_a_workbook_is_refused(setup):
    reply = upload(setup, b"%PDF-1.4 not a workbook")
    assert reply.status_code == 400 and "not an Excel workbook" in reply.content.decode()


def test_a_zip_bomb_is_refused_before_opening(setup):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    reply = upload(setup, buffer.getvalue())
    assert reply.status_code == 400 and "implausible size" in reply.content.decode()


def test_a_workbook_of_another_assessment_is_refused(setup):
    other = assessment_with_team(consultant=setup["consultant"], framework=setup["assessment"].framework)
    other_data = setup["client"].get(reverse("assessment:workbook_download", args=[other.pk])).content
    reply = upload(setup, other_data)
    assert reply.status_code == 400 and "another assessment" in reply.content.decode()


def test_a_stale_workbook_is_refused_whole_and_shows_both_values(setup):
    assessment = setup["assessment"]

    def change(book):
        d1 = book["D1"]
        d1.cell(row=row_of(d1, "D1.1"), column=6).value = 2
        d1.cell(row=row_of(d1, "D1.2"), column=7).value = 10

    reply = upload(setup, edit(setup["data"], change))
    token = reply.context["token"]
    # Someone saves D1.2 on the form after the download.
    response = assessment.responses.get(indicator__node__code="D1.2")
    response_save(response=response, user=setup["consultant"], values={"value": 77.0}, base_version=response.version)
    applied = setup["client"].post(reverse("assessment:workbook_apply", args=[assessment.pk]), {"token": token})
    page = applied.content.decode()
    assert applied.status_code == 409
    assert "D1.2" in page and "“77”" in page and "“10”" in page
    now = stored(assessment)
    assert now["D1.1"][0] is None and now["D1.2"][1] == 77.0


def test_formula_like_text_is_neutralised_on_export(setup):
    assessment = setup["assessment"]
    response = assessment.responses.get(indicator__node__code="D1.1")
    response_save(
        response=response,
        user=setup["consultant"],
        values={"comment": '=HYPERLINK("http://x","y")', "source": "@SUM(A1)"},
        base_version=1,
    )
    data = workbook_build(assessment, list(assessment.responses.select_related("indicator__node__parent")))
    sheet = load_workbook(io.BytesIO(data))["D1"]
    row = row_of(sheet, "D1.1")
    comment, source = sheet.cell(row=row, column=12), sheet.cell(row=row, column=9)
    assert comment.data_type == "s" and comment.value.startswith("'=")
    assert source.data_type == "s" and source.value.startswith("'@")
    # Reading it back restores the text exactly: no spurious change.
    reply = upload(setup, data)
    assert 'data-testid="workbook-changes"' not in reply.content.decode()


def test_wrong_roles_cannot_download_or_upload(setup, client_factory):
    assessment = setup["assessment"]
    stranger = client_factory(UserFactory(roles=[Role.CONSULTANT]))
    assert stranger.get(reverse("assessment:workbook_download", args=[assessment.pk])).status_code == 404
    reviewer = client_factory(assessment.reviewer)
    assert reviewer.get(reverse("assessment:workbook_download", args=[assessment.pk])).status_code == 200
    assert (
        reviewer.post(
            reverse("assessment:workbook_upload", args=[assessment.pk]), {"workbook": _file(setup["data"], "a.xlsx")}
        ).status_code
        == 403
    )
    from django.test import Client

    anonymous = Client().get(reverse("assessment:workbook_download", args=[assessment.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_dsmf_workbook_has_the_eleven_dimension_sheets(default_framework, reference_data):
    from assessment.services.assessments import assessment_create
    from cities.models import City

    consultant = UserFactory(roles=[Role.CONSULTANT])
    assessment = assessment_create(
        city=City.objects.get(code="310000"), framework=default_framework, period=2025, consultants=[consultant]
    )
    # In the download's order (views.workbook): PostgreSQL returns order ties as they come.
    data = workbook_build(assessment, _responses(assessment))
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert [n for n in names if n not in {"README", "_meta"}] == [
        "W1",
        "B1",
        "W2",
        "B2",
        "W3",
        "X1",
        "X2",
        "X3",
        "X4",
        "X5",
        "X6",
    ]


@pytest.mark.chinese
def test_problems_are_reported_in_chinese_by_default(setup):
    def change(book):
        book["D1"].cell(row=row_of(book["D1"], "D1.1"), column=6).value = 7

    reply = setup["client"].post(
        reverse("assessment:workbook_upload", args=[setup["assessment"].pk]),
        {"workbook": _file(edit(setup["data"], change), "a.xlsx")},
    )
    assert "工作表“D1”第 2 行“等级（0—5）”列" in reply.content.decode() or "工作表“D1”第 2 行" in reply.content.decode()
