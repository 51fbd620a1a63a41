"""Writes of assessments: create, answer, submit, review, approve, publish, revise.

Every rule of the workflow lives here, so the form pages, the workbook
upload, the demo loader and the API all obey the same ones; the rules one
answer must follow, which the workbook's check step also applies before
anything is written, are in `assessment/answer_rules.py`.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import AuditEvent
from accounts.roles import Role, has_role
from assessment.answer_rules import derived_override_missing, response_clean
from assessment.framework.document import is_finite_number, plain_number_text
from assessment.models import (
    Assessment,
    Campaign,
    Evidence,
    FlagAcceptance,
    Framework,
    Indicator,
    Response,
    ReviewComment,
)
from assessment.services.notifications import notify_assigned, notify_returned
from cities.models import City

# Fields a consultant writes on a response, in the order forms show them.
RESPONSE_FIELDS = (
    "level",
    "value",
    "unit",
    "value_year",
    "source",
    "quality",
    "confidence",
    "comment",
    "not_applicable",
    "not_applicable_reason",
    "derived_override_reason",
    "plausibility_override_reason",
)


class WorkflowError(ValidationError):
    """The action does not fit the assessment's state; the message says why."""


class MissingAnswersError(WorkflowError):
    """Submission refused: ``blocking`` lists every response that needs an answer or evidence."""

    def __init__(self, message: str, blocking: list[Response]) -> None:
        super().__init__(message)
        self.blocking = blocking


@dataclass
class StaleSaveError(Exception):
    """Someone saved this response since the user loaded it; nothing was written."""

    response: Response
    theirs: dict[str, Any]
    yours: dict[str, Any]
    by: str

    def __str__(self) -> str:
        return _("%(who)s changed this answer after you opened it; your change was not saved.") % {"who": self.by}


def assessment_create(
    *,
    city: City,
    framework: Framework,
    period: int,
    consultants: list[AbstractBaseUser],
    reviewer: AbstractBaseUser | None = None,
    kind: str = Assessment.Kind.CONSULTANT,
    is_demo: bool = False,
    campaign: Campaign | None = None,
    deadline: date | None = None,
) -> Assessment:
    """Open a draft with one empty response per indicator of the framework version."""
    if framework.status != Framework.Status.PUBLISHED:
        raise WorkflowError(_("Assessments use a published framework version."))
    with transaction.atomic():
        assessment = Assessment.objects.create(
            city=city,
            framework=framework,
            period=period,
            kind=kind,
            reviewer=reviewer,
            is_demo=is_demo,
            campaign=campaign,
            deadline=deadline,
        )
        assessment.consultants.set(consultants)
        if not is_demo:
            notify_assigned(assessment, [*consultants, reviewer])
        indicators = Indicator.objects.filter(node__framework=framework)
        Response.objects.bulk_create(
            Response(assessment=assessment, indicator=indicator, unit=indicator.unit_zh) for indicator in indicators
        )
    return assessment


def assessment_start_from_previous(
    *, previous: Assessment, period: int, consultants: list[AbstractBaseUser], reviewer: AbstractBaseUser | None = None
) -> Assessment:
    """A new period that starts from the previous answers, each marked “to confirm”."""
    assessment = assessment_create(
        city=previous.city,
        framework=previous.framework,
        period=period,
        consultants=consultants,
        reviewer=reviewer,
        kind=previous.kind,
        is_demo=previous.is_demo,
    )
    _copy_answers(source=previous, target=assessment, to_confirm=True)
    return assessment


def _copy_answers(*, source: Assessment, target: Assessment, to_confirm: bool) -> None:
    earlier = {r.indicator_id: response_values(r) for r in source.responses.all()}
    # One small UPDATE per answer: bulk_update's CASE expressions cost more for ~50 rows x 10 fields.
    for response_id, indicator_id in target.responses.values_list("pk", "indicator_id"):
        if indicator_id in earlier:
            Response.objects.filter(pk=response_id).update(**earlier[indicator_id], to_confirm=to_confirm)


