"""Sign-in through a real OpenLDAP directory (issue 23, point 1): slapd started by the test, with its own data.

Through the login page: a directory user is created from their entry (name,
e-mail, department), gets the role and the managed city their groups map to,
and loses the role at the next sign-in once taken out of the group. Wrong
directory passwords are refused and counted by the throttle; the local
break-glass administrator signs in with the local password, even when the
directory is down, and is never taken over by a directory entry of the same name.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import AuditEvent, AuditRecord, DirectoryAccount, LoginFailure
from accounts.roles import Role, user_roles
from tests.directory_servers import (
    CITY_GROUPS,
    GROUPS,
    PASSWORDS,
    PEOPLE,
    ROLE_GROUPS,
    ROOT_DN,
    ROOT_PASSWORD,
    slapd_available,
    slapd_server,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCAL_PASSWORD = "local-break-glass-pw-1"


@pytest.fixture(scope="module")
def directory():
    if not slapd_available():
        pytest.fail("Debian's slapd and ldap-utils are required for the directory tests; `make test` installs them.")
    with slapd_server() as running:
        yield running


def configure(settings, monkeypatch, uri: str) -> None:
    """The deployment's LDAP_* variables pointed at ``uri``, applied as config/settings/base.py applies them."""
    from config.ldap_settings import ldap_settings

    for name, value in {
        "LDAP_BIND_DN": ROOT_DN,
        "LDAP_BIND_PASSWORD": ROOT_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_GROUP_SEARCH_BASE": GROUPS,
        "LDAP_TIMEOUT": "2",
    }.items():
        monkeypatch.setenv(name, value)
    for name, value in ldap_settings(uri).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "accounts.ldap_backend.DirectoryLDAPBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    settings.LDAP_ROLE_GROUPS = ROLE_GROUPS
    settings.LDAP_CITY_GROUPS = CITY_GROUPS


@pytest.fixture
def ldap_on(settings, monkeypatch, directory, reference_data):
    configure(settings, monkeypatch, directory.uri)
    return directory


def sign_in(username: str, password: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.cookies["django_language"] = "en"
    reply = client.post("/accounts/login/", {"username": username, "password": password})
    return client, reply


def test_a_directory_user_is_created_with_the_role_and_department_their_groups_give(ldap_on):
    client, reply = sign_in("alice", PASSWORDS["alice"])
    assert reply.status_code == 302, reply.content.decode()[:500]
    alice = get_user_model().objects.get(username="alice")
    assert (alice.first_name, alice.last_name, alice.email) == ("Alice", "Wang", "alice@example.gov")
    assert not alice.has_usable_password()
    assert user_roles(alice) == {Role.REVIEWER}
    account = DirectoryAccount.objects.get(user=alice)
    assert (account.source, account.department) == ("ldap", "Planning Office")
    assert account.external_id == f"uid=alice,{PEOPLE}"
    changed = AuditRecord.objects.get(event=AuditEvent.ROLE_CHANGED, object_id=str(alice.pk))
    assert changed.detail["source"] == "ldap" and changed.detail["added"] == [Role.REVIEWER]
    assert changed.ip == "198.51.100.9"
    signed = AuditRecord.objects.filter(event=AuditEvent.SIGN_IN, actor=alice).get()
    assert signed.detail["backend"] == "accounts.ldap_backend.DirectoryLDAPBackend"
    # The password policy has nothing to say to a directory account: the pages open.
    assert client.get("/assessments/").status_code == 200


def test_a_city_manager_group_and_a_city_group_give_the_role_and_the_city(ldap_on):
    _client, reply = sign_in("bob", PASSWORDS["bob"])
    assert reply.status_code == 302
    bob = get_user_model().objects.get(username="bob")
    assert user_roles(bob) == {Role.CITY_MANAGER}
    assert list(bob.managed_cities.values_list("code", flat=True)) == ["330100"]
    assert DirectoryAccount.objects.get(user=bob).department == "Hangzhou Data Resources Bureau"


def test_a_directory_user_in_no_dualspace_group_signs_in_with_no_role(ldap_on):
    client, reply = sign_in("carol", PASSWORDS["carol"])
    assert reply.status_code == 302
    assert user_roles(get_user_model().objects.get(username="carol")) == frozenset()
    assert client.get("/").status_code == 200
    assert client.get("/assessments/").status_code == 403


def test_taken_out_of_the_group_the_user_loses_the_role_at_the_next_sign_in(ldap_on):
    sign_in("alice", PASSWORDS["alice"])
    alice = get_user_model().objects.get(username="alice")
    assert user_roles(alice) == {Role.REVIEWER}
    ldap_on.remove_from_group("alice", "dualspace-reviewers")
    try:
        _client, reply = sign_in("alice", PASSWORDS["alice"])
        assert reply.status_code == 302
        assert user_roles(get_user_model().objects.get(username="alice")) == frozenset()
        last = AuditRecord.objects.filter(event=AuditEvent.ROLE_CHANGED, object_id=str(alice.pk)).order_by("-pk")[0]
        assert last.detail["removed"] == [Role.REVIEWER] and last.detail["source"] == "ldap"
    finally:
        ldap_on.modify(
            f"dn: cn=dualspace-reviewers,{GROUPS}\nchangetype: modify\nadd: member\nmember: uid=alice,{PEOPLE}\n"
        )


def test_a_wrong_directory_password_is_refused_and_counted(ldap_on):
    _client, reply = sign_in("alice", "not-alices-password")
    assert reply.status_code == 200 and reply.context["form"].errors
    assert LoginFailure.objects.filter(username="alice").count() == 1
    assert AuditRecord.objects.filter(event=AuditEvent.SIGN_IN_FAILED, actor_name="alice").count() == 1
    assert not get_user_model().objects.filter(username="alice").exists()


def test_the_local_administrator_signs_in_and_is_not_taken_over_by_the_directory(ldap_on):
    admin = UserFactory(username="admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    admin.set_password(LOCAL_PASSWORD)
    admin.save()
    client, reply = sign_in("admin", LOCAL_PASSWORD)
    assert reply.status_code == 302 and client.get("/admin/").status_code == 200
    # The directory's own "admin" entry, with its directory password, does not become this account.
    ldap_on.modify(
        f"dn: uid=admin,{PEOPLE}\nchangetype: modify\nreplace: userPassword\nuserPassword: directory-admin-pw\n"
    )
    _client, refused = sign_in("admin", "directory-admin-pw")
    assert refused.status_code == 200
    admin.refresh_from_db()
    assert admin.has_usable_password() and admin.is_superuser
    assert not DirectoryAccount.objects.filter(user=admin).exists()


def test_with_the_directory_down_the_local_administrator_still_signs_in(settings, monkeypatch, reference_data):
    with slapd_server() as short_lived:
        configure(settings, monkeypatch, short_lived.uri)
        assert sign_in("alice", PASSWORDS["alice"])[1].status_code == 302
    # Stopped: the directory does not answer.
    admin = UserFactory(username="admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    admin.set_password(LOCAL_PASSWORD)
    admin.save()
    client, reply = sign_in("admin", LOCAL_PASSWORD)
    assert reply.status_code == 302 and client.get("/admin/").status_code == 200
    _client, refused = sign_in("alice", PASSWORDS["alice"])
    assert refused.status_code == 200
    assert "Please enter a correct username and password" in refused.content.decode()
