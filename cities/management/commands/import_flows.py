from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cities.flow_import import import_flows_file
from cities.services import ReferenceImportError


class Command(BaseCommand):
    help = "Import or update flows between cities (commuting, migration) from a CSV; writes nothing if a row is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = options["csv_file"]
        assert isinstance(path, Path)
        try:
            summary = import_flows_file(path)
        except ReferenceImportError as exc:
            raise CommandError(
                _("%(path)s was not imported; nothing was written. Problems:\n%(problems)s")
                % {"path": path, "problems": "\n".join(f"  - {p}" for p in exc.problems)}
            ) from exc
        self.stdout.write(
            _("Flows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged}
        )