def can_edit(user: AbstractBaseUser, assessment: Assessment) -> bool:
    if not assessment.is_editable:
        return False
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.CONSULTANT) and assessment.consultants.filter(pk=user.pk).exists()


def can_review(user: AbstractBaseUser, assessment: Assessment) -> bool:
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.REVIEWER) and assessment.reviewer_id == user.pk


def response_values(response: Response) -> dict[str, Any]:
    return {name: getattr(response, name) for name in RESPONSE_FIELDS}


def goalpost_warning(
    indicator: Indicator, value: float | None, *, normalisation: str = Framework.Normalisation.GOALPOSTS
) -> str:
    """Say that a value beyond a goalpost scores as the goalpost does; "" when there is nothing to say.

    Not a refusal: such a value is plausible (far-off ones are refused by
    response_clean), but the consultant should know it earns no more than the goalpost.
    """
    if (
        value is None
        or not is_finite_number(value)
        or normalisation != Framework.Normalisation.GOALPOSTS
        or indicator.type not in (Indicator.Type.QUANTITATIVE, Indicator.Type.COUNT)
        or indicator.lower is None
        or indicator.upper is None
    ):
        return ""
    higher_is_better = indicator.direction >= 0
    if value > indicator.upper:
        return _("Above the upper goalpost (%(goalpost)s): it scores as %(score)d.") % {
            "goalpost": plain_number_text(indicator.upper),
            "score": 100 if higher_is_better else 0,
        }
    if value < indicator.lower:
        return _("Below the lower goalpost (%(goalpost)s): it scores as %(score)d.") % {
            "goalpost": plain_number_text(indicator.lower),
            "score": 0 if higher_is_better else 100,
        }
    return ""


def response_save(*, response: Response, user: AbstractBaseUser, values: dict[str, Any], base_version: int) -> Response:
    """Save one answer unless someone saved it since ``base_version``; never overwrite silently."""
    values = {name: values[name] for name in RESPONSE_FIELDS if name in values}
    with transaction.atomic():
        # Lock only the response row: PostgreSQL refuses FOR UPDATE on the
        # nullable side of the outer join to updated_by.
        current = (
            Response.objects.select_for_update(of=("self",))
            .select_related("assessment", "indicator", "updated_by")
            .get(pk=response.pk)
        )
        assessment = current.assessment
        if not can_edit(user, assessment):
            raise PermissionDenied(_("You cannot change this assessment in its current state."))
        if current.version != base_version:
            who = current.updated_by.get_username() if current.updated_by else _("someone")
            raise StaleSaveError(current, response_values(current), values, who)
        response_clean(current.indicator, {**response_values(current), **values})
        if "value" in values and values["value"] != current.value:
            # Typed by hand now: the imported file no longer stands behind the value.
            current.imported_from, current.imported_at = "", None
        for name, value in values.items():
            setattr(current, name, value)
        _check_against_agreements(current)
        if not current.indicator.type == Indicator.Type.LEVEL and not current.unit:
            current.unit = current.indicator.unit_zh
        current.to_confirm = False
        current.version += 1
        current.updated_by = user
        current.save()
        Assessment.objects.filter(pk=assessment.pk).update(version=F("version") + 1, updated_at=timezone.now())
    return current


def _check_against_agreements(response: Response) -> None:
    """Record what the agreements propose; an answer that differs needs a kept justification."""
    from assessment.selectors.derived import derived_proposal_for

    proposal = derived_proposal_for(response)
    if proposal is None:
        return
    response.derived_value = proposal.value
    response.derived_agreements = list(proposal.agreements)
    if derived_override_missing(proposal.value, response.raw_value, response.derived_override_reason):
        raise ValidationError(
            {
                "derived_override_reason": _("The recorded agreements propose %(value)s; say why your answer differs.")
                % {"value": plain_number_text(proposal.value)}
            }
        )


def missing_answers(assessment: Assessment) -> list[Response]:
    """Responses that block submission: unanswered, or lacking required evidence."""
    blocking = []
    responses = assessment.responses.select_related("indicator__node__parent__parent").prefetch_related("evidence")
    for response in responses:
        if not response.is_answered:
            blocking.append(response)
        elif response.indicator.evidence_required and not response.not_applicable and not response.evidence.all():
            blocking.append(response)
    return blocking


