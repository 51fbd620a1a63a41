"""Who an account is and what it may do, in the audit log: accounts made, (de)activated, roles and admin changes.

These changes happen in the admin, in commands (create_demo_accounts,
createsuperuser), in the directory sync of LDAP and OIDC sign-ins, and in
code; model signals catch them all in one place:
- USER_CREATED when a user row is inserted; USER_DEACTIVATED / USER_REACTIVATED
  when `is_active` flips (read before the save, only when the save may touch it);
- ROLE_CHANGED when a user's groups change (either side of the relation:
  ``user.groups.add`` or ``group.user_set.add``) or the cities they manage
  (`City.managers`, which is what a city manager may read);
- ADMIN_CHANGE for every entry the admin writes to its own log (add, change,
  delete of any object, with Django's change message).
The acting user and the client address come from the page being served
(`accounts.request_context`); outside a page (a command such as
create_demo_accounts) the record names the OS account, as command records do.

The directory sync (`accounts.directory`) records one ROLE_CHANGED that says
what the directory added and removed; inside `role_changes_recorded_by_caller()`
these receivers stay quiet, so a sign-in does not leave three records.
Connected in `AccountsConfig.ready`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import translation

from accounts.audit import record
from accounts.command_audit import record_command
from accounts.models import AuditEvent
from accounts.request_context import current_request

_quiet: ContextVar[bool] = ContextVar("dualspace_role_changes_recorded_by_caller", default=False)

ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


@contextmanager
def role_changes_recorded_by_caller() -> Iterator[None]:
    """Within this block the caller records role changes itself (one record that says why)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _record(event: AuditEvent, **fields: Any) -> None:
    """Record ``event``; outside a page (a command, a worker) in the name of the OS account, as commands are."""
    if current_request() is None:
        record_command(event, **fields)
    else:
        record(event, **fields)


def _remember_active_flag(
    sender: Any, instance: Any, update_fields: Any = None, raw: bool = False, **kwargs: Any
) -> None:
    """Before a user's save, what `is_active` was (only when the save may touch it; a sign-in saves last_login)."""
    instance._audit_was_active = None
    if raw or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        return
    instance._audit_was_active = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


def _user_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """USER_CREATED, or USER_DEACTIVATED / USER_REACTIVATED when the flag moved."""
    if raw:  # loading a fixture or a backup restores accounts; the restore itself is recorded
        return
    if created:
        _record(
            AuditEvent.USER_CREATED,
            target=instance,
            username=instance.get_username(),
            staff=instance.is_staff,
            superuser=instance.is_superuser,
        )
        return
    was_active = getattr(instance, "_audit_was_active", None)
    if was_active is not None and was_active != instance.is_active:
        event = AuditEvent.USER_REACTIVATED if instance.is_active else AuditEvent.USER_DEACTIVATED
        _record(event, target=instance, username=instance.get_username())


def _membership_changed(
    instance: Any, action: str, model: Any, pk_set: Any, *, instance_is_user: bool, accessor: str, what: str
) -> None:
    """ROLE_CHANGED for a change of a user's groups or managed cities, made from either side of the relation.

    ``what`` names the other side in the detail ("groups", "cities"); from the user's side one record lists
    them, from the group's or city's side each user gets a record naming that one group or city.
    """
    if _quiet.get():
        return
    if action == "pre_clear":
        # clear() does not name what it removes: remember it before.
        instance._audit_cleared = list(getattr(instance, accessor).all())
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    key = f"{what}_added" if action == "post_add" else f"{what}_removed"
    others = (
        getattr(instance, "_audit_cleared", [])
        if action == "post_clear"
        else list(model.objects.filter(pk__in=pk_set or ()))
    )
    label = (lambda item: item.name) if what == "groups" else (lambda item: item.code)
    if instance_is_user:
        changes = [(instance, sorted(label(item) for item in others))] if others else []
    else:
        changes = [(user, [label(instance)]) for user in others]
    for user, names in changes:
        _record(AuditEvent.ROLE_CHANGED, target=user, source="app", **{key: names})


def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    """A user's groups changed, from the user's side (user.groups) or the group's (group.user_set)."""
    accessor = "user_set" if reverse else "groups"
    _membership_changed(instance, action, model, pk_set, instance_is_user=not reverse, accessor=accessor, what="groups")


def _managers_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    """The cities a user manages changed: from the city (city.managers) or the user (user.managed_cities)."""
    accessor = "managed_cities" if reverse else "managers"
    _membership_changed(instance, action, model, pk_set, instance_is_user=reverse, accessor=accessor, what="cities")


def _admin_logged(sender: Any, instance: LogEntry, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every add, change and delete the admin makes, with its own change message."""
    if not created or raw:
        return
    record(
        AuditEvent.ADMIN_CHANGE,
        actor=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
        content_type=instance.content_type.model if instance.content_type_id else "",
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        # In the deployment's language, whatever the admin's: one trail reads alike for every auditor.
        change_message=_in_default_language(instance.get_change_message),
    )


def _in_default_language(message: Any) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(message())


def connect() -> None:
    """Connect the receivers (dispatch ids keep a second call from doubling the records)."""
    from cities.models import City

    user_model = get_user_model()
    pre_save.connect(_remember_active_flag, sender=user_model, dispatch_uid="audit-user-active-before")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="audit-user-saved")
    m2m_changed.connect(_groups_changed, sender=user_model.groups.through, dispatch_uid="audit-user-groups")
    m2m_changed.connect(_managers_changed, sender=City.managers.through, dispatch_uid="audit-city-managers")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit-admin-log")
