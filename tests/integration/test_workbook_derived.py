"""The workbook round trip of indicators derived from agreements (issue 16).

The check step passed a derived answer that differed from the agreements'
proposal without a reason; saving then refused it under the heading "changed
on the server after you downloaded the workbook", which nobody had done.
"""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessment.services.framework import framework_import, framework_publish
from assessment.services.workbook import WorkbookApplyError, workbook_apply
from assessment.workbook import COLUMN_INDEX, ResponseChange
from cities.models import Agreement, AgreementParty
from tests.assessment_builders import assessment_with_team
from tests.factories import CityFactory
from tests.framework_documents import node, valid_document
from tests.integration.test_workbook import _file, edit, row_of

pytestmark = pytest.mark.django_db
RULE = {"source": "agreements", "domains": ["transport", "education"], "modes": []}
REASON = "Two more services run under a 2025 memorandum."


def agreement(key, domain, cities):
    item = Agreement.objects.create(
        key=key, title_zh=key, title_en=key, domain=domain, mode="mutual_recognition", status="in_force"
    )
    for city in cities:
        AgreementParty.objects.create(agreement=item, city=city)
    return item


@pytest.fixture
def derived(client_factory):
    document = valid_document()
    document["code"] = "DERIVED"
    node(document, "D2.1")["indicator"]["derived_from"] = RULE  # a count: 1 per domain covered
    framework = framework_publish(framework=framework_import(document=document))
    assessment = assessment_with_team(framework=framework, period=2025)
    agreement("bus", "transport", [assessment.city, CityFactory()])  # the proposal: 1
    client = client_factory(assessment.consultants.first())
    client.cookies["django_language"] = "en"
    return {"assessment": assessment, "client": client}


def download(derived) -> bytes:
    return derived["client"].get(reverse("assessment:workbook_download", args=[derived["assessment"].pk])).content


def with_d21(data: bytes, value, reason=None) -> bytes:
    def change(book):
        sheet = book["D2"]
        row = row_of(sheet, "D2.1")
        sheet.cell(row=row, column=COLUMN_INDEX["value"]).value = value
        if reason is not None:
            sheet.cell(row=row, column=COLUMN_INDEX["derived_override_reason"]).value = reason

    return edit(data, change)


def upload(derived, data):
    return derived["client"].post(
        reverse("assessment:workbook_upload", args=[derived["assessment"].pk]),
        {"workbook": _file(data, "answers.xlsx")},
    )


def apply(derived, token):
    return derived["client"].post(
        reverse("assessment:workbook_apply", args=[derived["assessment"].pk]), {"token": token}
    )


def d21(derived):
    return derived["assessment"].responses.get(indicator__node__code="D2.1")


def test_the_workbook_has_a_justification_column_open_only_on_derived_rows_and_names_the_proposal(derived):
    sheet = load_workbook(io.BytesIO(download(derived)))["D2"]
    column = COLUMN_INDEX["derived_override_reason"]
    assert sheet.cell(row=1, column=column).value == "Why the answer differs from what the agreements propose"
    assert sheet.cell(row=row_of(sheet, "D2.1"), column=column).protection.locked is False
    d1 = load_workbook(io.BytesIO(download(derived)))["D1"]
    assert d1.cell(row=row_of(d1, "D1.2"), column=column).protection.locked is True
    note = sheet.cell(row=row_of(sheet, "D2.1"), column=COLUMN_INDEX["value"]).comment.text
    assert "Proposed from recorded agreements: 1" in note and "bus" in note


def test_a_differing_derived_answer_without_its_reason_is_reported_by_the_check_step(derived):
    reply = upload(derived, with_d21(download(derived), 3))
    page = reply.content.decode()
    assert reply.status_code == 400
    assert "sheet “D2”, row 2, column “Why the answer differs from what the agreements propose”" in page
    assert "D2.1: the recorded agreements propose 1 and the answer is 3" in page
    assert 'data-testid="workbook-apply"' not in page
    assert d21(derived).value is None


def test_a_differing_derived_answer_with_its_reason_round_trips(derived):
    reply = upload(derived, with_d21(download(derived), 3, REASON))
    page = reply.content.decode()
    assert reply.status_code == 200, page
    # The preview names the fields as the workbook's columns do, never by their keys.
    assert "<td>Why the answer differs from what the agreements propose</td>" in page
    assert "<td>derived_override_reason</td>" not in page and "<td>value</td>" not in page
    applied = apply(derived, reply.context["token"])
    assert applied.status_code == 302
    saved = d21(derived)
    assert saved.value == 3 and saved.derived_override_reason == REASON and saved.derived_value == 1
    # Downloaded again, the reason is in its column and the workbook reads back unchanged.
    again = download(derived)
    sheet = load_workbook(io.BytesIO(again))["D2"]
    assert sheet.cell(row=row_of(sheet, "D2.1"), column=COLUMN_INDEX["derived_override_reason"]).value == REASON
    unchanged = upload(derived, again)
    assert unchanged.status_code == 200 and 'data-testid="workbook-changes"' not in unchanged.content.decode()


def test_agreements_recorded_between_check_and_save_are_named_as_the_cause(derived):
    reply = upload(derived, with_d21(download(derived), 1))  # the proposal: no reason needed
    assert reply.status_code == 200
    agreement("school", "education", [derived["assessment"].city, CityFactory()])  # now it proposes 2
    applied = apply(derived, reply.context["token"])
    page = applied.content.decode()
    assert applied.status_code == 400
    assert "D2.1: the recorded agreements propose 2 and the answer is 1" in page
    assert "after you downloaded the workbook" not in page
    assert d21(derived).value is None


def test_a_refusal_by_the_save_is_not_reported_as_someone_elses_change(derived):
    response = d21(derived)
    change = ResponseChange(response.pk, "D2.1", response.version, {"value": (None, 3.0)})
    with translation.override("en"), pytest.raises(WorkbookApplyError) as raised:
        workbook_apply(
            assessment=derived["assessment"], user=derived["assessment"].consultants.first(), changes=[change]
        )
    [conflict] = raised.value.conflicts
    assert not conflict.stale
    assert conflict.reason == (
        "Why the answer differs from what the agreements propose: "
        "The recorded agreements propose 1; say why your answer differs."
    )


def test_the_preview_names_fields_by_their_translated_column(derived):
    def change(book):
        sheet = book["D1"]
        row = row_of(sheet, "D1.2")
        sheet.cell(row=row, column=COLUMN_INDEX["value"]).value = 12
        sheet.cell(row=row, column=COLUMN_INDEX["value_year"]).value = 2024
        sheet.cell(row=row, column=COLUMN_INDEX["quality"]).value = "B"

    data = edit(download(derived), change)
    page = upload(derived, data).content.decode()
    assert "<td>Year of the value</td>" in page and "<td>Data-quality grade (A-F)</td>" in page
    assert "<td>value_year</td>" not in page and "<td>quality</td>" not in page
    derived["client"].cookies["django_language"] = "zh-hans"
    chinese = upload(derived, data).content.decode()
    assert "<td>value_year</td>" not in chinese and "<td>Year of the value</td>" not in chinese
