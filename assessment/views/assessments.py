from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import Role, has_role, role_required
from assessment.forms import AssessmentCreateForm, AssessmentTeamChangeForm, CommentForm, ResponseForm
from assessment.models import Assessment, Evidence, FrameworkNode, Indicator, Response, ReviewComment
from assessment.selectors import assessments as selectors
from assessment.selectors.calibration import blind_ratings_of, open_blind_rating_count
from assessment.selectors.derived import derived_proposal_for
from assessment.selectors.reasonableness import answer_flags
from assessment.services import assessments as services
from assessment.services.calibration import can_read_agreement
from assessment.views.messages import CARD_TAG, card_tag, messages_by_tag
from cities import selectors as city_selectors


def _assessment_or_404(request: HttpRequest, pk: int) -> Assessment:
    try:
        return selectors.assessment_for(request.user, pk)
    except Assessment.DoesNotExist as exc:
        raise Http404 from exc


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def assessment_list(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.CONSULTANT, Role.REVIEWER, Role.CITY_MANAGER):
        raise PermissionDenied
    assessments = selectors.assessments_visible_to(request.user).order_by("-period", "city__code")
    status = request.GET.get("status") or ""
    if status in Assessment.Status.values:
        assessments = assessments.filter(status=status)
    page = Paginator(assessments.select_related("result"), 50).get_page(request.GET.get("page"))
    context = {
        "assessments": page,
        "page": page,
        "statuses": Assessment.Status.choices,
        "selected_status": status,
        "can_create": has_role(request.user, Role.REVIEWER),
        "open_blind_ratings": open_blind_rating_count(request.user),
    }
    return render(request, "assessment/assessment_list.html", context)


