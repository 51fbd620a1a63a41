import datetime as dt
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from assessment.models import Assessment, Evidence
from assessment.services import assessments as services
from cities.models import City
from tests.assessment_builders import answer_everything, assessment_with_team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(client_factory):
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    return {
        "assessment": assessment,
        "consultant": client_factory(consultant),
        "reviewer": client_factory(assessment.reviewer),
        "other_consultant": client_factory(UserFactory(roles=[Role.CONSULTANT])),
        "other_reviewer": client_factory(UserFactory(roles=[Role.REVIEWER])),
        "manager": client_factory(UserFactory(roles=[Role.CITY_MANAGER])),
        "stakeholder": client_factory(UserFactory(roles=[Role.STAKEHOLDER])),
    }


def page_urls(assessment):
    response = assessment.responses.select_related("indicator__node").first()
    return [
        reverse("assessment:assessment_detail", args=[assessment.pk]),
        reverse("assessment:dimension_form", args=[assessment.pk, "D1"]),
        reverse("assessment:assessment_history", args=[assessment.pk]),
        reverse("assessment:workbook_download", args=[assessment.pk]),
    ], response


@pytest.mark.parametrize("who", ["other_consultant", "other_reviewer", "manager", "stakeholder"])
def test_a_user_who_is_not_on_the_assessment_gets_404_never_data(team, who):
    urls, response = page_urls(team["assessment"])
    client = team[who]
    for url in urls:
        reply = client.get(url)
        assert reply.status_code in (403, 404), url
        assert team["assessment"].city.name_zh not in reply.content.decode()
    save = reverse("assessment:response_save", args=[team["assessment"].pk, response.pk])
    assert client.post(save, {f"r{response.pk}-base_version": 1, f"r{response.pk}-source": "x"}).status_code in (
        403,
        404,
    )
    response.refresh_from_db()
    assert response.source == ""


def test_anonymous_visitors_are_sent_to_login(client, team):
    urls, _response = page_urls(team["assessment"])
    for url in urls:
        reply = client.get(url)
        assert reply.status_code == 302 and "/accounts/login/" in reply["Location"]


def test_a_reviewer_reads_but_cannot_save_answers(team):
    assessment = team["assessment"]
    urls, response = page_urls(assessment)
    assert team["reviewer"].get(urls[1]).status_code == 200
    save = reverse("assessment:response_save", args=[assessment.pk, response.pk])
    reply = team["reviewer"].post(
        save, {f"r{response.pk}-base_version": 1, f"r{response.pk}-source": "x"}, HTTP_ACCEPT="application/json"
    )
    assert reply.status_code == 403


def test_a_city_manager_sees_only_published_assessments_of_their_city(team, client_factory):
    assessment = team["assessment"]
    manager = UserFactory(roles=[Role.CITY_MANAGER])
    assessment.city.managers.add(manager)
    client = client_factory(manager)
    detail = reverse("assessment:assessment_detail", args=[assessment.pk])
    assert client.get(detail).status_code == 404
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=assessment.consultants.first())
    services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    assert client.get(detail).status_code == 404
    services.assessment_publish(assessment=assessment, user=assessment.reviewer)
    page = client.get(detail)
    assert page.status_code == 200 and 'data-testid="result-stage"' in page.content.decode()


def test_stakeholders_cannot_list_assessments(team):
    assert team["stakeholder"].get(reverse("assessment:assessment_list")).status_code == 403


def test_only_reviewers_create_assessments(team):
    assert team["consultant"].get(reverse("assessment:assessment_new")).status_code == 403
    assert team["reviewer"].get(reverse("assessment:assessment_new")).status_code == 200


