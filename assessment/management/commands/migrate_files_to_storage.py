from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.services.storage_migration import files_migrate
from config.env import env_str


class Command(BaseCommand):
    help = (
        "Copy every evidence file and report PDF the database refers to from a local folder into the configured "
        "storage (object storage with STORAGE_BACKEND=s3), under the same names, each verified by SHA-256. "
        "Files already there with the same checksum are skipped, so it can be run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="source",
            type=Path,
            # The folder the local storage used: MEDIA_ROOT if it was set, else var/media.
            default=Path(env_str("MEDIA_ROOT") or settings.BASE_DIR / "var" / "media"),
            help=_("the local folder that holds the files (default: MEDIA_ROOT or var/media)"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("list what would be copied; copy nothing"))

    def handle(self, *args: object, **options: object) -> None:
        source = Path(str(options["source"]))
        dry_run = bool(options["dry_run"])
        if not source.is_dir():
            raise CommandError(_("%(path)s is not a folder.") % {"path": source})
        lines = {
            "copied": _("would copy %(name)s") if dry_run else _("copied %(name)s"),
            "already_there": _("already there: %(name)s"),
            "missing": _("missing from %(path)s: %(name)s"),
            "different": _("different in the storage, not overwritten: %(name)s"),
        }

        def progress(outcome: str, name: str) -> None:
            line = lines[outcome] % {"name": name, "path": source}
            (self.stdout if outcome in ("copied", "already_there") else self.stderr).write(line)

        try:
            result = files_migrate(source_folder=source, dry_run=dry_run, progress=progress)
        except (BotoCoreError, ClientError, OSError) as error:
            # An unreachable endpoint, a missing bucket, refused keys or a full disk: say which
            # storage and why, not a traceback. Each copy is verified before the next, so a rerun resumes.
            raise CommandError(
                _(
                    "The storage %(storage)s could not be read or written: %(error)s. "
                    "Every file listed above as copied is complete and verified; run the command again to go on."
                )
                % {"storage": _storage_named(), "error": error}
            ) from error
        counts = {
            "copied": len(result.copied),
            "there": len(result.already_there),
            "missing": len(result.missing),
            "different": len(result.different),
        }
        totals = (
            _("would copy %(copied)d, already there %(there)d, missing %(missing)d, different %(different)d")
            if dry_run
            else _("copied %(copied)d, already there %(there)d, missing %(missing)d, different %(different)d")
        )
        self.stdout.write(totals % counts)
        if not result.complete:
            raise CommandError(
                _("Not every file is in the storage: %(count)d missing or different (listed above).")
                % {"count": counts["missing"] + counts["different"]}
            )


def _storage_named() -> str:
    """The configured storage as an operator would recognise it: the endpoint and bucket, or the folder."""
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        return f"{getattr(default_storage, 'endpoint_url', None) or 's3'}/{bucket}"
    return str(getattr(default_storage, "location", "?"))
