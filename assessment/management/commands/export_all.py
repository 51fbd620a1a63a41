from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.command_audit import record_command
from accounts.models import AuditEvent, AuditRecord
from assessment.backup.export import backup_export, backup_export_to_storage


class Command(BaseCommand):
    help = (
        "Back up everything (frameworks, cities, regions, agreements, assessments, evidence files, history, "
        "accounts and roles, reports) into one zip that import_all restores."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--out", type=Path, help=_("the zip file to write"))
        where.add_argument(
            "--to-storage",
            metavar="NAME",
            help=_("save the zip under this name in the file storage (object storage with STORAGE_BACKEND=s3)"),
        )

    def handle(self, *args: object, **options: object) -> None:
        out: Path | str
        where = {"storage" if options["to_storage"] else "file": str(options["to_storage"] or options["out"])}
        try:
            if options["to_storage"]:
                out, summary = backup_export_to_storage(name=str(options["to_storage"]))
            else:
                out = Path(str(options["out"]))
                summary = backup_export(out=out)
        except OSError as exc:
            record_command(AuditEvent.BACKUP_EXPORTED, outcome=AuditRecord.Outcome.FAILURE, reason=str(exc), **where)
            raise CommandError(
                _("Cannot write %(path)s: %(error)s")
                % {"path": options["to_storage"] or options["out"], "error": exc.strerror or exc}
            ) from exc
        for name in summary.missing_files:
            self.stderr.write(
                _("Warning: %(name)s is referred to but missing from the storage; the backup notes it as missing.")
                % {"name": name}
            )
        rows = sum(summary.counts.values())
        record_command(AuditEvent.BACKUP_EXPORTED, rows=rows, files=summary.files, **where)
        self.stdout.write(
            _("Wrote %(path)s: %(rows)d rows in %(tables)d tables and %(files)d files.")
            % {"path": out, "rows": rows, "tables": len(summary.counts), "files": summary.files}
        )
