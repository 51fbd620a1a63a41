from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Load the shipped agreements (fixtures/agreements.csv: public ones with their source, "
        "the rest marked demo); needs the reference data; safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=Path(settings.BASE_DIR) / "fixtures" / "agreements.csv")

    def handle(self, *args: object, **options: object) -> None:
        call_command(
            "import_agreements",
            str(options["file"]),
            verbosity=options.get("verbosity", 1),
            stdout=self.stdout,
            stderr=self.stderr,
        )
