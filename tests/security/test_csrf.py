"""CSRF: every POST endpoint refuses a post without the token (403, nothing changed) and accepts one with it.

That every POST form on every page carries the token is checked by the
matrix walk in test_permissions.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.matrix import CASES, OK, Case

pytestmark = pytest.mark.django_db

# The first role the matrix allows, preferring the least powerful.
PREFERENCE = ("anonymous", "consultant", "reviewer", "city_manager", "stakeholder", "administrator")
POST_CASES = [case for case in CASES if case.method == "post" and any(case.expect[role] == OK for role in PREFERENCE)]


def allowed_role(case: Case) -> str:
    return next(role for role in PREFERENCE if case.expect[role] == OK)


def strict_client(world, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def token_of(client: Client) -> str:
    """The token a browser would have: from the cookie the login page sets."""
    client.get(reverse("login"))
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def url_of(case: Case, world) -> str:
    url = reverse(case.name, kwargs=case.kwargs(world))
    return f"{url}?{case.query}" if case.query else url


@pytest.mark.parametrize("case", POST_CASES, ids=lambda case: case.id)
def test_a_post_without_the_token_is_refused_and_changes_nothing(case, world):
    role = allowed_role(case)
    client = strict_client(world, role)
    before = case.state(world)
    response = client.post(url_of(case, world), case.data(world))
    assert response.status_code == 403, f"{case.id} as {role}: {response.status_code}"
    assert case.state(world) == before
    if role != "anonymous":
        assert "_auth_user_id" in client.session  # not even signed out


@pytest.mark.parametrize("case", POST_CASES, ids=lambda case: case.id)
def test_the_same_post_with_the_token_passes(case, world):
    role = allowed_role(case)
    client = strict_client(world, role)
    token = token_of(client)
    response = client.post(url_of(case, world), {**case.data(world), "csrfmiddlewaretoken": token})
    assert response.status_code != 403, f"{case.id} as {role}"


def test_sign_in_needs_the_token(world):
    from tests.conftest import PASSWORD
    from tests.factories import UserFactory

    UserFactory(username="csrf-user")
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "csrf-user", "password": PASSWORD}
    assert client.post(reverse("login"), credentials).status_code == 403
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("login"), {**credentials, "csrfmiddlewaretoken": token_of(client)})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("name", ["password_change"])
def test_account_forms_need_the_token(world, name):
    client = strict_client(world, "consultant")
    data = {"old_password": "x", "new_password1": "y", "new_password2": "y", "email": "a@example.org"}
    assert client.post(reverse(name), data).status_code == 403
    assert client.post(reverse(name), {**data, "csrfmiddlewaretoken": token_of(client)}).status_code in (200, 302)


def test_the_admin_needs_the_token(world):
    client = strict_client(world, "administrator")
    from cities.models import Region

    url = reverse("admin:cities_region_change", args=[world.region.pk])
    name = Region.objects.get(pk=world.region.pk).name_en
    assert client.post(url, {"name_en": "Changed"}).status_code == 403
    assert Region.objects.get(pk=world.region.pk).name_en == name
