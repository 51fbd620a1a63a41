from pathlib import Path

from django.utils.translation import gettext as _

from cities.management.file_import import FileImportCommand
from cities.reference_import import read_cities
from cities.services import ImportSummary, cities_import


class Command(FileImportCommand):
    help = "Import or update cities from a CSV file; writes nothing if any row is bad."

    def import_file(self, path: Path) -> ImportSummary:
        rows, problems = read_cities(path)
        return cities_import(rows=rows, problems=problems)

    def summary_text(self) -> str:
        return _("Cities: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
