"""Sign-in throttling: repeated failures lock a user name (and an address) for a while, across processes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginFailure
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_IP_LIMIT = 6
    settings.LOGIN_FAILURE_WINDOW = 900
    # The pages are read in English here (the message is translated; the Chinese test sets its cookie).
    settings.LANGUAGE_CODE = "en"


LOCKED = "Too many failed sign-ins"


def sign_in(client, username, password, ip="10.0.0.1", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", ip)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_message(client, caplog):
    UserFactory(username="alice")
    with caplog.at_level("WARNING", logger="dualspace.security"):
        fail(client, "alice", 3)
    assert LoginFailure.objects.filter(username="alice").count() == 3
    assert "Failed sign-in for user name 'alice' from 10.0.0.1" in caplog.text
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert LOCKED in page and "15 minutes" in page
    # Tries while locked are not counted again: the lock ends with the window.
    assert LoginFailure.objects.filter(username="alice").count() == 3


def test_the_chinese_login_page_shows_the_message_in_its_language(client):
    from django.utils import translation
    from django.utils.translation import ngettext

    UserFactory(username="alice")
    fail(client, "alice", 3)
    client.cookies["django_language"] = "zh-hans"
    page = sign_in(client, "alice", PASSWORD).content.decode()
    assert "_auth_user_id" not in client.session
    assert '<html lang="zh-hans">' in page
    with translation.override("zh-hans"):
        expected = ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            15,
        ) % {"minutes": 15}
    assert expected in page


def test_below_the_limit_the_right_password_works_and_clears_the_failures(client):
    UserFactory(username="alice")
    fail(client, "alice", 2)
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_the_lock_ends_when_the_failures_leave_the_window(client):
    UserFactory(username="alice")
    fail(client, "alice", 3)
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=901))
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_user_name_lock_holds_from_another_address_and_ignores_case(client):
    UserFactory(username="alice")
    fail(client, "alice", 2, ip="10.0.0.1")
    fail(client, "ALICE", 1, ip="10.0.0.2")
    response = sign_in(client, "alice", PASSWORD, ip="10.0.0.3")
    assert LOCKED in response.content.decode()


def test_an_address_guessing_at_many_names_is_locked_for_every_name(client):
    UserFactory(username="bob")
    for number in range(6):
        fail(client, f"nobody{number}", 1, ip="10.9.9.9")
    assert LOCKED in sign_in(client, "bob", PASSWORD, ip="10.9.9.9").content.decode()
    # Another address is not affected.
    assert sign_in(client, "bob", PASSWORD, ip="10.9.9.10").status_code == 302


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(3):
        sign_in(client, "root", "wrong-password", url=url)
    response = sign_in(client, "root", PASSWORD, url=url)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_are_counted_in_the_database_not_in_a_process_cache(client):
    """Another worker process sees the same rows: a failure written by any process counts."""
    UserFactory(username="alice")
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="alice", ip="10.1.1.1", at=timezone.now()) for _ in range(3)]
    )
    assert LOCKED in sign_in(client, "alice", PASSWORD, ip="10.2.2.2").content.decode()


def test_behind_the_proxy_the_address_the_proxy_appended_is_counted_not_the_one_the_client_sent(client, settings):
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    UserFactory(username="bob")
    for number in range(6):
        # The client forges a different first entry each time; nginx appends the real one.
        client.post(
            reverse("login"),
            {"username": f"nobody{number}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.7",
        )
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.7"}
    locked = client.post(
        reverse("login"),
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert LOCKED in locked.content.decode()
    other = client.post(
        reverse("login"),
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert other.status_code == 302
