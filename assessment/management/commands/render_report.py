"""Write a city or regional PDF report, or a region's statistical audit annex.

manage.py render_report city --city 310000 --period 2025 --lang zh --out report.pdf
manage.py render_report city --city 310000 --period 2025 --audience full --out full.pdf
manage.py render_report region --region YRD --period 2025 --lang en --out region.pdf
manage.py render_report audit --region YRD --period 2025 --framework DSMF:1.0 --lang en --out audit.pdf
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.models import Framework, Report
from assessment.reports.content import ReportUnavailable
from assessment.reports.render import render_audit_report, render_city_report, render_region_report
from assessment.selectors.results import framework_for_results
from cities.models import City, Region


def _framework(named: str) -> Framework | None:
    """The version named CODE:VERSION (None: the default framework's latest)."""
    if not named:
        return None
    code, _separator, version = named.partition(":")
    try:
        return framework_for_results(code=code, version=version or None)
    except Framework.DoesNotExist:
        raise CommandError(_("There is no readable framework %(name)s.") % {"name": named}) from None


class Command(BaseCommand):
    help = "Render a city or regional report, or a statistical audit annex, as PDF (Chinese or English)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["city", "region", "audit"])
        parser.add_argument("--city", help="division code of the city (city reports)")
        parser.add_argument(
            "--region",
            help="region code (regional reports and audit annexes; for a city report, the region to compare with)",
        )
        parser.add_argument(
            "--framework", help="framework version audited, CODE:VERSION (audit annexes; default latest)"
        )
        parser.add_argument("--period", type=int, required=True)
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])
        parser.add_argument("--out", required=True)
        parser.add_argument(
            "--audience",
            default=Report.Audience.STAKEHOLDER,
            choices=Report.Audience.values,
            help="stakeholder (default): no notes, comments or evidence; full: with the evidence annex (city reports)",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        # The command runs with the operator's authority: it reads as an administrator would.
        reader = get_user_model()(username="render_report", is_superuser=True, is_staff=True)
        language = "zh-hans" if options["lang"] == "zh" else "en"
        try:
            if options["kind"] == "city":
                if not options["city"]:
                    raise CommandError(_("A city report needs --city."))
                try:
                    city = City.objects.get(code=options["city"])
                except City.DoesNotExist:
                    raise CommandError(_("There is no city %(code)s.") % {"code": options["city"]}) from None
                report = render_city_report(
                    user=reader,
                    city=city,
                    period=int(options["period"]),
                    language=language,
                    region_code=options["region"] or None,
                    audience=str(options["audience"]),
                )
            else:
                if not options["region"]:
                    raise CommandError(_("A regional report needs --region."))
                try:
                    region = Region.objects.get(code=options["region"])
                except Region.DoesNotExist:
                    raise CommandError(_("There is no region %(code)s.") % {"code": options["region"]}) from None
                if options["kind"] == "audit":
                    report = render_audit_report(
                        user=reader,
                        region=region,
                        period=int(options["period"]),
                        language=language,
                        framework=_framework(str(options["framework"] or "")),
                    )
                else:
                    report = render_region_report(
                        user=reader, region=region, period=int(options["period"]), language=language
                    )
        except ReportUnavailable as problem:
            raise CommandError(str(problem)) from None
        out = Path(str(options["out"]))
        out.write_bytes(report.pdf)
        self.stdout.write(
            _("Wrote %(path)s (%(size)d KB) in %(seconds).1f s.")
            % {"path": out, "size": len(report.pdf) // 1024, "seconds": time.perf_counter() - started}
        )