def _refuse_non_finite_values(assessment: Assessment) -> None:
    """A value stored before inf and NaN were refused cannot be scored: name its indicator instead of failing."""
    stored = assessment.responses.values_list("indicator__node__code", "value").order_by("indicator__node__code")
    codes = [code for code, value in stored if value is not None and not is_finite_number(value)]
    if codes:
        raise WorkflowError(
            _(
                "The value of %(codes)s is not a finite number (inf or nan) and cannot be scored; "
                "the consultant must correct it before the assessment is approved."
            )
            % {"codes": ", ".join(codes)}
        )


def _transition(
    assessment: Assessment, user: AbstractBaseUser, allowed: tuple[str, ...], target: str, **stamps: Any
) -> Assessment:
    """Move the assessment from one of ``allowed`` to ``target``, and record who did (history and audit log)."""
    before = Assessment.objects.filter(pk=assessment.pk).values_list("status", flat=True).first()
    updated = Assessment.objects.filter(pk=assessment.pk, status__in=allowed).update(
        status=target, version=F("version") + 1, **stamps
    )
    if not updated:
        assessment.refresh_from_db()
        raise WorkflowError(
            _("This assessment is %(status)s; the action is not possible now.")
            % {"status": assessment.get_status_display()}
        )
    assessment.refresh_from_db()
    # Record the transition in the history with who did it.
    assessment.save(update_fields=["updated_at"])
    # In the caller's transaction: an approval whose scoring fails leaves no record of a change that did not happen.
    record(AuditEvent.ASSESSMENT_STATE_CHANGED, actor=user, target=assessment, **{"from": before, "to": target})
    return assessment


