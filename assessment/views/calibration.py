"""The inter-rater check: a blind second rating of an assessment's level indicators, and the agreement report."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Role, role_required
from assessment.forms import users_in_role
from assessment.models import Assessment, BlindRating, Evidence
from assessment.scoring.agreement import KAPPA_WEIGHTS, SUBSTANTIAL_AGREEMENT
from assessment.selectors.assessments import assessment_for, assessments_visible_to
from assessment.selectors.calibration import (
    agreement_report,
    blind_rating_for_rater,
    blind_ratings_for_rater,
    blind_ratings_of,
)
from assessment.services.calibration import (
    can_read_agreement,
    can_request_blind_rating,
    level_indicators,
    request_blind_rating,
    save_blind_answers,
)


def _reviewed_assessment(request: HttpRequest, pk: int) -> Assessment:
    try:
        assessment = assessment_for(request.user, pk)
    except Assessment.DoesNotExist as exc:
        raise Http404 from exc
    if not can_request_blind_rating(request.user, assessment):
        raise PermissionDenied
    return assessment


@require_http_methods(["GET", "POST"])
def assessment_blind_ratings(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's page: the assessment's blind ratings, and a second consultant to ask."""
    assessment = _reviewed_assessment(request, pk)
    if request.method == "POST":
        try:
            rater = get_user_model().objects.get(pk=int(request.POST.get("rater") or 0))
            request_blind_rating(assessment=assessment, rater=rater, by=request.user)
        except (ValueError, get_user_model().DoesNotExist):
            messages.error(request, _("Choose the consultant who rates the assessment blind."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s has been asked for a blind rating.") % {"name": rater.get_username()})
            return redirect("assessment:assessment_blind_ratings", pk=assessment.pk)
    excluded = {assessment.reviewer_id, *assessment.consultants.values_list("pk", flat=True)}
    excluded |= {rating.rater_id for rating in blind_ratings_of(assessment)}
    candidates = [user for user in users_in_role(Role.CONSULTANT) if user.pk not in excluded]
    context = {
        "assessment": assessment,
        "ratings": blind_ratings_of(assessment),
        "candidates": candidates,
        "indicator_count": len(level_indicators(assessment)),
    }
    return render(request, "assessment/blind_ratings.html", context)


@role_required(Role.CONSULTANT)
@require_GET
def blind_rating_list(request: HttpRequest) -> HttpResponse:
    """The ratings the signed-in consultant has been asked for."""
    return render(request, "assessment/blind_rating_list.html", {"ratings": blind_ratings_for_rater(request.user)})


@require_http_methods(["GET", "POST"])
def blind_rating_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The second rater's form: each level indicator with its descriptors and worked examples, not the first levels."""
    rating = blind_rating_for_rater(request.user, pk)
    indicators = level_indicators(rating.assessment)
    status = 200
    if request.method == "POST":
        if not rating.is_open:
            messages.error(request, _("This rating has been submitted and can no longer change."))
            return redirect("assessment:blind_rating_answer", pk=rating.pk)
        choices = {indicator.pk: request.POST.get(f"level-{indicator.pk}", "") for indicator in indicators}
        submit = "submit" in request.POST
        try:
            missing = save_blind_answers(rating=rating, by=request.user, choices=choices, submit=submit)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            if submit:
                messages.success(request, _("Your rating is submitted; the agreement report is open."))
                return redirect("assessment:blind_rating_agreement", pk=rating.pk)
            messages.success(
                request,
                _("Saved. %(count)d indicators still to rate.") % {"count": len(missing)}
                if missing
                else _("Saved. Every indicator is rated: submit when you are sure."),
            )
            return redirect("assessment:blind_rating_answer", pk=rating.pk)
    stored = {answer.indicator_id: answer for answer in rating.answers.all()}
    # Files and links only: notes are the first rater's words and may carry their judgement. One query for all.
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(
        response__assessment=rating.assessment, kind__in=(Evidence.Kind.FILE, Evidence.Kind.LINK)
    ).select_related("response"):
        evidence.setdefault(item.response.indicator_id, []).append(item)
    posted = request.POST if status == 400 else None
    rows = []
    for indicator in indicators:
        answer = stored.get(indicator.pk)
        if posted is not None:
            chosen = posted.get(f"level-{indicator.pk}", "")
        elif answer is None:
            chosen = ""
        else:
            chosen = "na" if answer.not_applicable else ("" if answer.level is None else str(answer.level))
        rows.append({"indicator": indicator, "chosen": chosen, "evidence": evidence.get(indicator.pk, [])})
    context = {"rating": rating, "rows": rows, "assessment": rating.assessment}
    return render(request, "assessment/blind_rating_answer.html", context, status=status)


@require_GET
def blind_rating_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        rating = BlindRating.objects.select_related("assessment__city", "assessment__framework", "rater").get(pk=pk)
    except BlindRating.DoesNotExist as exc:
        raise Http404 from exc
    if not can_read_agreement(request.user, rating):
        raise Http404
    context = {
        "report": agreement_report(rating),
        "assessment": rating.assessment,
        # The second rater may read this report but not always the assessment: the way back links only where it opens.
        "can_open_assessment": assessments_visible_to(request.user).filter(pk=rating.assessment_id).exists(),
        "floor": SUBSTANTIAL_AGREEMENT,
        # The weighting named in the reader's language ("linear" is also a method value).
        "weights": {"linear": _("linear"), "quadratic": _("quadratic")}[KAPPA_WEIGHTS],
    }
    return render(request, "assessment/blind_rating_agreement.html", context)
