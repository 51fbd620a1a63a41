from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.command_audit import record_command
from accounts.models import AuditEvent
from assessment.framework.document import (
    FrameworkDocumentError,
    document_from_json,
    document_problem,
)
from assessment.models import Framework
from assessment.services.framework import framework_import, framework_publish


class Command(BaseCommand):
    help = "Load and publish the frameworks shipped in fixtures/frameworks/ that are not here yet."

    def handle(self, *args: object, **options: object) -> None:
        folder = Path(settings.BASE_DIR) / "fixtures" / "frameworks"
        for path in sorted(folder.glob("*.json")):
            try:
                document = document_from_json(path.read_bytes())
                if not isinstance(document, dict):
                    raise FrameworkDocumentError([document_problem(path.name, _("not a framework document"))])
                code, version = document.get("code"), document.get("version")
                if Framework.objects.filter(code=code, version=version).exists():
                    self.stdout.write(_("%(code)s %(version)s is already loaded.") % {"code": code, "version": version})
                    continue
                with transaction.atomic():
                    framework = framework_publish(framework=framework_import(document=document))
                    record_command(AuditEvent.FRAMEWORK_PUBLISHED, target=framework, file=path.name)
            except FrameworkDocumentError as exc:
                raise CommandError(
                    _("%(path)s was not loaded:\n%(problems)s")
                    % {"path": path.name, "problems": "\n".join(f"  - {p}" for p in exc.problems)}
                ) from exc
            self.stdout.write(
                _("Loaded and published %(code)s %(version)s.") % {"code": framework.code, "version": framework.version}
            )