def assessment_submit(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    if not can_edit(user, assessment):
        raise PermissionDenied(_("Only the assigned consultants submit an assessment."))
    blocking = missing_answers(assessment)
    if blocking:
        # Every code: the assessment page lists each one as a link (see MissingAnswersError).
        raise MissingAnswersError(
            _("%(count)d indicator(s) still need an answer or evidence: %(codes)s")
            % {"count": len(blocking), "codes": ", ".join(r.indicator.node.code for r in blocking)},
            blocking,
        )
    _refuse_non_finite_values(assessment)
    return _transition(
        assessment, user, Assessment.EDITABLE_STATUSES, Assessment.Status.SUBMITTED, submitted_at=timezone.now()
    )


def assessment_start_review(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    if not can_review(user, assessment):
        raise PermissionDenied(_("Only the assigned reviewer reviews this assessment."))
    return _transition(assessment, user, (Assessment.Status.SUBMITTED,), Assessment.Status.IN_REVIEW)


def can_read_comments(user: AbstractBaseUser, assessment: Assessment) -> bool:
    """Review comments are the team's working notes: its consultants, its reviewer, administrators.

    A city manager reads the published answers and evidence of their city, not
    the exchange between consultant and reviewer that led to them.
    """
    return can_review(user, assessment) or assessment.consultants.filter(pk=user.pk).exists()


def _refuse_if_frozen(assessment: Assessment) -> None:
    if assessment.is_frozen:
        raise WorkflowError(
            _(
                "The assessment is %(status)s: its answers and comments no longer change. "
                "Start a correction to change it."
            )
            % {"status": assessment.get_status_display()}
        )


def review_comment_add(
    *,
    response: Response,
    user: AbstractBaseUser,
    body: str,
    returns_indicator: bool = False,
    parent: ReviewComment | None = None,
) -> ReviewComment:
    assessment = response.assessment
    reviewer = can_review(user, assessment)
    if not reviewer and not assessment.consultants.filter(pk=user.pk).exists():
        raise PermissionDenied(_("Only the assessment's consultants and reviewer comment on it."))
    _refuse_if_frozen(assessment)
    if returns_indicator and not reviewer:
        raise PermissionDenied(_("Only the reviewer returns an indicator."))
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    return ReviewComment.objects.create(
        response=response, author=user, body=body.strip(), returns_indicator=returns_indicator, parent=parent
    )


def review_comment_resolve(*, comment: ReviewComment, user: AbstractBaseUser) -> ReviewComment:
    assessment = comment.response.assessment
    if not (can_review(user, assessment) or comment.author_id == user.pk):
        raise PermissionDenied(_("Only the reviewer or the comment's author resolves it."))
    _refuse_if_frozen(assessment)
    comment.resolved = True
    comment.resolved_by = user
    comment.resolved_at = timezone.now()
    comment.save()
    return comment


def assessment_return(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    if not can_review(user, assessment):
        raise PermissionDenied(_("Only the assigned reviewer returns this assessment."))
    open_returns = ReviewComment.objects.filter(
        response__assessment=assessment, returns_indicator=True, resolved=False
    ).exists()
    if not open_returns:
        raise WorkflowError(_("Return at least one indicator with a comment before returning the assessment."))
    with transaction.atomic():
        returned = _transition(
            assessment, user, (Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW), Assessment.Status.RETURNED
        )
        notify_returned(returned)
    return returned


def assessment_approve(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    """Approve, score, store the result and freeze the responses, in one transaction."""
    from assessment.services.results import assessment_result_store

    if not can_review(user, assessment):
        raise PermissionDenied(_("Only the assigned reviewer approves this assessment."))
    _refuse_non_finite_values(assessment)
    with transaction.atomic():
        assessment = _transition(
            assessment,
            user,
            (Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW),
            Assessment.Status.APPROVED,
            approved_at=timezone.now(),
        )
        assessment_result_store(assessment=assessment)
    return assessment


def assessment_publish(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    if not (can_review(user, assessment) or has_role(user, Role.ADMINISTRATOR)):
        raise PermissionDenied(_("Only the reviewer or an administrator publishes an assessment."))
    return _transition(
        assessment, user, (Assessment.Status.APPROVED,), Assessment.Status.PUBLISHED, published_at=timezone.now()
    )


TEAM_CHANGE = "team: "  # how a team change's history row begins its change reason


def team_signature(assessment: Assessment) -> str:
    """The team as a short text (reviewer, then consultants), to tell whether it changed since a form was opened."""
    consultants = sorted(assessment.consultants.values_list("pk", flat=True))
    return f"{assessment.reviewer_id}:{','.join(map(str, consultants))}"


def can_change_team(user: AbstractBaseUser, assessment: Assessment) -> bool:
    """The assessment's reviewer or an administrator, until it is published (then a revision has its own team)."""
    return assessment.status != Assessment.Status.PUBLISHED and can_review(user, assessment)


def assessment_team_set(
    *,
    assessment: Assessment,
    user: AbstractBaseUser,
    consultants: list[AbstractBaseUser],
    reviewer: AbstractBaseUser,
    team_when_opened: str | None = None,
) -> Assessment:
    """Hand the assessment to other consultants or another reviewer: someone left, or fell ill.

    The answers, evidence and comments stay as they are, with their authors.
    The assessment's history records who changed the team, the reviewer and
    the consultants' names. ``team_when_opened`` is the `team_signature` the form was opened on: if
    someone changed the team since, the change is refused rather than
    silently replacing theirs. (Answers saved meanwhile do not count.)
    """
    if not consultants:
        raise ValidationError(_("An assessment needs at least one consultant."))
    if not all(has_role(person, Role.CONSULTANT) for person in consultants):
        raise ValidationError(_("Every consultant of an assessment must have the consultant role."))
    if not has_role(reviewer, Role.REVIEWER):
        raise ValidationError(_("The reviewer must have the reviewer role."))
    with transaction.atomic():
        # Locked, so a publication cannot slip in between the check and the change.
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not can_change_team(user, locked):
            raise PermissionDenied(_("Only the reviewer or an administrator changes the team, before publication."))
        if team_when_opened is not None and team_when_opened != team_signature(locked):
            raise ValidationError(
                _("Someone changed the team after you opened this page. Reload it to see the current team.")
            )
        newcomers = [p for p in consultants if not locked.consultants.filter(pk=p.pk).exists()]
        if reviewer.pk != locked.reviewer_id:
            newcomers.append(reviewer)
        locked.consultants.set(consultants)
        locked.reviewer = reviewer
        locked._history_user = user
        # The history keeps fields, not the consultants (a many-to-many): their names go in
        # the row's change reason, which the history page shows. The column holds 100 characters.
        names = ", ".join(sorted(person.get_username() for person in consultants))
        locked._change_reason = (TEAM_CHANGE + names)[:100]
        locked.save(update_fields=["reviewer", "updated_at"])
        notify_assigned(locked, newcomers)
    return locked


def assessment_revise(*, assessment: Assessment, user: AbstractBaseUser) -> Assessment:
    """Start a correction of a published assessment as a new revision; the original stays."""
    if not (can_review(user, assessment) or has_role(user, Role.ADMINISTRATOR)):
        raise PermissionDenied(_("Only the reviewer or an administrator starts a revision."))
    if assessment.status != Assessment.Status.PUBLISHED:
        raise WorkflowError(_("Only a published assessment is corrected by a revision."))
    if hasattr(assessment, "replaced_by"):
        raise WorkflowError(_("This assessment already has a revision."))
    with transaction.atomic():
        revision = Assessment.objects.create(
            city=assessment.city,
            framework=assessment.framework,
            period=assessment.period,
            kind=assessment.kind,
            reviewer=assessment.reviewer,
            revision=assessment.revision + 1,
            replaces=assessment,
            is_demo=assessment.is_demo,
        )
        revision.consultants.set(assessment.consultants.all())
        Response.objects.bulk_create(
            Response(assessment=revision, indicator=r.indicator, **response_values(r))
            for r in assessment.responses.select_related("indicator")
        )
        _copy_evidence(source=assessment, target=revision, user=user)
        # The revision is the new draft; the record names the published assessment it corrects.
        record(
            AuditEvent.ASSESSMENT_STATE_CHANGED,
            actor=user,
            target=revision,
            replaces=assessment.pk,
            **{"from": assessment.status, "to": revision.status},
        )
    return revision


def _copy_evidence(*, source: Assessment, target: Assessment, user: AbstractBaseUser) -> None:
    """A correction keeps the evidence behind its answers: it is the same period, and without it
    the revision could not be submitted until every required document was uploaded again.

    Files are shared, not copied: the new rows name the same stored file, and `evidence_remove`
    deletes the bytes only when no row names them any more, so the published original keeps its files.
    """
    new_response = dict(target.responses.values_list("indicator_id", "pk"))
    for evidence in Evidence.objects.filter(response__assessment=source).select_related("response").order_by("pk"):
        copy = Evidence(
            response_id=new_response[evidence.response.indicator_id],
            kind=evidence.kind,
            file=evidence.file.name,
            original_name=evidence.original_name,
            content_type=evidence.content_type,
            size=evidence.size,
            url=evidence.url,
            note=evidence.note,
            uploaded_by_id=evidence.uploaded_by_id,
        )
        copy._history_user = user  # the history says who carried it over, and when
        copy.save()


def flag_accept(*, response: Response, kind: str, reason: str, user: AbstractBaseUser) -> FlagAcceptance:
    """The reviewer keeps a flagged answer as it is and says why (for its current value)."""
    assessment = response.assessment
    if not can_review(user, assessment):
        raise PermissionDenied(_("Only the assigned reviewer accepts a flagged answer."))
    _refuse_if_frozen(assessment)
    if kind not in FlagAcceptance.Kind.values:
        raise ValidationError(_("There is no such flag."))
    if not reason.strip():
        raise ValidationError(_("Say why the answer stands."))
    acceptance, _created = FlagAcceptance.objects.update_or_create(
        response=response,
        kind=kind,
        value=response.value,
        defaults={"reason": reason.strip(), "accepted_by": user},
    )
    return acceptance
