"""Attach evidence (files, links, notes) to a response, and remove it while the assessment is being written."""

import os

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditEvent
from assessment.evidence_files import evidence_file_check
from assessment.models import Assessment, Evidence, Response
from assessment.services.assessments import can_edit
from assessment.services.respondents import can_respond


def evidence_add(
    *,
    response: Response,
    user: AbstractBaseUser,
    upload: UploadedFile | None = None,
    url: str = "",
    note: str = "",
) -> list[Evidence]:
    """Add whatever was given (a file, a link, a note); refuse all of it if one part is bad."""
    # The assessment's consultants, or a respondent of the city for an indicator in their scope.
    if not (can_edit(user, response.assessment) or can_respond(user, response)):
        raise PermissionDenied(_("You cannot add evidence to this assessment in its current state."))
    url, note = url.strip(), note.strip()
    if upload is None and not url and not note:
        raise ValidationError(_("Choose a file, give a link or write a note."))
    errors: dict[str, list[str]] = {}
    kind = None
    if upload is not None:
        try:
            kind = evidence_file_check(upload)
        except ValidationError as error:
            errors["file"] = error.messages
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("Give a full web address starting with http:// or https://.")]
    if errors:
        raise ValidationError(errors)
    created = []
    if upload is not None and kind is not None:
        # Keep the user's file name for display only; strip any path part.
        name = os.path.basename(upload.name or "evidence")[:200] or "evidence"
        evidence = Evidence(
            response=response,
            kind=Evidence.Kind.FILE,
            original_name=name,
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=user,
        )
        evidence.file.save(name, upload, save=False)
        evidence.save()
        created.append(evidence)
    if url:
        created.append(Evidence.objects.create(response=response, kind=Evidence.Kind.LINK, url=url, uploaded_by=user))
    if note:
        created.append(Evidence.objects.create(response=response, kind=Evidence.Kind.NOTE, note=note, uploaded_by=user))
    for evidence in created:
        record(AuditEvent.EVIDENCE_UPLOADED, actor=user, target=evidence, kind=evidence.kind, size=evidence.size)
    return created


def evidence_remove(*, evidence: Evidence, user: AbstractBaseUser) -> None:
    """Remove one piece of evidence from an assessment that is still being written.

    The history keeps what it was (file name, size, link or note), who added
    it and who removed it, and when; the assessment's history page lists both.
    A file's bytes are deleted: a document uploaded by mistake (the wrong
    city's, or one with personal data) must really go. The history keeps its
    storage name as plain text, which backups neither copy nor miss.
    """
    with transaction.atomic():
        # Locked, so the assessment cannot be submitted between the check and the removal.
        assessment = Assessment.objects.select_for_update().get(pk=evidence.response.assessment_id)
        if not can_edit(user, assessment):
            raise PermissionDenied(_("You cannot remove evidence from this assessment in its current state."))
        name, storage = evidence.file.name, evidence.file.storage
        # Before the delete, while the row still has its id; in the transaction, so a rollback takes it back too.
        record(AuditEvent.EVIDENCE_REMOVED, actor=user, target=evidence, kind=evidence.kind, file=name or None)
        evidence._history_user = user  # recorded on the "removed" history row, also outside a request
        evidence.delete()
        # A revision shares its original's files (`assessments._copy_evidence`): the bytes go
        # only when no row names them, and only once committed (a rollback keeps the file).
        if name and not Evidence.objects.filter(file=name).exists():
            transaction.on_commit(lambda: storage.delete(name))
