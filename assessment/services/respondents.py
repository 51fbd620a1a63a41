"""City respondents' self-submission and the consultant's verification (issue 21, point 2).

A respondent answers their city's indicators (those in their scope) in an
assessment still in draft or returned; the answer is kept in the response's
``self_*`` fields and never touches the verified answer, which is the
consultant's and is what scores. The consultant then verifies each submitted
answer: *accept* copies the city's answer into the verified one (through the
ordinary save, so a concurrent edit is refused, not overwritten); *adjust*
keeps the consultant's own answer and records why it differs. A new
self-submission reopens the verification.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from assessment.answer_rules import response_clean
from assessment.models import Assessment, CityRespondent, Indicator, Response
from assessment.services.assessments import can_edit, response_save


def respondent_assessments(user: AbstractBaseUser) -> QuerySet[Assessment]:
    """The open consultant assessments of the cities this user answers for (administrators: all open ones)."""
    open_ones = Assessment.objects.filter(
        kind=Assessment.Kind.CONSULTANT, status__in=Assessment.EDITABLE_STATUSES
    ).select_related("city", "framework", "campaign")
    if has_role(user, Role.ADMINISTRATOR):
        return open_ones
    if not has_role(user, Role.RESPONDENT):
        return open_ones.none()
    return open_ones.filter(city__respondents__user=user).distinct()


def _scope(user: AbstractBaseUser, assessment: Assessment) -> CityRespondent | None:
    return CityRespondent.objects.filter(user=user, city_id=assessment.city_id).first()


def respondent_responses(user: AbstractBaseUser, assessment: Assessment) -> list[Response]:
    """The responses this user answers for in the assessment: their scope's, in framework order."""
    responses = list(
        assessment.responses.select_related("indicator__node__parent", "self_by")
        .prefetch_related("evidence", "indicator__levels")
        # The framework's order: dimension by dimension, as the consultant's pages go.
        .order_by("indicator__node__parent__parent__order", "indicator__node__parent__order", "indicator__node__order")
    )
    if has_role(user, Role.ADMINISTRATOR):
        return responses
    scope = _scope(user, assessment)
    if scope is None:
        return []
    return [r for r in responses if scope.covers(r.indicator.node.code, r.indicator.node.parent.code)]


def can_respond(user: AbstractBaseUser, response: Response) -> bool:
    """A respondent of the response's city, within their scope, while the assessment is open."""
    assessment = response.assessment
    if not assessment.is_editable or assessment.kind != Assessment.Kind.CONSULTANT:
        return False
    if has_role(user, Role.ADMINISTRATOR):
        return True
    if not has_role(user, Role.RESPONDENT):
        return False
    scope = _scope(user, assessment)
    node = response.indicator.node
    return scope is not None and scope.covers(node.code, node.parent.code if node.parent else "")


def response_self_submit(*, response: Response, user: AbstractBaseUser, values: dict[str, Any]) -> Response:
    """Keep the city's own answer (level or value, and its source); checked like any answer, verified later."""
    if not can_respond(user, response):
        raise PermissionDenied(_("You do not answer this indicator for this city, or the assessment is closed."))
    level, value = values.get("level"), values.get("value")
    if level is None and value is None:
        raise ValidationError(_("Give a level or a value."))
    # The rules of the indicator (level 0-5, a finite number in the plausible range, a yes/no as 1 or 0).
    response_clean(response.indicator, {"level": level, "value": value, "unit": ""})
    Response.objects.filter(pk=response.pk).update(
        self_level=level if response.indicator.type == Indicator.Type.LEVEL else None,
        self_value=value if response.indicator.type != Indicator.Type.LEVEL else None,
        self_source=str(values.get("source") or "")[:500],
        self_by=user,
        self_at=timezone.now(),
        # A new answer from the city is not verified yet.
        verification="",
        verification_reason="",
    )
    response.refresh_from_db()
    return response


def response_verify(*, response: Response, user: AbstractBaseUser, action: str, reason: str = "") -> Response:
    """The consultant accepts the city's answer (it becomes the verified one) or adjusts, saying why."""
    if not can_edit(user, response.assessment):
        raise PermissionDenied(_("Only the assessment's consultants verify the city's answers."))
    if response.self_at is None:
        raise ValidationError(_("The city has not submitted this answer."))
    if action == "accept":
        values = {"level": response.self_level, "value": response.self_value}
        if response.self_source:
            values["source"] = response.self_source
        response = response_save(response=response, user=user, values=values, base_version=response.version)
        Response.objects.filter(pk=response.pk).update(verification="accepted", verification_reason="")
    elif action == "adjust":
        if not reason.strip():
            raise ValidationError(_("Say why the verified answer differs from the city's."))
        Response.objects.filter(pk=response.pk).update(verification="adjusted", verification_reason=reason.strip())
    else:
        raise ValidationError(_("Accept the city's answer, or adjust it with a reason."))
    response.refresh_from_db()
    return response


def self_versus_verified(assessment: Assessment) -> list[dict[str, Any]]:
    """Each answer the city submitted, beside the verified one, with the difference and the verification."""
    rows = []
    for response in (
        assessment.responses.filter(self_at__isnull=False)
        .select_related("indicator__node", "self_by")
        .order_by("indicator__node__parent__order", "indicator__node__order")
    ):
        level = response.indicator.type == Indicator.Type.LEVEL
        city = response.self_level if level else response.self_value
        verified = response.level if level else response.value
        rows.append(
            {
                "response": response,
                "code": response.indicator.node.code,
                "name": response.indicator.node.name,
                "city": city,
                "verified": verified,
                "difference": (verified - city) if city is not None and verified is not None else None,
                "verification": response.get_verification_display() if response.verification else "",
                "reason": response.verification_reason,
            }
        )
    return rows
