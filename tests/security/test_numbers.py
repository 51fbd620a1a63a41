"""Numbers that are no numbers, and numbers no city could have (issue 15, point 6).

The probe typed ``inf``, ``-inf`` and ``nan`` into the workbook: they were
stored, and the reviewer's Approve then failed with a server error, leaving
the assessment stuck. Every path that writes a number now refuses inf, -inf
and NaN (and 1e999, which a float reads as inf) with a message naming the
field, and writes nothing: the answer form, the workbook, a backup restore,
a framework import and score_dataset. A value stored before the fix stops the
approval with a message naming its indicator, never with a server error.
(The JSON API only reads: no number reaches the database through it.)

Plausibility: a quantitative answer outside its indicator's plausible range
(a share 0-100 %, other values 0 to ten times the upper goalpost) is refused
unless the consultant says why (``plausibility_override_reason``).

``finite_numbers`` and ``plausibility`` switch the two walls off.
"""

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from assessment.models import Assessment, AssessmentResult, Framework, Response
from assessment.workbook import COLUMN_INDEX
from tests.security.test_uploads import workbook_uploads

pytestmark = pytest.mark.django_db

NOT_FINITE = ["inf", "-inf", "nan", "NaN", "1e999"]
# The same in a JSON file: what json.dumps writes for inf and NaN, and a number too large for a float.
NOT_FINITE_JSON = ["Infinity", "-Infinity", "NaN", "1e999"]
SENTINEL = 987654.321
SHARE = "W1.1"  # quantitative, unit %, goalposts 0-100
COUNT = "X2.2"  # count of accepted e-licence types (DSMF 1.0 and 1.1)
REASON = "Checked twice against the statistical yearbook: the survey counts commuters too."
IN_REVIEW_CITY = "340100"  # Hefei: the demo leaves its 2026 assessment in review (assessment.demo.load)
ASEM = Path(settings.BASE_DIR) / "tests" / "data" / "asem"


@pytest.fixture
def consultant(world, as_role):
    client = as_role(Role.CONSULTANT)
    client.cookies["django_language"] = "en"
    return client


def draft_response(world, code: str) -> Response:
    return world.draft.responses.select_related("indicator__node__parent").get(indicator__node__code=code)


def stored(world) -> list[tuple]:
    return list(
        world.draft.responses.order_by("pk").values_list("pk", "value", "version", "plausibility_override_reason")
    )


def answer(client, world, response: Response, value: str, reason: str = "", as_json: bool = True):
    prefix = f"r{response.pk}"
    data = {
        f"{prefix}-base_version": response.version,
        f"{prefix}-value": value,
        f"{prefix}-plausibility_override_reason": reason,
    }
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(reverse("assessment:response_save", args=[world.draft.pk, response.pk]), data, headers=headers)


def value_errors(reply) -> str:
    return " ".join(error["message"] for error in reply.json()["errors"].get("value", []))


# ------------------------------------------------------------------ the answer form


@pytest.mark.parametrize("typed", NOT_FINITE)
def test_the_answer_form_refuses_a_number_that_is_not_finite_even_with_a_reason(world, consultant, typed):
    before = stored(world)
    reply = answer(consultant, world, draft_response(world, SHARE), typed, reason=REASON)
    assert reply.status_code == 400
    assert "ordinary number such as 12.5" in value_errors(reply)
    assert stored(world) == before


def test_the_answer_page_shows_the_refusal_beside_the_value(world, consultant):
    before = stored(world)
    reply = answer(consultant, world, draft_response(world, SHARE), "inf", reason=REASON, as_json=False)
    assert reply.status_code == 400
    assert "ordinary number such as 12.5" in reply.content.decode()
    assert stored(world) == before


def test_a_share_outside_0_to_100_is_refused_without_a_reason_and_kept_with_one(world, consultant):
    response = draft_response(world, SHARE)
    before = stored(world)
    refused = answer(consultant, world, response, "150")
    assert refused.status_code == 400
    assert "150 is outside the plausible range 0–100 %" in value_errors(refused)
    assert stored(world) == before

    kept = answer(consultant, world, response, "150", reason=REASON)
    assert kept.status_code == 200, kept.content
    response.refresh_from_db()
    assert (response.value, response.plausibility_override_reason) == (150, REASON)
    # The history keeps the reason with the value.
    assert response.history.first().plausibility_override_reason == REASON


def test_a_count_beyond_ten_times_its_upper_goalpost_needs_a_reason_and_one_within_needs_none(world, consultant):
    response = draft_response(world, COUNT)
    upper = int(response.indicator.upper)
    assert response.indicator.type == "count" and upper > 0
    refused = answer(consultant, world, response, str(25 * upper))
    assert refused.status_code == 400
    assert f"outside the plausible range 0–{10 * upper}" in value_errors(refused)
    within = answer(consultant, world, response, str(9 * upper))
    assert within.status_code == 200, within.content
    response.refresh_from_db()
    assert response.value == 9 * upper and response.plausibility_override_reason == ""


