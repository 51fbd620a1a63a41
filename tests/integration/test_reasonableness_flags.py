"""Reasonableness flags on the review page (issue 21, point 4, first part): a planted outlier and a planted jump.

A G60 campaign's statistics are imported; one city's value is planted far from
the others, one city's value far from its published value of the year before,
one value is about a year long past. The reviewer's dimension page flags
exactly those answers, with the figures; the limits are the rules module's.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from assessment.models import Assessment, Campaign, Response
from assessment.scoring import reasonableness as rules
from assessment.services.assessments import assessment_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

G60 = ["310000", "320500", "330100", "330400", "330500", "330700", "340100", "340200", "341800"]


@pytest.fixture
def campaign(reference_data, default_framework, tmp_path):
    reviewer = UserFactory(username="reviewer", roles=[Role.REVIEWER])
    consultant = UserFactory(username="consultant", roles=[Role.CONSULTANT])
    # Hangzhou's published answer of 2025: W1.1 at 10.
    earlier = assessment_create(
        city=reference_data_city("330100"), framework=default_framework, period=2025, consultants=[consultant]
    )
    Response.objects.filter(assessment=earlier, indicator__node__code="W1.1").update(value=10)
    Assessment.objects.filter(pk=earlier.pk).update(status=Assessment.Status.PUBLISHED, published_at=timezone.now())
    call_command(
        "open_campaign",
        "--region=G60",
        "--period=2026",
        "--framework=DSMF:1.0",
        f"--reviewer={reviewer.username}",
        f"--consultants={consultant.username}",
        stdout=io.StringIO(),
    )
    values = {code: 40 + n for n, code in enumerate(G60)}
    values["340200"] = 99  # Wuhu: planted far from the others
    values["330100"] = 65  # Hangzhou: from 10 a year before
    lines = ["city_code,W1.1,W1.2,W1.2 year"]
    lines += [f"{code},{values[code]},{10 + n},{2022 if code == '320500' else 2025}" for n, code in enumerate(G60)]
    path = tmp_path / "g60.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command(
        "import_statistics", str(path), "--region=G60", "--period=2026", "--user=consultant", stdout=io.StringIO()
    )
    return Campaign.objects.get()


def reference_data_city(code):
    from cities.models import City

    return City.objects.get(code=code)


def flags_on_the_page(client, campaign, city: str, dimension: str = "W1") -> dict[str, list[str]]:
    assessment = campaign.assessments.get(city_id=city)
    client.cookies["django_language"] = "en"
    page = client.get(f"/assessments/{assessment.pk}/dimensions/{dimension}/")
    assert page.status_code == 200
    return {
        item["response"].indicator.node.code: [flag.text for flag in item["flags"]]
        for item in page.context["items"]
        if item["flags"]
    }


def test_the_planted_outlier_jump_and_old_value_are_flagged_and_nothing_else(campaign, client_factory):
    reviewer = client_factory(campaign.reviewer)
    wuhu = flags_on_the_page(reviewer, campaign, "340200")
    assert list(wuhu) == ["W1.1"] and "outlier among the 9 cities" in wuhu["W1.1"][0]
    assert f"±{rules.ROBUST_Z_LIMIT}" in wuhu["W1.1"][0]
    hangzhou = flags_on_the_page(reviewer, campaign, "330100")
    assert any("Changed from 10 in 2025 to 65" in text for text in hangzhou["W1.1"])
    suzhou = flags_on_the_page(reviewer, campaign, "320500")
    assert suzhou == {"W1.2": ["The value is about 2022, 4 years before the period (more than 2)."]}
    assert flags_on_the_page(reviewer, campaign, "330400") == {}


def test_the_flags_are_for_the_team_not_for_another_reviewer(campaign, client_factory):
    other = client_factory(UserFactory(username="reviewer-2", roles=[Role.REVIEWER]))
    wuhu = campaign.assessments.get(city_id="340200")
    assert other.get(f"/assessments/{wuhu.pk}/dimensions/W1/").status_code == 404
    consultant = client_factory(wuhu.consultants.get())
    assert "W1.1" in flags_on_the_page(consultant, campaign, "340200")


def test_the_reviewer_keeps_a_flagged_answer_with_a_reason_and_nobody_else_can(campaign, client_factory):
    from assessment.models import FlagAcceptance

    wuhu = campaign.assessments.get(city_id="340200")
    response = wuhu.responses.get(indicator__node__code="W1.1")
    url = f"/assessments/{wuhu.pk}/responses/{response.pk}/flags/outlier/accept/"
    consultant = client_factory(wuhu.consultants.get())
    consultant.post(url, {"reason": "I say so"})
    reviewer = client_factory(campaign.reviewer)
    reviewer.post(url, {"reason": "  "})
    assert not FlagAcceptance.objects.exists()

    reviewer.post(url, {"reason": "Wuhu counts gigabit lines of its industrial parks (统计口径 confirmed)."})
    (kept,) = FlagAcceptance.objects.all()
    assert (kept.kind, kept.value, kept.accepted_by) == ("outlier", 99.0, campaign.reviewer)
    reviewer.cookies["django_language"] = "en"
    page = reviewer.get(f"/assessments/{wuhu.pk}/dimensions/W1/")
    (item,) = [item for item in page.context["items"] if item["flags"]]
    assert item["flags"][0].accepted == kept
    assert "统计口径 confirmed" in page.content.decode()


def test_an_answer_without_the_evidence_its_indicator_requires_is_flagged(campaign, client_factory):
    suzhou = campaign.assessments.get(city_id="320500")
    response = suzhou.responses.filter(indicator__evidence_required=True, indicator__type="level").first()
    response.level = 3
    response.save()
    page = client_factory(campaign.reviewer).get(
        f"/assessments/{suzhou.pk}/dimensions/{response.indicator.node.parent.code}/"
    )
    kinds = {
        flag.kind for item in page.context["items"] if item["response"].pk == response.pk for flag in item["flags"]
    }
    assert kinds == {"no_evidence"}


def test_answers_that_break_a_rule_of_the_framework_are_flagged_with_its_reason(campaign, client_factory):
    from assessment.services.assessments import response_save

    jiaxing = campaign.assessments.get(city_id="330400")
    consultant = jiaxing.consultants.get()
    for code, level in (("W3.2", 4), ("W3.1", 2)):
        response = jiaxing.responses.get(indicator__node__code=code)
        response_save(response=response, user=consultant, values={"level": level}, base_version=response.version)
    reviewer = client_factory(campaign.reviewer)
    reviewer.cookies["django_language"] = "en"
    page = reviewer.get(f"/assessments/{jiaxing.pk}/dimensions/W3/")
    flags = {
        item["response"].indicator.node.code: [flag.text for flag in item["flags"] if flag.kind == "inconsistent"]
        for item in page.context["items"]
    }
    assert [code for code, texts in flags.items() if texts] == ["W3.2"]
    assert flags["W3.2"] == [
        "A unified platform scheduling city resources at level 4 needs a city brain / operations centre in operation "
        "(level 3 or more). (W3.2 is at 4, W3.1 at 2.)"
    ]
