from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.command_audit import record_command
from accounts.models import AuditEvent, AuditRecord
from assessment.backup.archive import BackupError
from assessment.backup.restore import backup_restore, backup_restore_from_storage


class Command(BaseCommand):
    help = (
        "Restore a backup written by export_all. The whole archive is checked first; the restore is all or "
        "nothing. A database that already holds data is refused unless --replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, nargs="?", help=_("the zip file written by export_all"))
        parser.add_argument(
            "--from-storage",
            metavar="NAME",
            help=_("restore the zip export_all --to-storage saved under this name in the file storage"),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("delete the current data and its files, and sign everyone out, before restoring"),
        )

    def handle(self, *args: object, **options: object) -> None:
        if (options["backup"] is None) == (options["from_storage"] is None):
            raise CommandError(_("Give either the zip file or --from-storage NAME."))
        path = options["from_storage"] or Path(str(options["backup"]))
        replace = bool(options["replace"])
        where = {"storage" if options["from_storage"] else "file": str(path)}
        try:
            if options["from_storage"]:
                summary = backup_restore_from_storage(name=str(options["from_storage"]), replace=replace)
            else:
                summary = backup_restore(path=Path(str(options["backup"])), replace=replace)
        except BackupError as exc:
            # After the restore's rollback: the refused restore stays on record.
            failed = AuditRecord.Outcome.FAILURE
            record_command(
                AuditEvent.BACKUP_IMPORTED, outcome=failed, problems=len(exc.problems), replace=replace, **where
            )
            raise CommandError(
                _("%(path)s was not restored; nothing was changed. %(count)d problem(s):\n%(problems)s")
                % {
                    "path": path,
                    "count": len(exc.problems),
                    "problems": "\n".join(f"  - {problem}" for problem in exc.problems),
                }
            ) from exc
        rows = sum(summary.counts.values())
        record_command(AuditEvent.BACKUP_IMPORTED, rows=rows, files=summary.files_written, replace=replace, **where)
        for name in summary.old_files_not_removed:
            self.stderr.write(_("Warning: the old file %(name)s could not be removed.") % {"name": name})
        self.stdout.write(
            _(
                "Restored %(rows)d rows in %(tables)d tables and %(files)d files "
                "(%(same)d already in place); %(removed)d old files removed."
            )
            % {
                "rows": rows,
                "tables": len(summary.counts),
                "files": summary.files_written,
                "same": summary.files_already_there,
                "removed": summary.old_files_removed,
            }
        )
