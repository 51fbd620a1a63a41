"""Audit records for what a management command does (backups, framework loads): the actor is the OS account.

A command runs with no request and no signed-in user; whoever ran it on the
server is the operating-system account, so that name is recorded
(``getpass.getuser()``: LOGNAME, USER, LNAME, USERNAME, then the password
database), with ``channel="command"`` so the auditor tells it from a page.
"""

import getpass
import os
from typing import Any

from django.db import models

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord


def os_user_name() -> str:
    """The operating-system account running this process, or its numeric id when it has no name (a container)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def record_command(
    event: AuditEvent,
    *,
    target: models.Model | None = None,
    outcome: AuditRecord.Outcome = AuditRecord.Outcome.SUCCESS,
    **detail: Any,
) -> AuditRecord:
    """Record ``event`` done by a management command, in the name of the OS account running it."""
    return record(event, actor_name=os_user_name(), target=target, outcome=outcome, channel="command", **detail)
