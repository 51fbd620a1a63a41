from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.framework.content_rules import content_findings
from assessment.models import Framework
from assessment.selectors.framework import framework_document, framework_get


class Command(BaseCommand):
    help = (
        "List the level descriptors of a framework version that ask in-city indicators' level 5 for work with "
        "other cities, or any level for outside recognition (assessment/framework/content_rules.py); "
        "exits with an error when there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("version")

    def handle(self, *args: object, **options: object) -> None:
        code, version = options["code"], options["version"]
        assert isinstance(code, str) and isinstance(version, str)
        try:
            framework = framework_get(code=code, version=version)
        except Framework.DoesNotExist as exc:
            raise CommandError(
                _("There is no framework %(code)s %(version)s.") % {"code": code, "version": version}
            ) from exc
        findings = content_findings(framework_document(framework))
        rules = {
            "cross_city_in_city_level_5": _("level 5 of an in-city indicator asks for work with other cities"),
            "outside_recognition": _("the level depends on outside recognition"),
        }
        for finding in findings:
            self.stdout.write(
                _("%(indicator)s level %(level)d (%(language)s): %(rule)s: “%(words)s”")
                % {
                    "indicator": finding.indicator,
                    "level": finding.level,
                    "language": finding.language,
                    "rule": rules[finding.rule],
                    "words": finding.words,
                }
            )
        if findings:
            raise CommandError(
                _("%(count)d descriptors of %(code)s %(version)s break the content rules.")
                % {"count": len(findings), "code": code, "version": version}
            )
        self.stdout.write(_("%(code)s %(version)s follows the content rules.") % {"code": code, "version": version})
