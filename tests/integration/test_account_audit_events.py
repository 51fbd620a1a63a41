"""Accounts in the audit log: made, deactivated and reactivated, roles and managed cities changed, admin changes.

One test per event type (issue 23, point 4), done the way an administrator
does it (the admin's own pages through the test client, from a known address)
and, for the signals' other ways in, in code and in a command. The directory
sync of LDAP and OIDC sign-ins writes one ROLE_CHANGED that says what the
directory changed, not one per group.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from accounts.command_audit import os_user_name
from accounts.directory import cities_from_groups, roles_from_groups, sync_directory_roles
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import Role, user_roles
from cities.models import City
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IP = "198.51.100.23"


def since() -> int:
    return AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def records(event: AuditEvent, after: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(event=event, pk__gt=after).order_by("pk"))


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client(REMOTE_ADDR=IP)
    client.force_login(admin_user)
    return client


def change_form_data(user, **changes) -> dict:
    """What the admin's user change form posts for ``user``, with ``changes`` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "is_active": "on" if user.is_active else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_user_created_in_the_admin(admin_client, admin_user):
    after = since()
    reply = admin_client.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "Tx7!long-enough-pw",
            "password2": "Tx7!long-enough-pw",
        },
    )
    assert reply.status_code == 302, reply.context["adminform"].form.errors if reply.context else reply
    newcomer = get_user_model().objects.get(username="newcomer")
    (created,) = records(AuditEvent.USER_CREATED, after)
    assert (created.actor_id, created.ip, created.object_id) == (admin_user.pk, IP, str(newcomer.pk))
    assert created.detail["username"] == "newcomer"
    # The admin's own log entry is recorded too, as a change of another kind (not a second creation).
    (logged,) = records(AuditEvent.ADMIN_CHANGE, after)
    assert logged.detail["action"] == "add" and logged.detail["object_repr"] == "newcomer"


def test_user_created_by_a_command_names_the_os_account_and_no_address():
    after = since()
    call_command("create_demo_accounts", verbosity=0)
    created = records(AuditEvent.USER_CREATED, after)
    assert {entry.detail["username"] for entry in created} >= {"consultant", "reviewer", "admin", "auditor"}
    assert all(entry.actor_id is None and entry.ip is None for entry in created)
    assert {(entry.actor_name, entry.detail["channel"]) for entry in created} == {(os_user_name(), "command")}
    granted = records(AuditEvent.ROLE_CHANGED, after)
    assert granted and all(entry.actor_name == os_user_name() for entry in granted)


def test_user_deactivated_and_reactivated_in_the_admin(admin_client, admin_user):
    someone = UserFactory(username="leaver")
    after = since()
    reply = admin_client.post(f"/admin/auth/user/{someone.pk}/change/", change_form_data(someone, is_active=""))
    assert reply.status_code == 302
    (deactivated,) = records(AuditEvent.USER_DEACTIVATED, after)
    assert (deactivated.actor_id, deactivated.ip, deactivated.object_id) == (admin_user.pk, IP, str(someone.pk))

    someone.refresh_from_db()
    after = since()
    reply = admin_client.post(f"/admin/auth/user/{someone.pk}/change/", change_form_data(someone, is_active="on"))
    assert reply.status_code == 302
    assert len(records(AuditEvent.USER_REACTIVATED, after)) == 1
    assert records(AuditEvent.USER_DEACTIVATED, after) == []


def test_a_sign_in_saves_the_user_without_an_activity_record():
    someone = UserFactory(username="regular")
    after = since()
    assert Client(REMOTE_ADDR=IP).post("/accounts/login/", {"username": "regular", "password": "test-password-123"})
    someone.refresh_from_db()
    assert someone.last_login is not None
    assert records(AuditEvent.USER_DEACTIVATED, after) == records(AuditEvent.USER_REACTIVATED, after) == []


def test_role_changed_in_the_admin_names_the_groups_added_and_removed(admin_client, admin_user):
    consultants = Group.objects.get_or_create(name=Role.CONSULTANT)[0]
    reviewers = Group.objects.get_or_create(name=Role.REVIEWER)[0]
    someone = UserFactory(username="promoted", roles=[Role.CONSULTANT])
    after = since()
    reply = admin_client.post(
        f"/admin/auth/user/{someone.pk}/change/", change_form_data(someone, groups=[str(reviewers.pk)])
    )
    assert reply.status_code == 302
    changes = records(AuditEvent.ROLE_CHANGED, after)
    assert {entry.actor_id for entry in changes} == {admin_user.pk}
    assert all(entry.ip == IP and entry.object_id == str(someone.pk) for entry in changes)
    added = [name for entry in changes for name in entry.detail.get("groups_added", [])]
    removed = [name for entry in changes for name in entry.detail.get("groups_removed", [])]
    assert (added, removed) == ([reviewers.name], [consultants.name])


def test_role_changed_from_the_groups_side_and_by_clearing(admin_user):
    reviewers = Group.objects.get_or_create(name=Role.REVIEWER)[0]
    one, two = UserFactory(username="one"), UserFactory(username="two")
    after = since()
    reviewers.user_set.add(one, two)
    assert sorted(entry.object_id for entry in records(AuditEvent.ROLE_CHANGED, after)) == sorted(
        [str(one.pk), str(two.pk)]
    )
    after = since()
    one.groups.clear()
    (cleared,) = records(AuditEvent.ROLE_CHANGED, after)
    assert cleared.detail["groups_removed"] == [Role.REVIEWER] and cleared.object_id == str(one.pk)