def test_a_reviewer_creates_an_assessment_through_the_form(team):
    assessment = team["assessment"]
    city = City.objects.exclude(pk=assessment.city_id).first() or assessment.city
    consultant = assessment.consultants.first()
    reply = team["reviewer"].post(
        reverse("assessment:assessment_new"),
        {
            "city": city.pk,
            "framework": assessment.framework.pk,
            "period": 2026,
            "kind": "consultant",
            "consultants": [consultant.pk],
            "reviewer": assessment.reviewer.pk,
        },
    )
    assert reply.status_code == 302
    assert Assessment.objects.filter(city=city, period=2026).exists()


def test_autosave_returns_the_new_version_and_a_stale_autosave_gets_409_with_both_values(team):
    assessment = team["assessment"]
    response = assessment.responses.get(indicator__node__code="D1.2")
    url = reverse("assessment:response_save", args=[assessment.pk, response.pk])
    prefix = f"r{response.pk}-"
    first = team["consultant"].post(
        url, {prefix + "base_version": 1, prefix + "value": "42"}, HTTP_ACCEPT="application/json"
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    # The time said beside the field is the deployment's (Asia/Shanghai), as the page's "last saved", not the browser's.
    saved = dt.datetime.fromisoformat(first.json()["saved_at"])
    shanghai = saved.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert first.json()["saved_at_text"] == shanghai.strftime("%H:%M:%S")
    stale = team["consultant"].post(
        url, {prefix + "base_version": 1, prefix + "value": "43"}, HTTP_ACCEPT="application/json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["conflict"] is True
    difference = next(item for item in body["differences"] if item["field"] == "value")
    assert (difference["theirs"], difference["yours"]) == (42.0, 43.0)


def test_a_validation_error_keeps_what_was_typed(team):
    assessment = team["assessment"]
    response = assessment.responses.get(indicator__node__code="D2.1")
    url = reverse("assessment:response_save", args=[assessment.pk, response.pk])
    prefix = f"r{response.pk}-"
    reply = team["consultant"].post(
        url, {prefix + "base_version": 1, prefix + "value": "2.5", prefix + "source": "typed source"}
    )
    assert reply.status_code == 400
    page = reply.content.decode()
    assert 'value="typed source"' in page
    assert "whole number" in page or "整数" in page


def test_the_overview_shows_progress_per_dimension(team):
    page = (
        team["consultant"].get(reverse("assessment:assessment_detail", args=[team["assessment"].pk])).content.decode()
    )
    assert 'data-testid="dimension-progress"' in page
    assert "0/2" in page and "0/1" in page


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_upload_and_download_check_permission_and_never_serve_inline(team):
    assessment = team["assessment"]
    response = assessment.responses.get(indicator__node__code="D1.1")
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    reply = team["consultant"].post(
        url, {"file": SimpleUploadedFile("report.pdf", pdf_bytes(), content_type="text/html")}
    )
    assert reply.status_code == 302
    evidence = Evidence.objects.get(response=response)
    assert evidence.content_type == "application/pdf"
    assert "/media/" not in evidence.file.url if evidence.file.storage.base_url else True
    download = reverse("assessment:evidence_download", args=[evidence.pk])
    served = team["reviewer"].get(download)
    assert served.status_code == 200
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"%PDF")
    for who in ("other_consultant", "other_reviewer", "manager", "stakeholder"):
        assert team[who].get(download).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("binary.pdf", b"\x00\x01\x02MZ\x90\x00" * 10, "not accepted"),
    ],
)
def test_disguised_evidence_files_are_refused_by_content(team, name, content, reason):
    assessment = team["assessment"]
    response = assessment.responses.first()
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    reply = team["consultant"].post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert reason in reply.content.decode() or "不" in reply.content.decode()
    assert not Evidence.objects.filter(response=response).exists()


def test_an_oversized_evidence_file_is_refused(team, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assessment = team["assessment"]
    response = assessment.responses.first()
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    team["consultant"].post(url, {"file": SimpleUploadedFile("big.pdf", pdf_bytes() + b"0" * 2048)})
    assert not Evidence.objects.filter(response=response).exists()


def test_a_zip_bomb_disguised_as_a_word_file_is_refused(team):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (30 * 1024 * 1024))
    assessment = team["assessment"]
    response = assessment.responses.first()
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    team["consultant"].post(url, {"file": SimpleUploadedFile("report.docx", buffer.getvalue())})
    assert not Evidence.objects.filter(response=response).exists()


