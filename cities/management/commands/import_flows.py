from pathlib import Path

from django.utils.translation import gettext as _

from cities.flow_import import import_flows_file
from cities.management.file_import import FileImportCommand
from cities.services import ImportSummary


class Command(FileImportCommand):
    help = "Import or update flows between cities (commuting, migration) from a CSV; writes nothing if a row is bad."

    def import_file(self, path: Path) -> ImportSummary:
        return import_flows_file(path)

    def summary_text(self) -> str:
        return _("Flows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
