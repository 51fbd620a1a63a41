"""City respondents' pages (their city's self-submission), the consultant's verification, and the comparison."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role, role_required
from assessment.models import Assessment, Response
from assessment.selectors.assessments import assessment_for
from assessment.services.assessments import can_read_comments
from assessment.services.evidence import evidence_add
from assessment.services.respondents import (
    respondent_assessments,
    respondent_responses,
    response_self_submit,
    response_verify,
    self_versus_verified,
)


def _number(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(_("“%(text)s” is not a number.") % {"text": text}) from None


@role_required(Role.RESPONDENT)
@require_GET
def respond_list(request: HttpRequest) -> HttpResponse:
    """The open assessments of the respondent's city, to submit the city's answers."""
    return render(request, "assessment/respond_list.html", {"assessments": respondent_assessments(request.user)})


@role_required(Role.RESPONDENT)
@require_GET
def respond_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """The indicators this respondent answers for their city, each with its levels, source, evidence and status."""
    assessment = get_object_or_404(respondent_assessments(request.user), pk=pk)
    return render(
        request,
        "assessment/respond_assessment.html",
        {"assessment": assessment, "responses": respondent_responses(request.user, assessment)},
    )


def _respondent_response(request: HttpRequest, pk: int, response_pk: int) -> tuple[Assessment, Response]:
    assessment = get_object_or_404(respondent_assessments(request.user), pk=pk)
    covered = {r.pk: r for r in respondent_responses(request.user, assessment)}
    if response_pk not in covered:
        raise Http404
    return assessment, covered[response_pk]


def _back(assessment: Assessment, response: Response) -> HttpResponse:
    url = reverse("assessment:respond_assessment", args=[assessment.pk])
    return redirect(f"{url}#indicator-{response.indicator.node.code}")


@require_POST
@role_required(Role.RESPONDENT)
def respond_save(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    assessment, response = _respondent_response(request, pk, response_pk)
    try:
        level_text = request.POST.get("level", "")
        values = {
            "level": int(level_text) if level_text.isdigit() else None,
            "value": _number(request.POST.get("value", "")),
            "source": request.POST.get("source", ""),
        }
        response_self_submit(response=response, user=request.user, values=values)
    except ValidationError as error:
        messages.error(
            request,
            _("%(code)s: %(reason)s") % {"code": response.indicator.node.code, "reason": " ".join(error.messages)},
        )
    else:
        messages.success(request, _("%(code)s submitted for verification.") % {"code": response.indicator.node.code})
    return _back(assessment, response)


@require_POST
@role_required(Role.RESPONDENT)
def respond_evidence(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    assessment, response = _respondent_response(request, pk, response_pk)
    try:
        evidence_add(
            response=response,
            user=request.user,
            upload=request.FILES.get("file"),
            url=request.POST.get("url", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Evidence added to %(code)s.") % {"code": response.indicator.node.code})
    return _back(assessment, response)


@require_POST
def response_verify_page(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    """The consultant accepts the city's answer or adjusts it with a reason."""
    try:
        assessment = assessment_for(request.user, pk)
        response = assessment.responses.select_related("indicator__node__parent", "assessment").get(pk=response_pk)
    except (Assessment.DoesNotExist, Response.DoesNotExist) as exc:
        raise Http404 from exc
    try:
        response_verify(
            response=response,
            user=request.user,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(code)s verified.") % {"code": response.indicator.node.code})
    url = reverse("assessment:dimension_form", args=[assessment.pk, response.indicator.node.parent.code])
    return redirect(f"{url}#indicator-{response.indicator.node.code}")


@require_GET
def self_vs_verified(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the city and the verifier disagree: the team, and the city's managers, read it."""
    assessment = get_object_or_404(Assessment.objects.select_related("city"), pk=pk)
    team = can_read_comments(request.user, assessment)
    manager = assessment.city.managers.filter(pk=request.user.pk).exists()
    if not (team or manager):
        raise Http404
    rows = self_versus_verified(assessment)
    return render(
        request,
        "assessment/self_vs_verified.html",
        {"assessment": assessment, "rows": rows, "differ": sum(1 for row in rows if row["difference"])},
    )