@role_required(Role.REVIEWER)
def assessment_new(request: HttpRequest) -> HttpResponse:
    form = AssessmentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["start_from_previous"]:
                previous = selectors.previous_assessment_to_copy(
                    request.user, city=data["city"], kind=data["kind"], period=data["period"]
                )
                if previous is None:
                    # The same words whether nothing exists or only what the user may not read.
                    raise ValidationError(
                        _(
                            "There is no earlier assessment of this city that you may start from: "
                            "no published result and none of your own."
                        )
                    )
                assessment = services.assessment_start_from_previous(
                    previous=previous,
                    period=data["period"],
                    consultants=list(data["consultants"]),
                    reviewer=data["reviewer"],
                )
            else:
                assessment = services.assessment_create(
                    city=data["city"],
                    framework=data["framework"],
                    period=data["period"],
                    kind=data["kind"],
                    consultants=list(data["consultants"]),
                    reviewer=data["reviewer"],
                )
        except IntegrityError:
            form.add_error(None, _("This city already has an assessment of this kind for this period."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The assessment was created."))
            return redirect(assessment.get_absolute_url())
    return render(request, "assessment/assessment_new.html", {"form": form})


def assessment_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer or an administrator hands the assessment to other consultants or another reviewer."""
    assessment = _assessment_or_404(request, pk)
    if not services.can_change_team(request.user, assessment):
        raise PermissionDenied
    initial = {
        "consultants": list(assessment.consultants.all()),
        "reviewer": assessment.reviewer,
        "team_when_opened": services.team_signature(assessment),
    }
    form = AssessmentTeamChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_team_set(
                assessment=assessment,
                user=request.user,
                consultants=list(form.cleaned_data["consultants"]),
                reviewer=form.cleaned_data["reviewer"],
                team_when_opened=form.cleaned_data["team_when_opened"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The team was changed."))
            return redirect(assessment.get_absolute_url())
    return render(request, "assessment/assessment_team.html", {"assessment": assessment, "form": form})


MISSING_TAG = "missing-answers"


def _missing_items(assessment: Assessment) -> list[dict[str, Any]]:
    """Each response that stops submission, with why, for a list of links to its indicator."""
    return [
        {"response": response, "needs_answer": not response.is_answered}
        for response in sorted(
            services.missing_answers(assessment),
            key=lambda r: (r.indicator.node.parent.parent.order, r.indicator.node.parent.order, r.indicator.node.order),
        )
    ]


def _stage_label(assessment: Assessment, code: str | None) -> str:
    """ "S3 · <name>" in the page's language: the code alone means nothing to a reader."""
    if not code:
        return ""
    rung = assessment.framework.stages.filter(code=code).first()
    return f"{code} · {rung.name}" if rung else code


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    user = request.user
    # A refused submission lists every missing item as a link, in place of its one-line message.
    page_messages, tagged = messages_by_tag(request, MISSING_TAG)
    missing = _missing_items(assessment) if tagged and services.can_edit(user, assessment) else []
    result = getattr(assessment, "result", None) if assessment.is_frozen else None
    if not missing:  # completed meanwhile, in another tab: the message still says what happened
        page_messages += tagged.get(MISSING_TAG, [])
    context = {
        "messages": page_messages,
        "missing": missing,
        "assessment": assessment,
        "dimensions": selectors.assessment_dimensions(assessment),
        "can_edit": services.can_edit(user, assessment),
        "can_review": services.can_review(user, assessment),
        "can_change_team": services.can_change_team(user, assessment),
        # Open returns matter while the answers can still change or are being reviewed.
        "returned": selectors.open_returned_indicators(assessment) if not assessment.is_frozen else [],
        "result": result,
        "stage_label": _stage_label(assessment, result.stage) if result else "",
        "next_stage_label": _stage_label(assessment, result.gap.get("next_stage")) if result and result.gap else "",
        "gap_steps": selectors.gap_steps(assessment) if assessment.is_frozen else [],
        "actions": _available_actions(user, assessment),
        # Submitted blind ratings whose agreement report this user may read (the team's consultants among them):
        # the page is where they look for it.
        "agreement_reports": [rating for rating in blind_ratings_of(assessment) if can_read_agreement(user, rating)],
    }
    return render(request, "assessment/assessment_detail.html", context)


# Actions that cannot be taken back by the same person, confirmed in a second step (a <details>: no script).
_CONFIRMATIONS = {
    "approve": (
        gettext_lazy(
            "Approving scores the assessment and freezes its answers: "
            "they no longer change, except through a correction."
        ),
        gettext_lazy("Yes, approve and score"),
    ),
    "publish": (
        gettext_lazy(
            "Publishing shows the result to city managers and every signed-in user; "
            "a published result is changed only by a correction."
        ),
        gettext_lazy("Yes, publish"),
    ),
}


def _available_actions(user: Any, assessment: Assessment) -> list[dict[str, Any]]:
    """The actions the user may take now (the services check again), each with its confirmation if it needs one."""
    return [
        {"action": action, "label": label, "style": style, "confirm": _CONFIRMATIONS.get(action)}
        for action, label, style in _action_buttons(user, assessment)
    ]


def _action_buttons(user: Any, assessment: Assessment) -> list[tuple[str, str, str]]:
    """(action, label, button style) the user may take now."""
    status = Assessment.Status
    actions = []
    if services.can_edit(user, assessment):
        actions.append(("submit", _("Submit for review"), "primary"))
    if services.can_review(user, assessment):
        if assessment.status == status.SUBMITTED:
            actions.append(("start_review", _("Start the review"), "primary"))
        if assessment.status in (status.SUBMITTED, status.IN_REVIEW):
            actions.append(("return", _("Return to the consultant"), "warning"))
            actions.append(("approve", _("Approve and score"), "success"))
        if assessment.status == status.APPROVED:
            actions.append(("publish", _("Publish"), "success"))
        if assessment.status == status.PUBLISHED and not hasattr(assessment, "replaced_by"):
            actions.append(("revise", _("Start a correction (new revision)"), "outline-secondary"))
    elif assessment.status == status.APPROVED and has_role(user, Role.ADMINISTRATOR):
        actions.append(("publish", _("Publish"), "success"))
    return actions


_TRANSITIONS = {
    "submit": (services.assessment_submit, gettext_lazy("Submitted for review.")),
    "start_review": (services.assessment_start_review, gettext_lazy("The review has started.")),
    "return": (services.assessment_return, gettext_lazy("Returned to the consultant.")),
    "approve": (services.assessment_approve, gettext_lazy("Approved; the result and stage are stored.")),
    "publish": (services.assessment_publish, gettext_lazy("Published: city managers and stakeholders can now see it.")),
    "revise": (services.assessment_revise, gettext_lazy("A new revision was started.")),
}


@require_POST
def assessment_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if action not in _TRANSITIONS:
        raise Http404
    service, done = _TRANSITIONS[action]
    # A refusal is recorded here (the service records each change made): who tried what, and why it was refused.
    refused = {"action": action, "from": assessment.status}
    try:
        outcome = service(assessment=assessment, user=request.user)
    except PermissionDenied:
        record(
            AuditEvent.ASSESSMENT_STATE_CHANGED,
            request=request,
            target=assessment,
            outcome=AuditRecord.Outcome.DENIED,
            **refused,
        )
        raise
    except services.MissingAnswersError as error:
        record(
            AuditEvent.ASSESSMENT_STATE_CHANGED,
            request=request,
            target=assessment,
            outcome=AuditRecord.Outcome.FAILURE,
            missing=len(error.blocking),
            **refused,
        )
        messages.error(request, error.messages[0], extra_tags=MISSING_TAG)
        return redirect(f"{assessment.get_absolute_url()}#missing-answers")
    except ValidationError as error:
        record(
            AuditEvent.ASSESSMENT_STATE_CHANGED,
            request=request,
            target=assessment,
            outcome=AuditRecord.Outcome.FAILURE,
            reason=" ".join(error.messages)[:500],
            **refused,
        )
        for message in error.messages:
            messages.error(request, message)
        return redirect(assessment.get_absolute_url())
    messages.success(request, str(done))
    return redirect(outcome.get_absolute_url())


def dimension_form(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    try:
        dimension = FrameworkNode.objects.get(framework=assessment.framework, code=code)
    except FrameworkNode.DoesNotExist as exc:
        raise Http404 from exc
    return _render_dimension(request, assessment, dimension)


def _render_dimension(
    request: HttpRequest,
    assessment: Assessment,
    dimension: FrameworkNode,
    bound: ResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = services.can_edit(request.user, assessment)
    can_review = services.can_review(request.user, assessment)
    dimensions = selectors.assessment_dimensions(assessment)
    # Reasons to look again at an answer, for whoever may read the team's working notes.
    flags = answer_flags(assessment) if services.can_read_comments(request.user, assessment) else {}
    items = []
    for response in selectors.dimension_responses(assessment, dimension):
        form = (
            bound
            if bound is not None and bound.response.pk == response.pk
            else ResponseForm(response=response, disabled=not can_edit)
        )
        items.append(
            {
                "response": response,
                "form": form,
                "comment_form": CommentForm(prefix=f"c{response.pk}"),
                "proposal": derived_proposal_for(response) if response.indicator.derived_from else None,
                "flags": flags.get(response.pk, []),
            }
        )
    # A proposal names its agreements by title: the key is an import identifier, not a name.
    titles = city_selectors.agreement_titles(
        keys=[key for item in items if item["proposal"] for key in item["proposal"].agreements]
    )
    for item in items:
        if item["proposal"]:
            item["agreements"] = [(key, titles.get(key, key)) for key in item["proposal"].agreements]
    # Evidence refused or added is said at its indicator's card, where the redirect lands.
    page_messages, card_messages = messages_by_tag(request, CARD_TAG)
    for item in items:
        item["messages"] = card_messages.get(card_tag(item["response"]), [])
    codes = [item.node.code for item in dimensions]
    position = codes.index(dimension.code) if dimension.code in codes else 0
    context = {
        "messages": page_messages,
        "assessment": assessment,
        "dimension": dimension,
        "dimensions": dimensions,
        "items": items,
        "can_edit": can_edit,
        "can_review": can_review,
        "can_read_comments": services.can_read_comments(request.user, assessment),
        # The services refuse comments on a frozen assessment; the page offers none.
        "can_comment": not assessment.is_frozen and (can_review or can_edit),
        "previous_code": codes[position - 1] if position > 0 else None,
        "next_code": codes[position + 1] if position + 1 < len(codes) else None,
    }
    return render(request, "assessment/dimension_form.html", context, status=status)


@require_POST
def response_save(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    """Save one answer: JSON for the autosave script, a redirect for a plain form post."""
    assessment = _assessment_or_404(request, pk)
    try:
        response = assessment.responses.select_related("indicator__node__parent").get(pk=response_pk)
    except Response.DoesNotExist as exc:
        raise Http404 from exc
    form = ResponseForm(request.POST, response=response)
    as_json = _wants_json(request)
    if not services.can_edit(request.user, assessment):
        if as_json:
            return JsonResponse({"error": _("You cannot change this assessment in its current state.")}, status=403)
        raise PermissionDenied
    if form.is_valid():
        values = form.answer_values()
        if "use_derived" in request.POST:
            proposal = derived_proposal_for(response)
            if proposal is not None:
                field = "level" if response.indicator.type == Indicator.Type.LEVEL else "value"
                values |= {field: int(proposal.value) if field == "level" else proposal.value, "not_applicable": False}
        try:
            saved = services.response_save(
                response=response, user=request.user, values=values, base_version=form.cleaned_data["base_version"]
            )
        except services.StaleSaveError as conflict:
            return _conflict_reply(request, assessment, response, form, conflict, as_json)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if as_json:
                warning = services.goalpost_warning(
                    saved.indicator, saved.value, normalisation=assessment.framework.normalisation
                )
                return JsonResponse(
                    {
                        "ok": True,
                        "version": saved.version,
                        "saved_at": saved.updated_at.isoformat(),
                        # In the deployment's time zone, as "last saved by … at …" on the page: the browser's
                        # own clock may be set to another zone (a UTC browser read 18:36 beside 02:36).
                        "saved_at_text": timezone.localtime(saved.updated_at).strftime("%H:%M:%S"),
                        "reload": "use_derived" in request.POST,
                        # Not a refusal: shown beside the value, which is saved.
                        "warnings": {"value": warning} if warning else {},
                    }
                )
            messages.success(request, _("%(code)s saved.") % {"code": response.indicator.node.code})
            form_url = reverse("assessment:dimension_form", args=[assessment.pk, response.indicator.node.parent.code])
            return redirect(f"{form_url}#indicator-{response.indicator.node.code}")
    if as_json:
        return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    # The page comes back with what the user typed, and the errors beside it.
    return _render_dimension(request, assessment, response.indicator.node.parent, bound=form, status=400)


def _conflict_reply(
    request: HttpRequest,
    assessment: Assessment,
    response: Response,
    form: ResponseForm,
    conflict: services.StaleSaveError,
    as_json: bool,
) -> HttpResponse:
    labels = {name: str(field.label) for name, field in form.fields.items()}
    differences = [
        {
            "field": name,
            "label": labels.get(name, name),
            "theirs": conflict.theirs.get(name),
            "yours": conflict.yours.get(name),
        }
        for name in services.RESPONSE_FIELDS
        if name in conflict.yours and conflict.theirs.get(name) != conflict.yours.get(name)
    ]
    payload = {
        "ok": False,
        "conflict": True,
        "message": str(conflict),
        "by": conflict.by,
        "version": conflict.response.version,
        "differences": differences,
        "theirs": conflict.theirs,
    }
    if as_json:
        return JsonResponse(payload, status=409)
    form.add_error(None, str(conflict))
    for item in differences:
        form.add_error(
            None,
            _("%(label)s — saved by %(who)s: “%(theirs)s”; yours: “%(yours)s”.")
            % {"label": item["label"], "who": conflict.by, "theirs": item["theirs"], "yours": item["yours"]},
        )
    # Offer the newer version as the base: saving again keeps the user's values on purpose.
    data = request.POST.copy()
    data[form.add_prefix("base_version")] = str(conflict.response.version)
    rebound = ResponseForm(data, response=response)
    rebound.is_valid()
    for error in form.non_field_errors():
        rebound.add_error(None, error)
    return _render_dimension(request, assessment, response.indicator.node.parent, bound=rebound, status=409)


@require_POST
def comment_add(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    try:
        response = assessment.responses.select_related("indicator__node__parent", "assessment").get(pk=response_pk)
    except Response.DoesNotExist as exc:
        raise Http404 from exc
    form = CommentForm(request.POST, prefix=f"c{response.pk}")
    if form.is_valid():
        try:
            services.review_comment_add(
                response=response,
                user=request.user,
                body=form.cleaned_data["body"],
                returns_indicator=form.cleaned_data["returns_indicator"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Comment added to %(code)s.") % {"code": response.indicator.node.code})
    else:
        messages.error(request, _("Write a comment."))
    form_url = reverse("assessment:dimension_form", args=[assessment.pk, response.indicator.node.parent.code])
    return redirect(f"{form_url}#indicator-{response.indicator.node.code}")


@require_POST
def flag_accept(request: HttpRequest, pk: int, response_pk: int, kind: str) -> HttpResponse:
    """The reviewer keeps a flagged answer, with the reason; refused for anyone else (the service says so)."""
    assessment = _assessment_or_404(request, pk)
    try:
        response = assessment.responses.select_related("indicator__node__parent", "assessment").get(pk=response_pk)
    except Response.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.flag_accept(response=response, kind=kind, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Flag on %(code)s accepted.") % {"code": response.indicator.node.code})
    form_url = reverse("assessment:dimension_form", args=[assessment.pk, response.indicator.node.parent.code])
    return redirect(f"{form_url}#indicator-{response.indicator.node.code}")


@require_POST
def comment_resolve(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    try:
        comment = ReviewComment.objects.select_related("response__indicator__node__parent", "response__assessment").get(
            pk=comment_pk, response__assessment=assessment
        )
    except ReviewComment.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.review_comment_resolve(comment=comment, user=request.user)
    except services.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
    node = comment.response.indicator.node
    form_url = reverse("assessment:dimension_form", args=[assessment.pk, node.parent.code])
    return redirect(f"{form_url}#indicator-{node.code}")


def _consultants_named(entry: Any) -> str:
    """The consultants a team change's history row names; "" for any other row."""
    reason = entry.history_change_reason or ""
    return reason.removeprefix(services.TEAM_CHANGE) if reason.startswith(services.TEAM_CHANGE) else ""


def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    changes = (
        Response.history.filter(assessment_id=assessment.pk)
        .select_related("history_user")
        .order_by("-history_date")[:300]
    )
    codes = dict(assessment.responses.values_list("pk", "indicator__node__code"))
    transitions = [
        (entry, _consultants_named(entry))
        for entry in assessment.history.select_related("history_user", "reviewer").order_by("-history_date")[:100]
    ]
    rows = [(change, codes.get(change.id, "")) for change in changes]
    # Evidence added and removed: a removal must stay visible to the reviewer.
    evidence_changes = (
        Evidence.history.filter(response_id__in=codes, history_type__in=("+", "-"))
        .select_related("history_user")
        .order_by("-history_date")[:300]
    )
    evidence_rows = [(change, codes.get(change.response_id, "")) for change in evidence_changes]
    return render(
        request,
        "assessment/assessment_history.html",
        {"assessment": assessment, "rows": rows, "transitions": transitions, "evidence_rows": evidence_rows},
    )
