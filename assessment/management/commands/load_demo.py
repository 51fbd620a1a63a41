import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from assessment.demo_data import PUBLISHED_PERIODS, demo_load, demo_reset


class Command(BaseCommand):
    help = "Create demo assessments (2024 and 2025, published) for the reference cities; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help=_("delete the demo assessments first"))
        parser.add_argument("--cities", help=_("comma-separated division codes (default: every city)"))
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        if options["reset"]:
            removed = demo_reset()
            self.stdout.write(_("Removed %(count)d demo assessments.") % {"count": removed})
        codes = [code.strip() for code in str(options["cities"]).split(",")] if options["cities"] else None
        summary = demo_load(city_codes=codes)
        if options["quiet"]:
            return
        self.stdout.write(
            _("Demo data: %(created)d assessments created, %(skipped)d already there (%(seconds).1f s).")
            % {"created": summary.created, "skipped": summary.skipped, "seconds": time.perf_counter() - started}
        )
        for period in PUBLISHED_PERIODS:
            stages = ", ".join(f"{stage}: {count}" for stage, count in sorted(summary.stages[period].items()))
            self.stdout.write(_("  %(period)d stages: %(stages)s") % {"period": period, "stages": stages or "—"})
