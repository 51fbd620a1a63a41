"""The one shape of the CSV import commands: import a file all-or-nothing, name every problem, count what changed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cities.services import ImportSummary, ReferenceImportError


class FileImportCommand(BaseCommand):
    """Subclasses say how to import a path (`import_file`) and how to word the summary (`summary_text`)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path)

    def import_file(self, path: Path) -> ImportSummary:
        raise NotImplementedError

    def summary_text(self) -> str:
        """The summary with %(created)d, %(updated)d and %(unchanged)d, translated when the command runs."""
        raise NotImplementedError

    def handle(self, *args: object, **options: object) -> None:
        path = options["csv_file"]
        assert isinstance(path, Path)
        try:
            summary = self.import_file(path)
        except ReferenceImportError as exc:
            raise CommandError(
                _("%(path)s was not imported; nothing was written. Problems:\n%(problems)s")
                % {"path": path, "problems": "\n".join(f"  - {p}" for p in exc.problems)}
            ) from exc
        self.stdout.write(
            self.summary_text()
            % {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged}
        )
