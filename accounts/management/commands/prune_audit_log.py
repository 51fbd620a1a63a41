"""Remove audit records older than the retention (AUDIT_RETENTION_DAYS, never under its 180-day floor).

The only way an audit record is deleted: the app and the admin cannot change
or delete one (`accounts.models.AuditRecord`). The pruning itself is recorded,
with the cut-off and the count, in the name of the OS account that ran it.
Run it from cron or a systemd timer, e.g. daily.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.command_audit import record_command
from accounts.models import AuditEvent, AuditRecord


class Command(BaseCommand):
    help = "Delete audit records older than AUDIT_RETENTION_DAYS (at least 180 days); the pruning is itself recorded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=_("keep this many days instead of AUDIT_RETENTION_DAYS (never fewer than the floor)"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("count what would be removed; remove nothing"))

    def handle(self, *args: object, **options: object) -> None:
        floor = settings.AUDIT_RETENTION_FLOOR_DAYS
        days = options["days"] if options["days"] is not None else settings.AUDIT_RETENTION_DAYS
        if not isinstance(days, int) or days < floor:
            raise CommandError(
                _("Audit records are kept at least %(floor)d days; %(days)s is too few.")
                % {"floor": floor, "days": days}
            )
        cutoff = timezone.now() - timedelta(days=days)
        older = AuditRecord.objects.filter(at__lt=cutoff)
        if options["dry_run"]:
            self.stdout.write(
                _("Would remove %(count)d audit records from before %(cutoff)s (keeping %(days)d days).")
                % {
                    "count": older.count(),
                    "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M"),
                    "days": days,
                }
            )
            return
        with transaction.atomic():
            # QuerySet.delete: AuditRecord.delete refuses one record at a time, on purpose.
            count, _by_model = older.delete()
            record_command(AuditEvent.AUDIT_PRUNED, cutoff=cutoff.isoformat(), removed=count, retention_days=days)
        self.stdout.write(
            _("Removed %(count)d audit records from before %(cutoff)s (keeping %(days)d days).")
            % {"count": count, "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M"), "days": days}
        )
