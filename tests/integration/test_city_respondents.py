"""City respondents (issue 21, point 2): Hangzhou's staff submit their city's answers, a consultant verifies them.

The respondent of Hangzhou (scope: dimension W1) submits a value and a level
with evidence; the consultant accepts one and adjusts the other with a reason;
the self-versus-verified view shows where they disagree and by how much, to
the team and to Hangzhou's manager. A respondent of Suzhou gets 404 on every
Hangzhou URL, and no respondent reads review comments or the consultant's pages.
"""

import io

import pytest
from django.core.management import call_command

from accounts.roles import Role
from assessment.models import Assessment, CityRespondent, Evidence, ReviewComment
from assessment.services.assessments import response_save
from cities.models import City
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data, default_framework, client_factory):
    reviewer = UserFactory(username="reviewer", roles=[Role.REVIEWER])
    consultant = UserFactory(username="consultant", roles=[Role.CONSULTANT])
    call_command(
        "open_campaign",
        "--region=G60",
        "--period=2026",
        "--framework=DSMF:1.0",
        "--reviewer=reviewer",
        "--consultants=consultant",
        stdout=io.StringIO(),
    )
    hangzhou_staff = UserFactory(username="hz-data-bureau", roles=[Role.RESPONDENT])
    CityRespondent.objects.create(user=hangzhou_staff, city_id="330100", department="数据资源局", scope=["W1"])
    suzhou_staff = UserFactory(username="sz-data-bureau", roles=[Role.RESPONDENT])
    CityRespondent.objects.create(user=suzhou_staff, city_id="320500")
    manager = UserFactory(username="hz-manager", roles=[Role.CITY_MANAGER])
    City.objects.get(code="330100").managers.add(manager)
    other_manager = UserFactory(username="sz-manager", roles=[Role.CITY_MANAGER])
    City.objects.get(code="320500").managers.add(other_manager)
    hangzhou = Assessment.objects.get(city_id="330100", period=2026)
    clients = {
        name: client_factory(user)
        for name, user in {
            "respondent": hangzhou_staff,
            "other_respondent": suzhou_staff,
            "consultant": consultant,
            "reviewer": reviewer,
            "manager": manager,
            "other_manager": other_manager,
        }.items()
    }
    for client in clients.values():
        client.cookies["django_language"] = "en"
    return {"assessment": hangzhou, "consultant": consultant, "reviewer": reviewer, "clients": clients}


def response_of(assessment, code):
    return assessment.responses.select_related("indicator__node__parent").get(indicator__node__code=code)


def test_a_respondent_submits_the_citys_answers_and_the_consultant_verifies_them(world):
    hangzhou, clients = world["assessment"], world["clients"]
    respondent = clients["respondent"]
    page = respondent.get(f"/respond/{hangzhou.pk}/")
    assert page.status_code == 200
    assert {r.indicator.node.parent.code for r in page.context["responses"]} == {"W1"}  # the scope only

    gigabit, platform = response_of(hangzhou, "W1.1"), response_of(hangzhou, "W1.3")
    respondent.post(f"/respond/{hangzhou.pk}/responses/{gigabit.pk}/", {"value": "58", "source": "2025年统计公报"})
    respondent.post(f"/respond/{hangzhou.pk}/responses/{platform.pk}/", {"level": "4"})
    respondent.post(f"/respond/{hangzhou.pk}/responses/{platform.pk}/evidence/", {"note": "城市大脑二期验收报告"})
    gigabit.refresh_from_db()
    platform.refresh_from_db()
    assert (gigabit.self_value, gigabit.self_source, gigabit.value) == (58.0, "2025年统计公报", None)
    assert (platform.self_level, platform.level) == (4, None)  # the verified answer is untouched
    assert Evidence.objects.filter(response=platform, note="城市大脑二期验收报告").exists()
    # Out of scope (B2) and bad values are refused.
    out_of_scope = response_of(hangzhou, "B2.1")
    assert respondent.post(f"/respond/{hangzhou.pk}/responses/{out_of_scope.pk}/", {"value": "5"}).status_code == 404
    respondent.post(f"/respond/{hangzhou.pk}/responses/{gigabit.pk}/", {"value": "250"})
    gigabit.refresh_from_db()
    assert gigabit.self_value == 58.0

    consultant = clients["consultant"]
    consultant.post(f"/assessments/{hangzhou.pk}/responses/{gigabit.pk}/verify/", {"action": "accept"})
    gigabit.refresh_from_db()
    assert (gigabit.value, gigabit.source, gigabit.verification) == (58.0, "2025年统计公报", "accepted")
    response_save(response=platform, user=world["consultant"], values={"level": 3}, base_version=platform.version)
    consultant.post(f"/assessments/{hangzhou.pk}/responses/{platform.pk}/verify/", {"action": "adjust"})
    platform.refresh_from_db()
    assert platform.verification == ""  # an adjustment needs a reason
    consultant.post(
        f"/assessments/{hangzhou.pk}/responses/{platform.pk}/verify/",
        {"action": "adjust", "reason": "二期仅覆盖6个委办局，未达4级“全市统一调度”。"},
    )
    platform.refresh_from_db()
    assert (platform.level, platform.self_level, platform.verification) == (3, 4, "adjusted")

    # Where they disagree and by how much: the team and Hangzhou's manager read it.
    for reader in ("consultant", "reviewer", "manager"):
        view = clients[reader].get(f"/assessments/{hangzhou.pk}/self-vs-verified/")
        assert view.status_code == 200, reader
        rows = {row["code"]: row for row in view.context["rows"]}
        assert rows["W1.3"]["difference"] == -1 and rows["W1.1"]["difference"] == 0
        assert view.context["differ"] == 1
    assert clients["other_manager"].get(f"/assessments/{hangzhou.pk}/self-vs-verified/").status_code == 404


