"""The sign-in lock counts the name Django signs in with, and the password-change page is throttled too.

Django NFKC-normalises the user name before it authenticates: a full-width
"ｖｉｃｔｉｍ" signs in as "victim". Counted under its raw spelling, every
variant would bring a fresh set of guesses, and a lock on one spelling would
not stop another.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from accounts.models import LoginFailure
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5
FULL_WIDTH = "ｖｉｃｔｉｍ"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_FAILURE_IP_LIMIT = 100
    settings.LOGIN_FAILURE_WINDOW = 900
    settings.LANGUAGE_CODE = "en"


def locked_message(language: str = "en") -> str:
    with translation.override(language):
        return ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            15,
        ) % {"minutes": 15}


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def change_password(client, old_password, ip="10.0.0.1"):
    return client.post(
        reverse("password_change"),
        {"old_password": old_password, "new_password1": "a-new-Passw0rd-!", "new_password2": "a-new-Passw0rd-!"},
        REMOTE_ADDR=ip,
    )


def test_the_full_width_spelling_signs_in_as_the_plain_name(client):
    # The premise of the attack: Django normalises the name before it authenticates.
    UserFactory(username="victim")
    assert sign_in(client, FULL_WIDTH, PASSWORD).status_code == 302


def test_after_the_limit_a_full_width_spelling_of_the_name_is_locked_too(client):
    UserFactory(username="victim")
    for _ in range(LIMIT):
        assert sign_in(client, "victim", "wrong-password").status_code == 200
    response = sign_in(client, FULL_WIDTH, PASSWORD, ip="10.0.0.2")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert locked_message() in response.content.decode()


def test_spelling_variants_share_one_count_of_guesses(client):
    UserFactory(username="victim")
    variants = ["victim", FULL_WIDTH, "VICTIM", "ＶＩＣＴＩＭ", "Victim"]
    for variant in variants:
        assert sign_in(client, variant, "wrong-password").status_code == 200
    assert set(LoginFailure.objects.values_list("username", flat=True)) == {"victim"}
    response = sign_in(client, "victim", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert locked_message() in response.content.decode()


def test_wrong_old_passwords_on_the_password_change_page_lock_the_user(client):
    user = UserFactory(username="victim")
    client.force_login(user)
    for _ in range(LIMIT):
        response = change_password(client, "wrong-password")
        assert response.status_code == 200
    assert LoginFailure.objects.filter(username="victim", ip="10.0.0.1").count() == LIMIT
    # Locked: even the right old password is refused, and the password stays.
    response = change_password(client, PASSWORD)
    assert response.status_code == 200
    assert locked_message() in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # The same lock holds on the login page.
    assert locked_message() in sign_in(client.__class__(), "victim", PASSWORD, ip="10.0.0.9").content.decode()


def test_a_locked_user_cannot_change_the_password_and_sees_the_message_in_chinese(client):
    user = UserFactory(username="victim")
    for _ in range(LIMIT):
        sign_in(client, FULL_WIDTH, "wrong-password")
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    response = change_password(client, PASSWORD, ip="10.0.0.2")
    assert response.status_code == 200
    assert locked_message("zh-hans") in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_right_old_password_below_the_limit_changes_it(client):
    user = UserFactory(username="victim")
    client.force_login(user)
    change_password(client, "wrong-password")
    response = change_password(client, PASSWORD)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-Passw0rd-!")
    assert not LoginFailure.objects.filter(username="victim").exists()
