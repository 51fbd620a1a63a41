from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from assessment.models import Assessment, Evidence, Response
from assessment.selectors.assessments import assessment_for
from assessment.selectors.calibration import rater_may_read_evidence
from assessment.services.evidence import evidence_add as evidence_add_service
from assessment.services.evidence import evidence_remove as evidence_remove_service
from assessment.views.downloads import stored_file_response
from assessment.views.messages import card_tag


@require_POST
def evidence_add(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    try:
        assessment = assessment_for(request.user, pk)
        response = assessment.responses.select_related("indicator__node__parent").get(pk=response_pk)
    except (Assessment.DoesNotExist, Response.DoesNotExist) as exc:
        raise Http404 from exc
    try:
        evidence_add_service(
            response=response,
            user=request.user,
            upload=request.FILES.get("file"),
            url=request.POST.get("url", ""),
            note=request.POST.get("note", ""),
        )
    except PermissionDenied:
        record(AuditEvent.EVIDENCE_UPLOADED, request=request, target=response, outcome=AuditRecord.Outcome.DENIED)
        raise
    except ValidationError as error:
        # A refused file (wrong type, too large, not what its name says) is recorded with the reason.
        reason = " ".join(error.messages)[:500]
        record(
            AuditEvent.EVIDENCE_UPLOADED,
            request=request,
            target=response,
            outcome=AuditRecord.Outcome.FAILURE,
            reason=reason,
        )
        for message in error.messages:
            messages.error(
                request,
                _("Evidence for %(code)s was not added: %(reason)s")
                % {"code": response.indicator.node.code, "reason": message},
                extra_tags=card_tag(response),
            )
    else:
        messages.success(
            request,
            _("Evidence added to %(code)s.") % {"code": response.indicator.node.code},
            extra_tags=card_tag(response),
        )
    form_url = reverse("assessment:dimension_form", args=[assessment.pk, response.indicator.node.parent.code])
    # To the evidence of the indicator, where the message is shown (the card may be taller than the screen).
    return redirect(f"{form_url}#evidence-{response.indicator.node.code}")


@require_POST
def evidence_remove(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    """Remove a file, link or note from an assessment being written (see the service for what is kept)."""
    try:
        evidence = Evidence.objects.select_related("response__indicator__node__parent").get(pk=evidence_pk)
        assessment = assessment_for(request.user, evidence.response.assessment_id)
    except (Evidence.DoesNotExist, Assessment.DoesNotExist) as exc:
        raise Http404 from exc
    code = evidence.response.indicator.node.code
    label = evidence.original_name or evidence.url or evidence.note
    evidence_remove_service(evidence=evidence, user=request.user)
    messages.success(
        request,
        _("Removed from %(code)s: %(evidence)s") % {"code": code, "evidence": label[:80]},
        extra_tags=card_tag(evidence.response),
    )
    form_url = reverse("assessment:dimension_form", args=[assessment.pk, evidence.response.indicator.node.parent.code])
    return redirect(f"{form_url}#evidence-{code}")


def evidence_download(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    """Serve an evidence file to those who may see its assessment; always as a download."""
    try:
        evidence = Evidence.objects.select_related("response__assessment").get(pk=evidence_pk, kind=Evidence.Kind.FILE)
    except Evidence.DoesNotExist as exc:
        raise Http404 from exc
    try:
        if not rater_may_read_evidence(request.user, evidence.response.assessment_id):
            assessment_for(request.user, evidence.response.assessment_id)
    except Assessment.DoesNotExist as exc:
        # Someone else's file: the auditor sees the try; the caller gets the same 404 as for no file at all.
        record(AuditEvent.EVIDENCE_DOWNLOADED, request=request, target=evidence, outcome=AuditRecord.Outcome.DENIED)
        raise Http404 from exc
    reply = stored_file_response(
        request, evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )
    record(AuditEvent.EVIDENCE_DOWNLOADED, request=request, target=evidence, size=evidence.size)
    return reply
