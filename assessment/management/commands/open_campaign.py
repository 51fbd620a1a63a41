"""Open a campaign from the shell: one assessment per city of a region (or a list), with its team and deadline.

manage.py open_campaign --region G60 --period 2026 --framework DSMF:1.0 --reviewer reviewer --consultants consultant
manage.py open_campaign --cities 330100,320500 --period 2026 --framework DSMF:1.0 --reviewer r --consultants a,b

Running it again creates nothing that exists: it prints each city's assessment as already there.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.models import Framework
from assessment.services.campaigns import campaign_open
from cities.models import City, Region


def _framework(named: str) -> Framework:
    code, _separator, version = named.partition(":")
    found = Framework.objects.filter(code=code, version=version, status=Framework.Status.PUBLISHED).first()
    if found is None:
        raise CommandError(
            _("There is no published framework version %(name)s (write CODE:VERSION, e.g. DSMF:1.0).") % {"name": named}
        )
    return found


def _user(name: str) -> object:
    try:
        return get_user_model().objects.get(username=name)
    except get_user_model().DoesNotExist:
        raise CommandError(_("There is no user %(name)s.") % {"name": name}) from None


class Command(BaseCommand):
    help = "Open a campaign: one consultant assessment per city of a region or a list, for a period (re-runnable)."

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="region code (G60, YRD, JJJ…): every member city")
        where.add_argument("--cities", help="division codes of the cities, comma-separated")
        parser.add_argument("--period", type=int, required=True, help="the year assessed")
        parser.add_argument("--framework", required=True, help="published framework version, CODE:VERSION")
        parser.add_argument("--reviewer", required=True, help="user name of the reviewer")
        parser.add_argument("--consultants", required=True, help="user names of the consultants, comma-separated")
        parser.add_argument("--deadline", help="submission deadline, YYYY-MM-DD")

    def handle(self, *args: object, **options: object) -> None:
        region = cities = None
        if options["region"]:
            region = Region.objects.filter(code=str(options["region"])).first()
            if region is None:
                raise CommandError(_("There is no region %(code)s.") % {"code": options["region"]})
        else:
            codes = [code.strip() for code in str(options["cities"]).split(",") if code.strip()]
            cities = list(City.objects.filter(code__in=codes))
            unknown = sorted(set(codes) - {city.code for city in cities})
            if unknown:
                raise CommandError(_("Unknown city codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        deadline = None
        if options["deadline"]:
            try:
                deadline = datetime.date.fromisoformat(str(options["deadline"]))
            except ValueError:
                raise CommandError(
                    _("The deadline %(value)s is not a date (YYYY-MM-DD).") % {"value": options["deadline"]}
                ) from None
        names = [name.strip() for name in str(options["consultants"]).split(",") if name.strip()]
        try:
            opening = campaign_open(
                user=None,
                framework=_framework(str(options["framework"])),
                period=int(str(options["period"])),
                reviewer=_user(str(options["reviewer"])),
                consultants=[_user(name) for name in names],
                region=region,
                cities=cities,
                deadline=deadline,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        campaign = opening.campaign
        state = _("opened") if opening.campaign_created else _("already open")
        self.stdout.write(f"{campaign.name} (#{campaign.pk}): {state}")
        for label, assessments in (
            (_("created"), opening.created),
            (_("joined the campaign"), opening.joined),
            (_("already in the campaign"), opening.already),
            (_("left alone: in another campaign or framework version"), opening.held_elsewhere),
        ):
            for assessment in assessments:
                self.stdout.write(f"  {assessment.city.code} {assessment.city.name_zh:<8} #{assessment.pk} {label}")
        self.stdout.write(
            _("%(created)d assessments created, %(kept)d already there.")
            % {"created": len(opening.created), "kept": len(opening.already) + len(opening.joined)}
        )
