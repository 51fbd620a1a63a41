"""The audit log's retention: prune_audit_log removes only records older than the retention, never under 180 days."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def aged(days: int) -> AuditRecord:
    entry = record(AuditEvent.SIGN_IN_FAILED, actor_name=f"aged-{days}", outcome=AuditRecord.Outcome.FAILURE)
    # Backdated in SQL: the model and its queryset refuse to change a record, on purpose.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditRecord._meta.db_table} SET at = %s WHERE id = %s",  # noqa: S608 - our own table name
            [timezone.now() - timedelta(days=days), entry.pk],
        )
    return entry


def test_only_records_older_than_the_retention_are_removed_and_the_pruning_is_recorded(capsys):
    for days in (1, 179, 181, 400):
        aged(days)
    call_command("prune_audit_log", "--dry-run")
    assert "Would remove 2 audit records" in capsys.readouterr().out
    assert AuditRecord.objects.count() == 4

    call_command("prune_audit_log")
    assert "Removed 2 audit records" in capsys.readouterr().out
    left = set(AuditRecord.objects.exclude(event=AuditEvent.AUDIT_PRUNED).values_list("actor_name", flat=True))
    assert left == {"aged-1", "aged-179"}
    pruned = AuditRecord.objects.get(event=AuditEvent.AUDIT_PRUNED)
    assert pruned.detail["removed"] == 2 and pruned.detail["retention_days"] == 180
    assert pruned.detail["channel"] == "command" and pruned.actor_name


def test_a_longer_retention_keeps_more_and_a_shorter_one_is_refused(settings):
    aged(200)
    call_command("prune_audit_log", "--days", "365")
    assert AuditRecord.objects.filter(actor_name="aged-200").exists()
    with pytest.raises(CommandError, match="at least 180 days"):
        call_command("prune_audit_log", "--days", "30")
    assert AuditRecord.objects.filter(actor_name="aged-200").exists()


def test_a_retention_under_the_floor_is_refused_at_start():
    """The setting itself: a process with AUDIT_RETENTION_DAYS=90 does not start."""
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "AUDIT_RETENTION_DAYS": "90"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 180 days" in done.stderr
