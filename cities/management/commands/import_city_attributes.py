from pathlib import Path

from django.utils.translation import gettext as _

from cities.management.file_import import FileImportCommand
from cities.reference_import import read_city_attributes
from cities.services import ImportSummary, city_attributes_import


class Command(FileImportCommand):
    help = "Import city attributes for peer groups (city_code,key,value,year,source), such as GDP per head."

    def import_file(self, path: Path) -> ImportSummary:
        rows, problems = read_city_attributes(path)
        return city_attributes_import(rows=rows, problems=problems)

    def summary_text(self) -> str:
        return _("City attributes: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
