from pathlib import Path

from django.utils.translation import gettext as _

from cities.management.file_import import FileImportCommand
from cities.reference_import import read_peer_groups
from cities.services import ImportSummary, peer_groups_import


class Command(FileImportCommand):
    help = "Import or update peer groups from a CSV file (columns as fixtures/peer_groups.csv); all or nothing."

    def import_file(self, path: Path) -> ImportSummary:
        rows, problems = read_peer_groups(path)
        return peer_groups_import(rows=rows, problems=problems)

    def summary_text(self) -> str:
        return _("Peer groups: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
