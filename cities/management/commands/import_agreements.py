from pathlib import Path

from django.utils.translation import gettext as _

from cities.management.file_import import FileImportCommand
from cities.services import ImportSummary, import_agreements_file


class Command(FileImportCommand):
    help = "Import or update agreements from a CSV file; writes nothing if any row is bad."

    def import_file(self, path: Path) -> ImportSummary:
        return import_agreements_file(path)

    def summary_text(self) -> str:
        return _("Agreements: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
