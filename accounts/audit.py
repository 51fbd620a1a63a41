"""The audit log's one writer: `record(event, ...)`, called where each audited event happens.

Who (the signed-in user, or the name tried at a failed sign-in), when, from
which client address (the sign-in throttle's rule: `accounts.throttle.client_ip`),
on what object, and the outcome. A record is written in the caller's
transaction: a refused or failed action is recorded after its transaction has
rolled back (outside it), so the record stays.

Records are never changed or deleted through the app (`AuditRecord.save`/`delete`
refuse); `manage.py prune_audit_log` removes those older than AUDIT_RETENTION_DAYS.
"""

import logging
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, AuditRecord
from accounts.request_context import current_request
from accounts.throttle import client_ip

logger = logging.getLogger("dualspace.audit")


def record(
    event: AuditEvent,
    *,
    request: HttpRequest | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_name: str = "",
    target: models.Model | None = None,
    outcome: AuditRecord.Outcome = AuditRecord.Outcome.SUCCESS,
    **detail: Any,
) -> AuditRecord:
    """Write one audit record; ``actor`` defaults to the request's user, ``detail`` to what the caller adds.

    Without ``request`` the page being served (if any) gives the client address, and its user stands
    for a missing actor: services and model signals are called from pages without the request.
    """
    if request is None:
        request = current_request()
        if request is not None and actor is None and actor_name:
            # A caller naming someone (the name tried at a failed sign-in) is not the page's user.
            actor = AnonymousUser()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = actor if actor is not None and actor.is_authenticated else None
    entry = AuditRecord(
        at=timezone.now(),
        event=event,
        outcome=outcome,
        actor=user,  # type: ignore[misc]
        actor_name=(user.get_username() if user is not None else actor_name)[:150],
        ip=client_ip(request),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        detail={key: value for key, value in detail.items() if value is not None},
    )
    entry.save()
    logger.info("audit %s %s %s %s", event, entry.actor_name, entry.object_type, outcome)
    return entry
