from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from assessment.framework.document import FrameworkDocumentError, document_from_json
from assessment.framework.imeta import document_from_imeta
from assessment.services.framework import framework_import


class Command(BaseCommand):
    help = (
        "Import a framework as a new draft from JSON, or from a COINr iMeta CSV (with --code and --version). "
        "Every problem is listed and nothing is written if there is one."
    )

    def add_base_argument(self, parser: CommandParser, *args: Any, **kwargs: Any) -> None:
        # --version here names the framework version, as users expect, not Django's.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--code", help=_("framework code (required for iMeta; renames a JSON import)"))
        parser.add_argument("--version", dest="framework_version", help=_("framework version"))

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        code = options["code"]
        version = options["framework_version"]
        assert isinstance(path, Path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
        try:
            if path.suffix.lower() == ".csv":
                if not code or not version:
                    raise CommandError(_("An iMeta CSV needs --code and --version."))
                document = document_from_imeta(raw, code=str(code), version=str(version))
            else:
                document = document_from_json(raw)
            framework = framework_import(
                document=document, code=str(code) if code else None, version=str(version) if version else None
            )
        except FrameworkDocumentError as exc:
            raise CommandError(
                _("%(path)s was not imported; nothing was written. %(count)d problem(s):\n%(problems)s")
                % {"path": path, "count": len(exc.problems), "problems": "\n".join(f"  - {p}" for p in exc.problems)}
            ) from exc
        self.stdout.write(
            _("Imported %(code)s %(version)s as a draft (%(nodes)d nodes).")
            % {"code": framework.code, "version": framework.version, "nodes": framework.nodes.count()}
        )
