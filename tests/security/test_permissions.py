"""Every URL from every role and anonymously, against README's "Who sees what" (tests/security/matrix.py)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.security.csp import csp_problems, is_html, post_forms_without_token
from tests.security.matrix import (
    ADMIN_LOGIN,
    ADMIN_ONLY,
    CASES,
    DENIED,
    HORIZONTAL,
    LOGIN,
    NOT_ALLOWED,
    OK,
    ROLES,
    UNAUTHORISED,
    Case,
    urls_of_the_project,
)

pytestmark = pytest.mark.django_db


def outcome_of(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303):
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
        return OK
    if status == 401:
        return UNAUTHORISED
    if status in (403, 404):
        return DENIED
    if status == 405:
        return NOT_ALLOWED
    if 200 <= status < 300 or status in (400, 409):
        # 400/409 on a POST: the permission check passed and the form said what was wrong.
        return OK
    return f"unexpected {status}"


def call(client, case: Case, world):
    url = reverse(case.name, kwargs=case.kwargs(world))
    if case.query:
        url = f"{url}?{case.query}"
    if case.method == "post":
        return client.post(url, case.data(world))
    return client.get(url)


def test_every_url_of_the_project_has_a_row():
    """A new page or endpoint must be added to the matrix (with README's rule) before it ships."""
    assert urls_of_the_project() == {case.name for case in CASES if not case.name.startswith("admin:")}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_role_gets_what_the_readme_says(case, world, as_role):
    """One test per URL, all six roles in turn (each in its own savepoint), every mismatch listed."""
    from django.db import transaction

    wrong = []
    for role in ROLES:
        with transaction.atomic():
            before = case.state(world)
            response = call(as_role(role), case, world)
            got = outcome_of(response)
            if got != case.expect[role]:
                wrong.append(
                    f"{role}: expected {case.expect[role]}, got {response.status_code} {response.get('Location', '')}"
                )
            elif case.method == "post" and (got != OK or role in case.must_not_change) and case.state(world) != before:
                wrong.append(f"{role}: refused, but the POST changed something")
            if role in case.hidden_from and response.status_code == 200:
                body = response.content.decode()
                wrong += [f"{role}: the page shows {text!r}" for text in case.hidden(world) if text in body]
            if is_html(response):
                # The same walk checks each page's Content-Security-Policy against its HTML.
                wrong += [f"{role}: CSP: {problem}" for problem in csp_problems(response)]
                wrong += [
                    f"{role}: POST form without a CSRF token: {action}" for action in post_forms_without_token(response)
                ]
            transaction.set_rollback(True)
    assert not wrong, f"{case.id}:\n" + "\n".join(wrong)


def test_a_refused_api_call_answers_json():
    from django.test import Client

    response = Client().get(reverse("api:region_list"))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_model_list_is_for_administrators_only(role, world, as_role):
    client = as_role(role)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        expected = {LOGIN, ADMIN_LOGIN} if role == "anonymous" else {ADMIN_ONLY[role]}
        assert outcome_of(response) in expected, f"{url} as {role}: {response.status_code} {response.get('Location')}"
        if response.status_code == 200:
            assert csp_problems(response) == [], url


# Keyword arguments that name one user's object: each URL taking one is tried across users of a role.
OBJECT_KWARGS = {"pk", "response_pk", "evidence_pk", "comment_pk", "link_pk", "token"}


def test_every_object_url_has_a_horizontal_row(world):
    """A new URL that takes an object must say what a second user of the same role gets."""
    object_urls = {case.name for case in CASES if OBJECT_KWARGS & set(case.kwargs(world))}
    assert object_urls <= {case.name for case in HORIZONTAL}, object_urls - {case.name for case in HORIZONTAL}


@pytest.mark.parametrize("case", HORIZONTAL, ids=lambda case: case.id)
def test_a_second_user_of_each_role_gets_what_the_readme_says(case, world, as_other):
    """User A's objects tried as user B of the same role: one team never reaches another's work."""
    from django.db import transaction

    wrong = []
    for role, expected in case.expect.items():
        with transaction.atomic():
            before = case.state(world)
            response = call(as_other(role), case, world)
            got = outcome_of(response)
            if got != expected:
                wrong.append(f"{role}: expected {expected}, got {response.status_code} {response.get('Location', '')}")
            elif case.method == "post" and (got != OK or role in case.must_not_change) and case.state(world) != before:
                wrong.append(f"{role}: refused, but the POST changed something")
            if role in case.hidden_from and response.status_code == 200:
                body = response.content.decode()
                wrong += [f"{role}: the page shows {text!r}" for text in case.hidden(world) if text in body]
            transaction.set_rollback(True)
    assert not wrong, f"{case.id}:\n" + "\n".join(wrong)
