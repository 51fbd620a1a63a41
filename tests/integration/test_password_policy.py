"""The password policy of local accounts (issue 23, point 5): complexity, no reuse, expiry, forced change.

Through the real pages: the password-change page refuses with a message that
names the rule (in Chinese, the default language, and in English); the
admin's add-user and set-password forms make the owner choose their own at
the next sign-in; an expired privileged password sends every page to the
password page. Directory accounts (no usable password) are outside the policy.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts.models import AccountSecurity, PasswordHistory
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
GOOD = ["Qz8#xk2mPw91", "Lr4$vb7nTy23", "Hw6!cd9sKe45", "Mp2%fg5jUi67", "Bn9&hj3kWo89", "Ct5*lm8qXa12"]


def dated(user, days_ago: int) -> None:
    """The user's password set ``days_ago`` days ago (the factory stores a hash, not through set_password)."""
    AccountSecurity.objects.update_or_create(
        user=user, defaults={"password_changed_at": timezone.now() - timedelta(days=days_ago)}
    )


def signed_in(user, language: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def change(client: Client, old: str, new: str):
    return client.post("/accounts/password_change/", {"old_password": old, "new_password1": new, "new_password2": new})


def refusal_codes(reply) -> set[str]:
    return {error.code for error in reply.context["form"].errors.as_data().get("new_password2", [])}


@pytest.mark.parametrize(
    ("new", "code", "chinese"),
    [
        ("Ab1!short", "password_too_short", "12"),
        ("long-but-only-lowercase", "password_too_simple", "四类字符中的 2 类"),
        ("1234567890123", "password_entirely_numeric", "只包含数字"),
    ],
)
def test_a_weak_password_is_refused_naming_the_rule_in_chinese(new, code, chinese):
    user = UserFactory(username="lin")
    reply = change(signed_in(user), PASSWORD, new)
    assert reply.status_code == 200 and code in refusal_codes(reply)
    assert chinese in reply.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_rule_reads_in_english_too():
    reply = change(signed_in(UserFactory(username="lin"), "en"), PASSWORD, "long-but-only-lowercase")
    assert "uses 2 of the four kinds of character" in reply.content.decode()


def test_the_page_states_the_rules_before_anyone_types():
    page = signed_in(UserFactory(username="lin"), "en").get("/accounts/password_change/").content.decode()
    assert "at least 12 characters" in page and "at least 3 of" in page and "last 5 passwords" in page


def test_none_of_the_last_five_passwords_may_come_back():
    user = UserFactory(username="lin")
    client = signed_in(user)
    current = PASSWORD
    for new in GOOD[:5]:
        assert change(client, current, new).status_code == 302, new
        current = new
    assert PasswordHistory.objects.filter(user=user).count() == 5
    # The last five (the current one included) are refused; the sixth-oldest (the first) is free again.
    for recent in GOOD[:5]:
        assert "password_reused" in refusal_codes(change(client, current, recent)), recent
    assert change(client, current, PASSWORD).status_code == 302


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR])
def test_an_expired_privileged_password_sends_every_page_to_the_password_page(role, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    is_admin = role == Role.ADMINISTRATOR
    user = UserFactory(username="old-hand", roles=[role], is_staff=is_admin, is_superuser=is_admin)
    dated(user, 91)
    client = signed_in(user, "en")
    # The auditor's pages are the audit log's; the others try the home page and the admin.
    pages = ("/audit-log/",) if role == Role.AUDITOR else ("/", "/admin/")
    for page in pages:
        reply = client.get(page)
        assert reply.status_code == 302 and reply["Location"] == "/accounts/password_change/", page
    page = client.get("/accounts/password_change/", follow=True)
    assert "more than 90 days old" in page.content.decode()
    assert change(client, PASSWORD, GOOD[0]).status_code == 302
    assert client.get(pages[0]).status_code == 200


def test_a_consultants_old_password_does_not_expire(settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    user = UserFactory(username="field", roles=[Role.CONSULTANT])
    dated(user, 400)
    assert signed_in(user).get("/").status_code == 200


def test_an_account_the_administrator_created_must_choose_its_own_password_first():
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_client = signed_in(admin)
    reply = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": GOOD[0], "password2": GOOD[0]},
    )
    assert reply.status_code == 302
    newcomer = get_user_model().objects.get(username="newcomer")
    assert AccountSecurity.objects.get(user=newcomer).must_change_password

    client = Client()
    assert client.post("/accounts/login/", {"username": "newcomer", "password": GOOD[0]}).status_code == 302
    first = client.get("/")
    assert first.status_code == 302 and first["Location"] == "/accounts/password_change/"
    assert change(client, GOOD[0], GOOD[1]).status_code == 302
    assert client.get("/").status_code == 200
    assert not AccountSecurity.objects.get(user=newcomer).must_change_password


def test_a_password_the_administrator_set_for_someone_must_change_too():
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    user = UserFactory(username="forgetful", roles=[Role.CONSULTANT])
    reply = signed_in(admin).post(
        f"/admin/auth/user/{user.pk}/password/",
        {"usable_password": "true", "password1": GOOD[2], "password2": GOOD[2]},
    )
    assert reply.status_code == 302
    assert AccountSecurity.objects.get(user=user).must_change_password
    # The administrator's own password change is theirs: not forced.
    assert change(signed_in(admin), PASSWORD, GOOD[3]).status_code == 302
    assert not AccountSecurity.objects.get(user=admin).must_change_password


def test_a_directory_account_without_a_local_password_is_never_sent_to_change_it(settings):
    settings.PASSWORD_EXPIRY_DAYS = 1
    user = get_user_model().objects.create_user("dora")
    user.set_unusable_password()
    user.save()
    user.groups.add(*[g for g in UserFactory(username="x", roles=[Role.REVIEWER]).groups.all()])
    AccountSecurity.objects.update_or_create(
        user=user, defaults={"password_changed_at": timezone.now() - timedelta(days=400), "must_change_password": True}
    )
    assert signed_in(user).get("/").status_code == 200
    assert not PasswordHistory.objects.filter(user=user).exists()


def test_a_password_set_outside_any_page_is_remembered_and_dated():
    """`manage.py changepassword`, `createsuperuser` and code all end in set_password + save."""
    user = UserFactory(username="ops")
    before = PasswordHistory.objects.filter(user=user).count()
    user.set_password(GOOD[4])
    user.save()
    assert PasswordHistory.objects.filter(user=user).count() == before + 1
    security = AccountSecurity.objects.get(user=user)
    assert not security.must_change_password and timezone.now() - security.password_changed_at < timedelta(minutes=1)


def test_an_account_from_before_the_policy_starts_its_clock_at_its_next_visit(settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    user = UserFactory(username="veteran", roles=[Role.REVIEWER])
    assert not AccountSecurity.objects.filter(user=user).exists()
    assert signed_in(user).get("/").status_code == 200
    assert AccountSecurity.objects.filter(user=user).exists()