def upload_evidence(team, code="D1.1", name="wrong-city.pdf"):
    assessment = team["assessment"]
    response = assessment.responses.select_related("indicator__node__parent").get(indicator__node__code=code)
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    assert team["consultant"].post(url, {"file": SimpleUploadedFile(name, pdf_bytes())}).status_code == 302
    return response, Evidence.objects.get(response=response, original_name=name)


def test_a_consultant_removes_a_file_uploaded_by_mistake_and_the_history_shows_who(
    team, django_capture_on_commit_callbacks
):
    response, evidence = upload_evidence(team)
    stored, storage = evidence.file.name, evidence.file.storage
    assert storage.exists(stored)
    remove = reverse("assessment:evidence_remove", args=[evidence.pk])
    with django_capture_on_commit_callbacks(execute=True):
        reply = team["consultant"].post(remove)
    assert reply.status_code == 302
    assert (
        reply["Location"] == reverse("assessment:dimension_form", args=[team["assessment"].pk, "D1"]) + "#evidence-D1.1"
    )  # where its message is
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not storage.exists(stored)
    # The history keeps what it was and who removed it.
    removed = Evidence.history.get(id=evidence.pk, history_type="-")
    consultant = team["assessment"].consultants.first()
    assert removed.history_user == consultant and removed.original_name == "wrong-city.pdf"
    team["reviewer"].cookies["django_language"] = "en"
    page = team["reviewer"].get(reverse("assessment:assessment_history", args=[team["assessment"].pk])).content.decode()
    table = page[page.index('data-testid="evidence-history"') :]
    assert table.count("wrong-city.pdf") == 2 and "removed" in table and consultant.get_username() in table


def test_evidence_cannot_be_removed_by_others_nor_once_submitted(team, django_capture_on_commit_callbacks):
    response, evidence = upload_evidence(team)
    remove = reverse("assessment:evidence_remove", args=[evidence.pk])
    assert team["consultant"].get(remove).status_code == 405
    assert team["reviewer"].post(remove).status_code == 403
    for who in ("other_consultant", "other_reviewer", "manager", "stakeholder"):
        assert team[who].post(remove).status_code == 404
    assessment = team["assessment"]
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=assessment.consultants.first())
    with django_capture_on_commit_callbacks(execute=True):
        assert team["consultant"].post(remove).status_code == 403
    evidence.refresh_from_db()
    assert evidence.file.storage.exists(evidence.file.name)
    assert not Evidence.history.filter(id=evidence.pk, history_type="-").exists()


def test_the_remove_button_is_offered_only_to_those_who_may_remove(team):
    response, evidence = upload_evidence(team)
    form = reverse("assessment:dimension_form", args=[team["assessment"].pk, "D1"])
    remove = reverse("assessment:evidence_remove", args=[evidence.pk])
    assert remove in team["consultant"].get(form).content.decode()
    reviewer_page = team["reviewer"].get(form).content.decode()
    assert "wrong-city.pdf" in reviewer_page and remove not in reviewer_page


