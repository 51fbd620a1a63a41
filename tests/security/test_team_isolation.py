"""One team never reads another team's unpublished work through "start from the previous period".

The new-assessment form copies the previous assessment's answers. It must copy
only what the reviewer may read (the standing published result, or their own
team's work) and answer alike whether another team's draft exists or nothing
does, so the form is no oracle either. Switch: copy_previous.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.roles import Role
from assessment.models import Assessment
from assessment.services.assessments import assessment_create, response_save
from cities.models import City
from tests.security.world import DRAFT_CITY, MANAGED_CITY, PERIOD

pytestmark = pytest.mark.django_db

SECRET = "TEAM-1-DRAFT-SOURCE"
NOTHING_CITY = "330500"  # 湖州: no assessment at all in the security world
LATER = 2030  # after every demo period


def _open(client, world, *, city: City, period: int):
    return client.post(
        reverse("assessment:assessment_new"),
        {
            "city": city.pk,
            "framework": world.framework.pk,
            "period": period,
            "kind": Assessment.Kind.CONSULTANT,
            "consultants": [world.others[Role.CONSULTANT].pk],
            "reviewer": world.others[Role.REVIEWER].pk,
            "start_from_previous": "on",
        },
    )


def _form_errors(response) -> list[str]:
    return re.findall(
        r'<div class="alert[^"]*alert-(?:danger|block)[^"]*"[^>]*>(.*?)</div>', response.content.decode(), re.S
    ) or [response.content.decode()]


def _team_1_draft(world, city: City, period: int) -> Assessment:
    draft = assessment_create(
        city=city,
        framework=world.framework,
        period=period,
        consultants=[world.users[Role.CONSULTANT]],
        reviewer=world.users[Role.REVIEWER],
    )
    response = draft.responses.select_related("indicator").first()
    values = {"source": SECRET, "comment": SECRET}
    if response.indicator.type == "level":
        values["level"] = 4
    else:
        values["value"] = 1
    response_save(response=response, user=world.users[Role.CONSULTANT], values=values, base_version=response.version)
    return draft


def test_team_2_cannot_copy_team_1s_draft_and_cannot_tell_it_exists(world, as_other):
    assert not Assessment.objects.filter(city__code=NOTHING_CITY).exists()
    client = as_other(Role.REVIEWER)
    before = Assessment.objects.count()
    over_draft = _open(client, world, city=City.objects.get(code=DRAFT_CITY), period=PERIOD + 1)
    over_nothing = _open(client, world, city=City.objects.get(code=NOTHING_CITY), period=PERIOD + 1)
    assert over_draft.status_code == over_nothing.status_code == 200
    assert Assessment.objects.count() == before, "team 2 opened an assessment copied from team 1's draft"
    # The same words either way: the form betrays nothing about team 1's draft.
    assert _form_errors(over_draft) == _form_errors(over_nothing)
    with translation.override("zh-hans"):
        refusal = gettext(
            "There is no earlier assessment of this city that you may start from:"
            " no published result and none of your own."
        )
    assert refusal in over_draft.content.decode()


def test_team_2_starts_from_the_standing_published_result_not_team_1s_newer_draft(world, as_other):
    shanghai = City.objects.get(code=MANAGED_CITY)
    _team_1_draft(world, shanghai, LATER)
    response = _open(as_other(Role.REVIEWER), world, city=shanghai, period=LATER + 1)
    assert response.status_code == 302, _form_errors(response)
    created = Assessment.objects.get(city=shanghai, period=LATER + 1)
    assert not created.responses.filter(source=SECRET).exists()
    assert not created.responses.filter(comment=SECRET).exists()
    published = Assessment.objects.filter(city=shanghai, status=Assessment.Status.PUBLISHED).order_by("-period").first()
    carried = dict(created.responses.values_list("indicator__node__code", "level"))
    assert carried == dict(published.responses.values_list("indicator__node__code", "level"))


def test_team_1_starts_from_its_own_newer_draft(world, as_role):
    shanghai = City.objects.get(code=MANAGED_CITY)
    _team_1_draft(world, shanghai, LATER)
    client = as_role(Role.REVIEWER)
    response = client.post(
        reverse("assessment:assessment_new"),
        {
            "city": shanghai.pk,
            "framework": world.framework.pk,
            "period": LATER + 1,
            "kind": Assessment.Kind.CONSULTANT,
            "consultants": [world.users[Role.CONSULTANT].pk],
            "reviewer": world.users[Role.REVIEWER].pk,
            "start_from_previous": "on",
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.get(city=shanghai, period=LATER + 1).responses.filter(source=SECRET).exists()