def test_the_form_names_the_plausible_range_and_offers_the_reason_field(world, consultant):
    page = consultant.get(reverse("assessment:dimension_form", args=[world.draft.pk, "W1"])).content.decode()
    response = draft_response(world, SHARE)
    assert "Plausible range: 0–100 %." in page
    assert f'name="r{response.pk}-plausibility_override_reason"' in page


# ------------------------------------------------------------------ the workbook


class NumberCell(str):
    """A number cell's raw content, as a spreadsheet program may write it (openpyxl writes no such cell)."""


def workbook_with(world, client, code: str, value, reason: str = "") -> tuple[bytes, int]:
    """The draft's workbook with ``value`` (and ``reason``) typed in the indicator's row, and that row."""
    import zipfile

    data = client.get(reverse("assessment:workbook_download", args=[world.draft.pk])).content
    book = load_workbook(io.BytesIO(data))
    sheet = book[draft_response(world, code).indicator.node.parent.code]
    row = next(cells[0].row for cells in sheet.iter_rows(min_row=2) if cells[0].value == code)
    sheet.cell(row=row, column=COLUMN_INDEX["value"]).value = SENTINEL if isinstance(value, NumberCell) else value
    sheet.cell(row=row, column=COLUMN_INDEX["plausibility_override_reason"]).value = reason
    buffer = io.BytesIO()
    book.save(buffer)
    if not isinstance(value, NumberCell):
        return buffer.getvalue(), row
    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(rewritten, "w") as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/"):
                content = content.replace(f"<v>{SENTINEL}</v>".encode(), f"<v>{value}</v>".encode())
            target.writestr(entry, content)
    return rewritten.getvalue(), row