def test_the_reviewer_changes_the_team_on_its_page_and_the_history_shows_it(team):
    assessment = team["assessment"]
    newcomer = UserFactory(roles=[Role.CONSULTANT], username="newcomer")
    original = assessment.consultants.first()
    page_url = reverse("assessment:assessment_team", args=[assessment.pk])
    detail = reverse("assessment:assessment_detail", args=[assessment.pk])
    assert page_url in team["reviewer"].get(detail).content.decode()
    assert page_url not in team["consultant"].get(detail).content.decode()
    form = team["reviewer"].get(page_url)
    assert form.status_code == 200 and "newcomer" in form.content.decode()
    opened_on = services.team_signature(assessment)
    assert f'value="{opened_on}"' in form.content.decode()
    # The consultant goes on answering meanwhile: that is no reason to refuse the change.
    response = assessment.responses.first()
    services.response_save(
        response=response, user=original, values={"source": "still typing"}, base_version=response.version
    )
    reply = team["reviewer"].post(
        page_url, {"consultants": [newcomer.pk], "reviewer": assessment.reviewer.pk, "team_when_opened": opened_on}
    )
    assert reply.status_code == 302 and reply["Location"] == detail
    assert list(assessment.consultants.all()) == [newcomer]
    assessment.refresh_from_db()
    # A bad choice is named on the form, and nothing changes.
    refused = team["reviewer"].post(
        page_url,
        {
            "consultants": [],
            "reviewer": assessment.reviewer.pk,
            "team_when_opened": services.team_signature(assessment),
        },
    )
    assert refused.status_code == 200 and "consultants" in refused.content.decode()
    assert list(assessment.consultants.all()) == [newcomer]
    # A form opened before someone else's change does not silently replace it.
    team["reviewer"].cookies["django_language"] = "en"
    stale = team["reviewer"].post(
        page_url, {"consultants": [original.pk], "reviewer": assessment.reviewer.pk, "team_when_opened": opened_on}
    )
    assert stale.status_code == 200 and "Someone changed the team after you opened this page" in stale.content.decode()
    assert list(assessment.consultants.all()) == [newcomer]
    history = team["reviewer"].get(reverse("assessment:assessment_history", args=[assessment.pk])).content.decode()
    status_table = history[
        history.index('data-testid="status-history"') : history.index('data-testid="answer-history"')
    ]
    assert assessment.reviewer.get_username() in status_table and "newcomer" in status_table


def test_only_the_reviewer_or_an_administrator_opens_the_team_page(team):
    page_url = reverse("assessment:assessment_team", args=[team["assessment"].pk])
    assert team["consultant"].get(page_url).status_code == 403
    for who in ("other_consultant", "other_reviewer", "manager", "stakeholder"):
        assert team[who].get(page_url).status_code in (403, 404)
    before = list(team["assessment"].consultants.all())
    data = {
        "consultants": [before[0].pk],
        "reviewer": team["assessment"].reviewer.pk,
        "team_when_opened": services.team_signature(team["assessment"]),
    }
    assert team["consultant"].post(page_url, data).status_code == 403
    assert list(team["assessment"].consultants.all()) == before


def test_labels_end_in_the_page_languages_colon(team):
    """A label's colon is the language's: full-width in Chinese ("审核人："), never "审核人: " beside Chinese."""
    consultant = team["consultant"]
    assessment = team["assessment"]
    urls = [
        reverse("assessment:assessment_detail", args=[assessment.pk]),
        reverse("assessment:dimension_form", args=[assessment.pk, "D1"]),
    ]
    chinese = "".join(consultant.get(url).content.decode() for url in urls)
    assert "审核人：" in chinese and "所需佐证材料：" in chinese
    assert "审核人:" not in chinese and "所需佐证材料:" not in chinese
    consultant.cookies["django_language"] = "en"
    english = "".join(consultant.get(url).content.decode() for url in urls)
    assert "Reviewer: " in english and "Evidence required: " in english


def test_opening_an_address_that_only_takes_a_form_gives_a_page_not_a_blank_screen(team):
    """GET on a POST-only address: 405 with a translated page and the Allow header, never an empty body."""
    assessment = team["assessment"]
    response = assessment.responses.select_related("indicator__node").first()
    url = reverse("assessment:response_save", args=[assessment.pk, response.pk])
    reply = team["consultant"].get(url)
    assert reply.status_code == 405 and reply["Allow"] == "POST"
    assert "这个地址不打开页面" in reply.content.decode()
    team["consultant"].cookies["django_language"] = "en"
    english = team["consultant"].get(url)
    assert english.status_code == 405 and "This address does not open a page" in english.content.decode()
