from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from cities.reference_import import read_cities, read_members, read_peer_groups, read_regions
from cities.services import ReferenceImportError, cities_import, peer_groups_import, regions_import


class Command(BaseCommand):
    help = "Load the shipped reference cities and regions (fixtures/*.csv); safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixtures", type=Path, default=Path(settings.BASE_DIR) / "fixtures")

    def handle(self, *args: object, **options: object) -> None:
        folder = options["fixtures"]
        assert isinstance(folder, Path)
        city_rows, city_problems = read_cities(folder / "cities.csv")
        region_rows, region_problems = read_regions(folder / "regions.csv")
        member_rows, member_problems = read_members(folder / "region_members.csv")
        group_rows, group_problems = read_peer_groups(folder / "peer_groups.csv")
        try:
            with transaction.atomic():
                cities = cities_import(rows=city_rows, problems=city_problems)
                regions = regions_import(
                    regions=region_rows,
                    members=member_rows,
                    problems=region_problems + member_problems,
                )
                peer_groups_import(rows=group_rows, problems=group_problems)
        except ReferenceImportError as exc:
            raise CommandError(
                _("The reference data were not loaded; nothing was written. Problems:\n%(problems)s")
                % {"problems": "\n".join(f"  - {p}" for p in exc.problems)}
            ) from exc
        self.stdout.write(
            _("Reference data: %(cities)d cities (%(created)d new), regions %(regions)s, %(groups)d peer groups.")
            % {
                "cities": len(city_rows),
                "created": cities.created,
                "regions": "; ".join(regions.details),
                "groups": len(group_rows),
            }
        )
