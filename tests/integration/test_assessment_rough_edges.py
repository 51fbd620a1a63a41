"""Issue 16's rough edges on the consultant's and reviewer's pages.

Evidence refusals at their card; "Keep my values" keeps only what the user
changed; a value beyond a goalpost is saved with a warning; a refused
submission links every missing item and the progress counts missing
evidence; approve and publish take a confirming second step; the result
names its stage.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from assessment.models import Evidence, Indicator
from assessment.services import assessments as services
from tests.assessment_builders import answer_everything, assessment_with_team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(client_factory):
    assessment = assessment_with_team()
    second = UserFactory(roles=[Role.CONSULTANT])
    assessment.consultants.add(second)
    clients = {
        "consultant": client_factory(assessment.consultants.exclude(pk=second.pk).get()),
        "second": client_factory(second),
        "reviewer": client_factory(assessment.reviewer),
    }
    for client in clients.values():
        client.cookies["django_language"] = "en"
    return {"assessment": assessment, **clients}


def response_of(assessment, code):
    return assessment.responses.select_related("indicator__node").get(indicator__node__code=code)


def autosave(client, assessment, response, version, **fields):
    prefix = f"r{response.pk}-"
    data = {prefix + "base_version": version, **{prefix + name: value for name, value in fields.items()}}
    return client.post(
        reverse("assessment:response_save", args=[assessment.pk, response.pk]), data, HTTP_ACCEPT="application/json"
    )


# ------------------------------------------------------------------ evidence at its card


def test_a_refused_evidence_upload_is_shown_at_its_indicators_card_not_at_the_top(team):
    assessment = team["assessment"]
    response = response_of(assessment, "D1.1")
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    reply = team["consultant"].post(url, {"file": SimpleUploadedFile("page.pdf", b"<!DOCTYPE html><html></html>")})
    assert reply.status_code == 302 and reply["Location"].endswith("#evidence-D1.1")
    page = team["consultant"].get(reply["Location"]).content.decode()
    card = page[page.index('id="indicator-D1.1"') : page.index('id="indicator-D1.2"')]
    assert 'data-testid="evidence-message-D1.1"' in card and "Evidence for D1.1 was not added" in card
    assert page.count("Evidence for D1.1 was not added") == 1  # not at the top of the page as well
    assert not Evidence.objects.filter(response=response).exists()


# ------------------------------------------------------------------ keep my values


def test_keep_my_values_saves_only_the_fields_i_changed_and_keeps_their_comment(team):
    assessment = team["assessment"]
    response = response_of(assessment, "D1.2")
    opened = response.version
    # The other consultant comments after I opened the page.
    theirs = autosave(
        team["second"], assessment, response, opened, comment="Source checked with the statistics bureau."
    )
    assert theirs.status_code == 200
    # I change the value; my page still holds the empty comment I never touched.
    mine = {"value": "64", "comment": "", "changed_fields": "value"}
    refused = autosave(team["consultant"], assessment, response, opened, **mine)
    assert refused.status_code == 409
    assert [item["field"] for item in refused.json()["differences"]] == ["value"]
    kept = autosave(team["consultant"], assessment, response, refused.json()["version"], **mine)  # "Keep my values"
    assert kept.status_code == 200, kept.content
    response.refresh_from_db()
    assert response.value == 64
    assert response.comment == "Source checked with the statistics bureau."


def test_a_form_post_without_the_list_of_changes_saves_every_field_as_before(team):
    assessment = team["assessment"]
    response = response_of(assessment, "D1.2")
    autosave(team["second"], assessment, response, response.version, comment="theirs")
    response.refresh_from_db()
    saved = autosave(team["consultant"], assessment, response, response.version, value="10", comment="mine")
    assert saved.status_code == 200
    response.refresh_from_db()
    assert (response.value, response.comment) == (10, "mine")


# ------------------------------------------------------------------ goalposts


def test_a_value_beyond_the_upper_goalpost_is_saved_with_a_warning_in_the_reply_and_on_the_form(team):
    assessment = team["assessment"]
    response = response_of(assessment, "D2.1")  # a count, goalposts 0-50, plausible to 500
    reply = autosave(team["consultant"], assessment, response, response.version, value="80")
    assert reply.status_code == 200
    assert reply.json()["warnings"] == {"value": "Above the upper goalpost (50): it scores as 100."}
    response.refresh_from_db()
    assert response.value == 80
    page = team["consultant"].get(reverse("assessment:dimension_form", args=[assessment.pk, "D2"])).content.decode()
    warning = re.search(r'data-testid="value-warning">([^<]*)<', page)
    assert warning and warning.group(1) == "Above the upper goalpost (50): it scores as 100."
    within = autosave(team["consultant"], assessment, response, response.version, value="30")
    assert within.json()["warnings"] == {}


@pytest.mark.parametrize(
    ("direction", "value", "expected"),
    [
        (1, 1000, "Above the upper goalpost (40): it scores as 100."),
        (1, -5, "Below the lower goalpost (0): it scores as 0."),
        (-1, 1000, "Above the upper goalpost (40): it scores as 0."),
        (1, 20, ""),
    ],
)
def test_the_goalpost_warning_follows_the_direction(direction, value, expected):
    from django.utils import translation

    indicator = Indicator(type=Indicator.Type.QUANTITATIVE, lower=0, upper=40, direction=direction)
    with translation.override("en"):
        assert services.goalpost_warning(indicator, value) == expected


@pytest.mark.chinese
def test_the_goalpost_warning_is_translated(team):
    assessment = team["assessment"]
    response = response_of(assessment, "D2.1")
    team["consultant"].cookies["django_language"] = "zh-hans"
    reply = autosave(team["consultant"], assessment, response, response.version, value="80")
    assert "50" in reply.json()["warnings"]["value"] and "goalpost" not in reply.json()["warnings"]["value"]


# ------------------------------------------------------------------ submit with missing items


def test_a_refused_submission_links_every_missing_item_and_progress_counts_missing_evidence(
    default_framework, reference_data, client_factory
):
    from cities.models import City

    consultant = UserFactory(roles=[Role.CONSULTANT])
    assessment = services.assessment_create(
        city=City.objects.get(code="310000"), framework=default_framework, period=2026, consultants=[consultant]
    )
    answered = response_of(assessment, "W1.3")  # a level indicator that requires evidence
    services.response_save(response=answered, user=consultant, values={"level": 3}, base_version=answered.version)
    client = client_factory(consultant)
    client.cookies["django_language"] = "en"
    reply = client.post(reverse("assessment:assessment_transition", args=[assessment.pk, "submit"]))
    assert reply.status_code == 302 and reply["Location"].endswith("#missing-answers")
    page = client.get(reply["Location"]).content.decode()
    panel = page[page.index('data-testid="missing-answers"') :]
    panel = panel[: panel.index("</div>")]
    total = assessment.responses.count()
    for response in assessment.responses.select_related("indicator__node__parent"):
        node = response.indicator.node
        link = reverse("assessment:dimension_form", args=[assessment.pk, node.parent.code]) + f"#indicator-{node.code}"
        assert f'href="{link}"' in panel, node.code
    assert panel.count("<li>") == total and "(+" not in panel
    assert "W1.3" in panel and "needs evidence" in panel[panel.index("W1.3") :].split("</li>")[0]
    # The overview's bar for W1 does not look full: one answer waits for evidence.
    assert 'data-testid="needs-evidence-W1"' in page and "1 needs evidence" in page


# ------------------------------------------------------------------ approve and publish, and the stage


def test_approve_and_publish_ask_for_confirmation_without_inline_script_and_the_result_names_its_stage(team):
    assessment = team["assessment"]
    answer_everything(assessment)
    consultant = assessment.consultants.order_by("pk").first()
    services.assessment_submit(assessment=assessment, user=consultant)
    url = reverse("assessment:assessment_detail", args=[assessment.pk])
    page = team["reviewer"].get(url).content.decode()
    confirm = page[page.index('data-testid="confirm-approve"') :]
    confirm = confirm[: confirm.index("</details>")]
    assert '<summary class="btn btn-success" data-action="approve">' in confirm
    assert 'data-confirm="approve"' in confirm and "Yes, approve and score" in confirm
    assert not re.search(r"\son[a-z]+=", page)  # the CSP refuses inline handlers
    services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    page = team["reviewer"].get(url).content.decode()
    assert 'data-testid="confirm-publish"' in page and 'data-confirm="publish"' in page
    stage = assessment.result.stage
    name = assessment.framework.stages.get(code=stage).name_en
    assert f'data-testid="result-stage">{stage} · {name}<' in page
    team["reviewer"].cookies["django_language"] = "zh-hans"
    chinese = team["reviewer"].get(url).content.decode()
    assert f'data-testid="result-stage">{stage} · {assessment.framework.stages.get(code=stage).name_zh}<' in chinese