def upload_and_apply(client, world, data: bytes):
    """Upload, then apply whatever the upload left to apply; the upload's reply."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    reply = client.post(
        reverse("assessment:workbook_upload", args=[world.draft.pk]),
        {"workbook": SimpleUploadedFile("answers.xlsx", data)},
    )
    token = client.session.get(f"workbook-upload-{world.draft.pk}", "")
    if token:
        client.post(reverse("assessment:workbook_apply", args=[world.draft.pk]), {"token": token})
    return reply


@pytest.mark.parametrize(
    "typed",
    [*NOT_FINITE, NumberCell("1E999"), NumberCell("1" + "0" * 400)],
    ids=[*NOT_FINITE, "number-cell-1E999", "number-cell-400-digits"],
)
def test_the_workbook_refuses_a_number_that_is_not_finite_naming_sheet_row_and_column(world, consultant, typed):
    data, row = workbook_with(world, consultant, SHARE, typed, reason=REASON)
    before, kept = stored(world), workbook_uploads()
    reply = upload_and_apply(consultant, world, data)
    page = reply.content.decode()
    assert reply.status_code == 400
    shown = "inf" if typed == "1E999" else str(typed)[:30]  # a number cell arrives as the float it reads as
    assert f"sheet “W1”, row {row}, column “Value”: “{shown}” is not a finite number" in page
    assert 'data-testid="workbook-apply"' not in page
    assert stored(world) == before
    assert workbook_uploads() == kept


def test_the_workbook_refuses_a_value_outside_the_plausible_range_unless_its_row_says_why(world, consultant):
    data, row = workbook_with(world, consultant, SHARE, 150)
    book = load_workbook(io.BytesIO(data))
    assert "Plausible range: 0–100 %." in book["W1"].cell(row=row, column=COLUMN_INDEX["value"]).comment.text
    before = stored(world)
    refused = upload_and_apply(consultant, world, data)
    assert refused.status_code == 400
    assert (
        f"sheet “W1”, row {row}, column “Value”: 150 is outside the plausible range 0–100 %" in refused.content.decode()
    )
    assert stored(world) == before

    data, _row = workbook_with(world, consultant, SHARE, 150, reason=REASON)
    accepted = upload_and_apply(consultant, world, data)
    assert accepted.status_code == 200, accepted.content.decode()
    response = draft_response(world, SHARE)
    assert (response.value, response.plausibility_override_reason) == (150, REASON)


# ------------------------------------------------------------------ approval


@pytest.mark.parametrize("stored_value", [float("inf"), float("-inf")])
def test_approving_with_a_value_stored_before_the_fix_names_the_indicator_and_never_fails(
    world, client_factory, stored_value
):
    assessment = Assessment.objects.get(city_id=IN_REVIEW_CITY, period=2026, status=Assessment.Status.IN_REVIEW)
    reviewer = client_factory(assessment.reviewer)
    reviewer.cookies["django_language"] = "en"
    response = assessment.responses.get(indicator__node__code=SHARE)
    finite = response.value
    Response.objects.filter(pk=response.pk).update(value=stored_value)  # as the probe left it
    approve = reverse("assessment:assessment_transition", args=[assessment.pk, "approve"])

    reply = reviewer.post(approve, follow=True)
    assert reply.status_code == 200
    assert f"The value of {SHARE} is not a finite number" in reply.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW
    assert not AssessmentResult.objects.filter(assessment=assessment).exists()

    # Corrected, the same assessment is approved and scored.
    Response.objects.filter(pk=response.pk).update(value=finite)
    assert reviewer.post(approve).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED and assessment.result.index_score is not None


# ------------------------------------------------------------------ imports


def sealed(contents: dict[str, bytes], path: Path) -> Path:
    """Write the archive with the manifest's checksums recomputed, so only the content is wrong."""
    import zipfile

    manifest = json.loads(contents["manifest.json"])
    manifest["members"] = {
        name: hashlib.sha256(data).hexdigest() for name, data in contents.items() if name != "manifest.json"
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in {**contents, "manifest.json": json.dumps(manifest).encode()}.items():
            archive.writestr(name, data)
    return path


def test_a_backup_holding_a_number_that_is_not_finite_is_refused_naming_row_and_field(world, tmp_path):
    import zipfile

    out = tmp_path / "backup.zip"
    call_command("export_all", out=str(out), stdout=io.StringIO())
    with zipfile.ZipFile(out) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    member = next(name for name in contents if name.endswith("-assessment.response.json"))
    rows = json.loads(contents[member])
    row = next(row for row in rows if row["fields"]["assessment"] == world.draft.pk)
    row["fields"]["value"] = SENTINEL
    text = json.dumps(rows)
    before = (Response.objects.count(), stored(world))
    for token in NOT_FINITE_JSON:
        bad = sealed({**contents, member: text.replace(str(SENTINEL), token).encode()}, tmp_path / f"{token}.zip")
        # --replace: only the check stands between this archive and the database.
        with pytest.raises(CommandError) as refused:
            call_command("import_all", str(bad), "--replace", stdout=io.StringIO())
        message = str(refused.value)
        assert "nothing was changed" in message
        assert f"assessment.response {row['pk']}, field value, holds" in message and "not a finite number" in message
        assert (Response.objects.count(), stored(world)) == before


def framework_file(tmp_path: Path, where: str, token: str) -> Path:
    """The shipped framework under another version, with ``token`` as SHARE's upper goalpost or its weight."""
    document = json.loads((Path(settings.BASE_DIR) / "fixtures" / "frameworks" / "dsmf-1.0.json").read_text())
    document["version"] = "9.9"
    node = next(node for node in document["nodes"] if node["code"] == SHARE)
    if where == "upper":
        node["indicator"]["upper"] = SENTINEL
    else:
        node["weight"] = SENTINEL
    path = tmp_path / "framework.json"
    path.write_text(json.dumps(document, ensure_ascii=False).replace(str(SENTINEL), token), encoding="utf-8")
    return path


@pytest.mark.parametrize("token", NOT_FINITE_JSON)
@pytest.mark.parametrize("where", ["upper", "weight"])
def test_a_framework_with_a_goalpost_or_weight_that_is_not_finite_is_refused(world, tmp_path, where, token):
    with pytest.raises(CommandError) as refused:
        call_command("import_framework", str(framework_file(tmp_path, where, token)), stdout=io.StringIO())
    label = f"node {SHARE} · indicator.upper" if where == "upper" else f"node {SHARE} · weight"
    assert f"{label}: " in str(refused.value) and "is not a finite number" in str(refused.value)
    assert not Framework.objects.filter(code="DSMF", version="9.9").exists()


# A NaN direction was refused before (int() raises); inf made int() overflow with a traceback.
@pytest.mark.parametrize(
    ("column", "token"),
    [*(("Weight", token) for token in NOT_FINITE), *(("Direction", token) for token in ("inf", "-inf", "1e999"))],
)
def test_an_imeta_table_with_a_number_that_is_not_finite_is_refused_by_line(tmp_path, column, token):
    cells = {"Weight": "1", "Direction": "1", column: token}
    path = tmp_path / "iMeta.csv"
    path.write_text(
        "Level,iCode,iName,Direction,Weight,Parent,Type\n"
        f"1,I1,Indicator one,{cells['Direction']},{cells['Weight']},D1,Indicator\n"
        "2,D1,Dimension,1,1,,Aggregate\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_framework", str(path), "--code", "NUM", "--version", "1", stdout=io.StringIO())
    assert "line 2: Level, Weight and Direction must be numbers" in str(refused.value)
    assert not Framework.objects.filter(code="NUM").exists()


@pytest.mark.parametrize("token", ["inf", "-inf", "Infinity", "1e999"])
def test_score_dataset_refuses_an_infinite_value_by_row_and_column(tmp_path, token):
    """NaN is not refused here: in COINr's layout an empty or NA cell is a missing value."""
    data = tmp_path / "iData.csv"
    shutil.copyfile(ASEM / "ASEM_iData.csv", data)
    data.write_text(data.read_text(encoding="utf-8").replace("4.097985", token, 1), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command(
            "score_dataset",
            "--meta",
            str(ASEM / "ASEM_iMeta.csv"),
            "--data",
            str(data),
            "--out",
            str(tmp_path / "out.csv"),
            verbosity=0,
        )
    message = str(refused.value)
    assert "row 2" in message and "column 'LPI'" in message and "not a finite number" in message
    assert not (tmp_path / "out.csv").exists()