def test_another_citys_respondent_gets_404_on_every_hangzhou_url(world):
    hangzhou, clients = world["assessment"], world["clients"]
    stranger = clients["other_respondent"]
    response = response_of(hangzhou, "W1.1")
    gets = [
        f"/respond/{hangzhou.pk}/",
        f"/assessments/{hangzhou.pk}/",
        f"/assessments/{hangzhou.pk}/dimensions/W1/",
        f"/assessments/{hangzhou.pk}/history/",
        f"/assessments/{hangzhou.pk}/self-vs-verified/",
        f"/assessments/{hangzhou.pk}/workbook.xlsx",
    ]
    posts = [
        f"/respond/{hangzhou.pk}/responses/{response.pk}/",
        f"/respond/{hangzhou.pk}/responses/{response.pk}/evidence/",
        f"/assessments/{hangzhou.pk}/responses/{response.pk}/verify/",
    ]
    for url in gets:
        assert stranger.get(url).status_code == 404, url
    for url in posts:
        assert stranger.post(url, {"value": "1", "note": "x", "action": "accept"}).status_code == 404, url
    response.refresh_from_db()
    assert response.self_at is None and not response.evidence.exists()
    # Suzhou's own page is theirs.
    suzhou = Assessment.objects.get(city_id="320500", period=2026)
    assert stranger.get(f"/respond/{suzhou.pk}/").status_code == 200
    assert [a.pk for a in stranger.get("/respond/").context["assessments"]] == [suzhou.pk]


def test_a_respondent_reads_no_review_comment_and_no_team_page(world):
    hangzhou, clients = world["assessment"], world["clients"]
    response = response_of(hangzhou, "W1.1")
    ReviewComment.objects.create(response=response, author=world["reviewer"], body="REVIEWq7zmarker")
    respondent = clients["respondent"]
    assert "REVIEWq7zmarker" not in respondent.get(f"/respond/{hangzhou.pk}/").content.decode()
    assert respondent.get(f"/assessments/{hangzhou.pk}/dimensions/W1/").status_code == 404
    assert respondent.get("/assessments/").status_code == 404
    assert respondent.get(f"/assessments/{hangzhou.pk}/self-vs-verified/").status_code == 404


def test_a_submitted_assessment_takes_no_more_self_submissions(world):
    hangzhou, clients = world["assessment"], world["clients"]
    Assessment.objects.filter(pk=hangzhou.pk).update(status=Assessment.Status.SUBMITTED)
    response = response_of(hangzhou, "W1.1")
    assert clients["respondent"].get(f"/respond/{hangzhou.pk}/").status_code == 404
    assert (
        clients["respondent"].post(f"/respond/{hangzhou.pk}/responses/{response.pk}/", {"value": "5"}).status_code
        == 404
    )
