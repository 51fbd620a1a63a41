import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.demo.latents import PUBLISHED_PERIODS
from assessment.demo.load import FRAMEWORKS, demo_load, demo_reset
from assessment.models import Framework
from cities.models import City


class Command(BaseCommand):
    help = "Create published 2024 and 2025 demo assessments for the reference cities; safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help=_("delete the demo assessments first"))
        parser.add_argument("--cities", help=_("comma-separated division codes (default: every city)"))
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        codes = (
            [code.strip() for code in str(options["cities"]).split(",") if code.strip()] if options["cities"] else None
        )
        if codes:
            unknown = sorted(set(codes) - set(City.objects.filter(code__in=codes).values_list("code", flat=True)))
            if unknown:
                raise CommandError(_("unknown city %(code)s") % {"code": ", ".join(unknown)})
        for code, version in FRAMEWORKS:
            if not Framework.objects.filter(code=code, version=version, status=Framework.Status.PUBLISHED).exists():
                raise CommandError(
                    _("%(framework)s is not loaded and published; run load_frameworks first.")
                    % {"framework": f"{code} {version}"}
                )
        quiet = options["quiet"]
        if options["reset"]:
            removed = demo_reset(city_codes=codes)
            if not quiet:
                self.stdout.write(_("Removed %(count)d demo assessments.") % {"count": removed})
        summary = demo_load(city_codes=codes)
        if quiet:
            return
        self.stdout.write(
            _(
                "Demo data: %(created)d assessments created, %(skipped)d already there (%(seconds).1f s)."  # noqa: E501
            )
            % {
                "created": summary.created,
                "skipped": summary.skipped,
                "seconds": time.perf_counter() - started,
            }
        )
        for period in PUBLISHED_PERIODS:
            stages = ", ".join(f"{stage}: {count}" for stage, count in sorted(summary.stages[period].items()))
            self.stdout.write(_("  %(period)d stages: %(stages)s") % {"period": period, "stages": stages or "—"})
