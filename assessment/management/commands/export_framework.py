from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.framework.document import document_to_json
from assessment.framework.imeta import imeta_from_document
from assessment.models import Framework
from assessment.selectors.framework import framework_document, framework_get


class Command(BaseCommand):
    help = "Export a framework version as JSON (full fidelity) or as a COINr iMeta table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("version")
        parser.add_argument("--format", choices=["json", "imeta"], default="json")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: object, **options: object) -> None:
        code, version, out = options["code"], options["version"], options["out"]
        assert isinstance(code, str) and isinstance(version, str) and isinstance(out, Path)
        try:
            framework = framework_get(code=code, version=version)
        except Framework.DoesNotExist as exc:
            raise CommandError(
                _("There is no framework %(code)s %(version)s.") % {"code": code, "version": version}
            ) from exc
        document = framework_document(framework)
        text = document_to_json(document) if options["format"] == "json" else imeta_from_document(document)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": out, "error": exc.strerror}) from exc
        self.stdout.write(_("Wrote %(path)s (%(nodes)d nodes).") % {"path": out, "nodes": len(document["nodes"])})
