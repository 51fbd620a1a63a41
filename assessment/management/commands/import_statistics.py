"""Fill a campaign's quantitative answers from one CSV or XLSX of statistics (a row per city).

manage.py import_statistics yearbook-2025.xlsx --campaign 3 --user consultant
manage.py import_statistics yearbook-2025.csv --region G60 --period 2026 --user consultant --dry-run

All or nothing: every bad line and column is listed and nothing is written. An
answer someone else entered with another value is a conflict: the command
lists them and writes nothing until told --replace-conflicts or --keep-conflicts.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.models import Campaign
from assessment.services.statistics_import import conflict_text, statistics_apply, statistics_check


class Command(BaseCommand):
    help = "Fill a campaign's quantitative answers from a CSV or XLSX with a row per city (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--campaign", type=int, help="the campaign's number (on its board's address)")
        parser.add_argument("--region", help="or the region of the campaign …")
        parser.add_argument("--period", type=int, help="… and its period")
        parser.add_argument("--user", required=True, help="user name of the consultant the answers are written as")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--replace-conflicts", action="store_true", help="overwrite answers others entered")
        choice.add_argument("--keep-conflicts", action="store_true", help="keep answers others entered")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        campaign = self._campaign(options)
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(_("There is no user %(name)s.") % {"name": options["user"]}) from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None
        check = statistics_check(campaign=campaign, data=data, filename=path.name, user=user)
        if check.problems:
            raise CommandError(
                _("%(path)s was not imported; nothing was written. Problems:\n%(problems)s")
                % {"path": path, "problems": "\n".join(f"  - {p}" for p in check.problems)}
            )
        for change in check.conflicts:
            self.stdout.write("  ! " + conflict_text(change))
        summary = _("%(changes)d answers to fill, %(conflicts)d conflicts, %(unchanged)d already as in the file.") % {
            "changes": len(check.changes),
            "conflicts": len(check.conflicts),
            "unchanged": check.unchanged,
        }
        self.stdout.write(summary)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        if check.conflicts and not (options["replace_conflicts"] or options["keep_conflicts"]):
            raise CommandError(
                _("Nothing was written: choose --replace-conflicts or --keep-conflicts for the answers above.")
            )
        replace = {c.response.pk for c in check.conflicts} if options["replace_conflicts"] else set()
        written = statistics_apply(check=check, user=user, replace=replace)
        self.stdout.write(_("%(written)d answers written from %(file)s.") % {"written": written, "file": path.name})

    @staticmethod
    def _campaign(options: dict) -> Campaign:
        if options["campaign"]:
            found = Campaign.objects.filter(pk=options["campaign"]).first()
        elif options["region"] and options["period"]:
            found = Campaign.objects.filter(region__code=options["region"], period=options["period"]).first()
        else:
            raise CommandError(_("Name the campaign: --campaign N, or --region CODE --period YEAR."))
        if found is None:
            raise CommandError(_("There is no such campaign."))
        return found
