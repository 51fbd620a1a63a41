"""City respondents (the seventh role) across every URL of the security matrix.

A respondent of the draft's city reaches their self-submission pages for that
city and their own account pages; every other page of the project is refused
to them (as to the auditor), and a respondent of another city gets 404 on the
draft city's self-submission URLs, whose POSTs change nothing.
"""

import pytest
from django.urls import reverse

from accounts.middleware import RESPONDENT_PAGES
from accounts.roles import Role
from assessment.models import CityRespondent, Response
from tests.security.matrix import CASES
from tests.security.world import DRAFT_CITY, OTHER_MANAGED_CITY

pytestmark = pytest.mark.django_db

RESPONDENT_URLS = {"assessment:respond_assessment", "assessment:respond_save", "assessment:respond_evidence"}


@pytest.fixture
def respondents(world, as_role, as_other):
    CityRespondent.objects.create(user=world.users[Role.RESPONDENT], city_id=DRAFT_CITY)
    CityRespondent.objects.create(user=world.others[Role.RESPONDENT], city_id=OTHER_MANAGED_CITY)
    return as_role(Role.RESPONDENT), as_other(Role.RESPONDENT)


def test_a_respondent_reaches_their_self_submission_and_their_account_and_nothing_else(world, respondents):
    respondent, _other = respondents
    assert respondent.get("/").url == reverse("assessment:respond_list")
    assert respondent.get(reverse("assessment:respond_assessment", args=[world.draft.pk])).status_code == 200
    for case in CASES:
        if case.name in RESPONDENT_PAGES or case.name == "home" or case.method != "get":
            continue
        reply = respondent.get(reverse(case.name, kwargs=case.kwargs(world)) + case.query)
        assert reply.status_code in (302, 403, 404), f"{case.id} answered {reply.status_code} to a respondent"
        if reply.status_code == 302:
            assert "/login/" in reply["Location"], f"{case.id} redirected a respondent to {reply['Location']}"
    page = respondent.get(reverse("assessment:respond_list")).content.decode()
    assert reverse("cities:region_list") not in page and reverse("assessment:assessment_list") not in page


def test_another_citys_respondent_gets_404_on_the_draft_citys_self_submission(world, respondents):
    _respondent, other = respondents
    before = tuple(Response.objects.filter(assessment=world.draft).values_list("self_level", "self_value", "self_at"))
    for case in CASES:
        if case.name not in RESPONDENT_URLS:
            continue
        url = reverse(case.name, kwargs=case.kwargs(world))
        reply = other.post(url, {"value": "1", "level": "1", "note": "x"}) if case.method == "post" else other.get(url)
        if case.method == "post" or case.name == "assessment:respond_assessment":
            assert reply.status_code == 404, f"{case.id} answered {reply.status_code} to another city's respondent"
    after = tuple(Response.objects.filter(assessment=world.draft).values_list("self_level", "self_value", "self_at"))
    assert before == after
    assert other.get(reverse("assessment:respond_list")).context["assessments"].filter(pk=world.draft.pk).count() == 0