def test_managed_city_changed_is_a_role_change(reference_data, admin_user):
    city = City.objects.get(code="330100")
    manager = UserFactory(username="mgr", roles=[Role.CITY_MANAGER])
    after = since()
    city.managers.add(manager)
    (added,) = records(AuditEvent.ROLE_CHANGED, after)
    assert added.detail["cities_added"] == ["330100"] and added.object_id == str(manager.pk)
    after = since()
    manager.managed_cities.clear()
    (removed,) = records(AuditEvent.ROLE_CHANGED, after)
    assert removed.detail["cities_removed"] == ["330100"]


def test_admin_change_of_any_object_with_its_change_message(admin_client, admin_user, reference_data):
    city = City.objects.get(code="330100")
    after = since()
    reply = admin_client.get(f"/admin/cities/city/{city.pk}/change/")
    assert reply.status_code == 200
    form = reply.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data["managers"] = [str(pk) for pk in data.get("managers") or []]
    data["population_source"] = "Seventh census (edited in a test)"
    reply = admin_client.post(f"/admin/cities/city/{city.pk}/change/", data)
    assert reply.status_code == 302, reply.context["adminform"].form.errors if reply.context else reply
    (logged,) = records(AuditEvent.ADMIN_CHANGE, after)
    assert (logged.actor_id, logged.ip, logged.detail["action"]) == (admin_user.pk, IP, "change")
    assert logged.detail["content_type"] == "city" and logged.detail["object_id"] == str(city.pk)
    # Django's change message names the field; its sentence is in the deployment's language, whatever the admin's
    # (the field's label stays as Django stored it, untranslated, when its msgid is lower-case).
    assert logged.detail["change_message"].startswith("已修改")
    assert "population source" in logged.detail["change_message"].lower()


def test_the_directory_sync_sets_roles_and_cities_exactly_and_records_once(reference_data):
    roles_map = {
        "CN=DualSpace Reviewers,OU=Groups,DC=example,DC=gov": Role.REVIEWER,
        "dualspace-managers": "city_manager",
    }
    cities_map = {"city-330100": "330100", "city-320500": "320500"}
    groups = ["cn=dualspace reviewers,ou=groups,dc=example,dc=gov", "city-330100", "unrelated"]
    assert roles_from_groups(groups, roles_map) == {Role.REVIEWER}
    assert cities_from_groups(groups, cities_map) == {"330100"}

    user = get_user_model().objects.create_user("dora")
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name="not-a-role")[0])
    after = since()
    assert sync_directory_roles(user, roles={Role.REVIEWER}, city_codes={"330100"}, source="ldap")
    (changed,) = records(AuditEvent.ROLE_CHANGED, after)
    assert changed.detail == {
        "source": "ldap",
        "added": [Role.REVIEWER],
        "removed": [],
        "cities_added": ["330100"],
        "cities_removed": [],
    }
    assert user_roles(user) == {Role.REVIEWER}
    assert list(user.managed_cities.values_list("code", flat=True)) == ["330100"]

    # Nothing moved: no record. Then out of the group: the role and the city go, and the other group stays.
    after = since()
    assert not sync_directory_roles(user, roles={Role.REVIEWER}, city_codes={"330100"}, source="ldap")
    assert sync_directory_roles(user, roles=set(), city_codes=set(), source="ldap")
    (changed,) = records(AuditEvent.ROLE_CHANGED, after)
    assert changed.detail["removed"] == [Role.REVIEWER] and changed.detail["cities_removed"] == ["330100"]
    assert user_roles(get_user_model().objects.get(pk=user.pk)) == frozenset()
    assert list(user.groups.values_list("name", flat=True)) == ["not-a-role"]


def test_the_directory_administrator_role_follows_the_directory(reference_data):
    user = get_user_model().objects.create_user("chief")
    sync_directory_roles(user, roles={Role.ADMINISTRATOR}, city_codes=set(), source="oidc")
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    sync_directory_roles(user, roles={Role.CONSULTANT}, city_codes=set(), source="oidc")
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert user_roles(user) == {Role.CONSULTANT}


def test_a_role_map_naming_an_unknown_role_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="superhero"):
        roles_from_groups(["g"], {"g": "superhero"})


def test_a_backup_restore_records_no_role_changes_for_the_accounts_it_puts_back(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    UserFactory(username="kept", roles=[Role.REVIEWER, Role.CONSULTANT])
    archive = tmp_path / "backup.zip"
    call_command("export_all", "--out", str(archive), stdout=io.StringIO())
    after = since()
    call_command("import_all", str(archive), "--replace", stdout=io.StringIO())
    assert records(AuditEvent.BACKUP_IMPORTED, after)
    assert records(AuditEvent.ROLE_CHANGED, after) == records(AuditEvent.USER_CREATED, after) == []
    assert user_roles(get_user_model().objects.get(username="kept")) == {Role.REVIEWER, Role.CONSULTANT}
