import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from assessment.models import Assessment, LevelDescriptor
from assessment.selectors.assessments import assessment_for
from assessment.services.assessments import can_edit
from assessment.services.workbook import WorkbookApplyError
from assessment.services.workbook import workbook_apply as workbook_apply_service
from assessment.workbook import MAX_WORKBOOK_BYTES, WorkbookReading, workbook_build, workbook_read

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    try:
        return assessment_for(request.user, pk)
    except Assessment.DoesNotExist as exc:
        raise Http404 from exc


def _responses(assessment: Assessment) -> list:
    from django.db.models import Prefetch

    return list(
        assessment.responses.select_related("indicator__node__parent")
        .prefetch_related(Prefetch("indicator__levels", queryset=LevelDescriptor.objects.order_by("level")))
        # Half, dimension, indicator: the orders count within their parent, so W1 and X1 are both 1.
        .order_by("indicator__node__parent__parent__order", "indicator__node__parent__order", "indicator__node__order")
    )


def workbook_download(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    responses = _responses(assessment)
    data = workbook_build(assessment, responses)
    record(AuditEvent.WORKBOOK_EXPORTED, request=request, target=assessment, rows=len(responses))
    reply = HttpResponse(data, content_type=XLSX)
    filename = f"DualSpace_{assessment.city_id}_{assessment.period}_{assessment.framework.code}.xlsx"
    reply["Content-Disposition"] = f'attachment; filename="{filename}"'
    return reply


def _upload_folder() -> Path:
    folder = Path(settings.BASE_DIR) / "var" / "workbook-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _session_key(assessment: Assessment) -> str:
    return f"workbook-upload-{assessment.pk}"


def _import_refused(request: HttpRequest, assessment: Assessment, **detail: object) -> None:
    """Record an import that changed nothing: denied to this user, or refused for the workbook's problems."""
    denied = not detail
    outcome = AuditRecord.Outcome.DENIED if denied else AuditRecord.Outcome.FAILURE
    record(AuditEvent.WORKBOOK_IMPORTED, request=request, target=assessment, outcome=outcome, **detail)


def workbook_upload(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    if not can_edit(request.user, assessment):
        _import_refused(request, assessment)
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "assessment/workbook_upload.html", {"assessment": assessment})
    upload = request.FILES.get("workbook")
    if upload is None:
        messages.error(request, _("Choose the workbook file to upload."))
        return render(request, "assessment/workbook_upload.html", {"assessment": assessment}, status=400)
    if upload.size > MAX_WORKBOOK_BYTES:
        messages.error(
            request, _("The file is larger than %(limit)d MB.") % {"limit": MAX_WORKBOOK_BYTES // (1024 * 1024)}
        )
        return render(request, "assessment/workbook_upload.html", {"assessment": assessment}, status=400)
    data = upload.read()
    reading = workbook_read(assessment, _responses(assessment), data)
    if reading.problems:
        # A workbook with problems goes no further than this check: the import is refused here.
        _import_refused(request, assessment, problems=len(reading.problems), file=upload.name)
    token = ""
    if not reading.problems and reading.changes:
        # Keep the file on the server: apply re-reads it, never trusting the browser with the changes.
        token = secrets.token_urlsafe(24)
        (_upload_folder() / f"{token}.xlsx").write_bytes(data)
        request.session[_session_key(assessment)] = token
    return _preview(
        request, assessment, reading, token, status=400 if reading.problems else 200, upload_name=upload.name
    )


def _preview(
    request: HttpRequest,
    assessment: Assessment,
    reading: WorkbookReading,
    token: str,
    status: int = 200,
    conflicts=None,
    upload_name: str = "",
) -> HttpResponse:
    conflicts = conflicts or []
    context = {
        "assessment": assessment,
        "reading": reading,
        "token": token,
        "stale_conflicts": [conflict for conflict in conflicts if conflict.stale],
        "refused": [conflict for conflict in conflicts if not conflict.stale],
        "upload_name": upload_name,
    }
    return render(request, "assessment/workbook_preview.html", context, status=status)


@require_POST
def workbook_apply(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    if not can_edit(request.user, assessment):
        _import_refused(request, assessment)
        raise PermissionDenied
    token = request.POST.get("token", "")
    if not token or request.session.get(_session_key(assessment)) != token:
        messages.error(request, _("This upload has expired; upload the workbook again."))
        return redirect("assessment:workbook_upload", pk=assessment.pk)
    path = _upload_folder() / f"{token}.xlsx"
    if not path.exists():
        messages.error(request, _("This upload has expired; upload the workbook again."))
        return redirect("assessment:workbook_upload", pk=assessment.pk)
    reading = workbook_read(assessment, _responses(assessment), path.read_bytes())
    if reading.problems:
        _import_refused(request, assessment, problems=len(reading.problems))
        return _preview(request, assessment, reading, "", status=400)
    try:
        count = workbook_apply_service(assessment=assessment, user=request.user, changes=reading.changes)
    except WorkbookApplyError as error:
        _import_refused(request, assessment, problems=len(error.conflicts), rows=len(reading.changes))
        return _preview(request, assessment, reading, "", status=409, conflicts=error.conflicts)
    record(AuditEvent.WORKBOOK_IMPORTED, request=request, target=assessment, rows=count)
    path.unlink(missing_ok=True)
    request.session.pop(_session_key(assessment), None)
    messages.success(request, _("%(count)d answer(s) from the workbook were saved.") % {"count": count})
    return redirect(assessment.get_absolute_url())
