"""Blind second ratings: requested by the reviewer, answered by a second consultant (issue 20, point 2).

The rules: the assessment's reviewer (or an administrator) asks a consultant
who is neither on the assessment's team nor its reviewer; only that rater
answers, only while the rating is open; submitting needs a level or "not
applicable" for every level indicator, and closes the rating for good.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from assessment.models import Assessment, BlindAnswer, BlindRating, Indicator
from assessment.services.assessments import can_review
from assessment.services.notifications import notify_blind_rating_asked, notify_blind_rating_submitted

NOT_APPLICABLE = "na"


def level_indicators(assessment: Assessment) -> list[Indicator]:
    """The assessment framework's level indicators in framework order: what a blind rating answers."""
    return list(
        Indicator.objects.filter(node__framework=assessment.framework_id, type=Indicator.Type.LEVEL)
        .select_related("node__parent")
        .prefetch_related("levels")
        .order_by("node__parent__parent__order", "node__parent__order", "node__order")
    )


def can_request_blind_rating(user: AbstractBaseUser, assessment: Assessment) -> bool:
    return can_review(user, assessment)


def can_read_agreement(user: AbstractBaseUser | AnonymousUser, rating: BlindRating) -> bool:
    """The agreement report opens, once submitted, to the two raters, the assessment's reviewer and its consultants."""
    if not user.is_authenticated or rating.is_open:
        return False
    if can_review(user, rating.assessment):  # type: ignore[arg-type]
        return True
    if user.pk == rating.rater_id:
        return True
    return has_role(user, Role.CONSULTANT) and rating.assessment.consultants.filter(pk=user.pk).exists()


def request_blind_rating(*, assessment: Assessment, rater: AbstractBaseUser, by: AbstractBaseUser) -> BlindRating:
    if not can_request_blind_rating(by, assessment):
        raise PermissionDenied
    if not (rater.is_active and has_role(rater, Role.CONSULTANT)):
        raise ValidationError(_("The second rater must be an active consultant."), code="not_consultant")
    if rater.pk == assessment.reviewer_id or assessment.consultants.filter(pk=rater.pk).exists():
        raise ValidationError(
            _("The second rater must not have seen the answers: choose a consultant outside the team and the review."),
            code="not_blind",
        )
    if assessment.status == Assessment.Status.PUBLISHED:
        raise ValidationError(
            _(
                "A published assessment's levels are open to every signed-in reader: "
                "a blind rating needs one not yet published."
            ),
            code="published",
        )
    if not level_indicators(assessment):
        raise ValidationError(_("This framework version has no level indicators to rate."), code="no_levels")
    try:
        with transaction.atomic():
            rating = BlindRating.objects.create(assessment=assessment, rater=rater, requested_by=by)
    except IntegrityError as exc:
        raise ValidationError(
            _("This consultant has already been asked to rate this assessment."), code="twice"
        ) from exc
    notify_blind_rating_asked(rating)
    return rating


def parse_blind_level(text: str) -> tuple[int | None, bool]:
    """The form's choice as (level, not applicable): "" is not answered yet, "na" not applicable, "0"-"5" a level."""
    if text == "":
        return None, False
    if text == NOT_APPLICABLE:
        return None, True
    if text.isdigit() and 0 <= int(text) <= 5:
        return int(text), False
    raise ValidationError(_("“%(value)s” is not a level from 0 to 5.") % {"value": text[:20]}, code="level")


def save_blind_answers(
    *, rating: BlindRating, by: AbstractBaseUser, choices: dict[int, str], submit: bool = False
) -> list[str]:
    """Store the rater's choices (indicator id -> "", "na" or "0"-"5"); on submit, close the rating.

    Returns the codes of indicators still without an answer. A submission with
    any left is refused (ValidationError naming them) and stores nothing, so
    the rater's page shows the same choices again.
    """
    if by.pk != rating.rater_id:
        raise PermissionDenied
    indicators = {indicator.pk: indicator for indicator in level_indicators(rating.assessment)}
    parsed: dict[int, tuple[int | None, bool]] = {}
    for indicator_id, text in choices.items():
        if indicator_id not in indicators:
            continue
        try:
            parsed[indicator_id] = parse_blind_level(text)
        except ValidationError as exc:
            code = indicators[indicator_id].node.code
            raise ValidationError(_("%(code)s: %(problem)s") % {"code": code, "problem": exc.messages[0]}) from exc
    with transaction.atomic():
        locked = BlindRating.objects.select_for_update().get(pk=rating.pk)
        if not locked.is_open:
            raise ValidationError(_("This rating has been submitted and can no longer change."), code="closed")
        stored = {answer.indicator_id: answer for answer in locked.answers.all()}
        for indicator_id, (level, not_applicable) in parsed.items():
            answer = stored.get(indicator_id) or BlindAnswer(rating=locked, indicator_id=indicator_id)
            answer.level, answer.not_applicable = level, not_applicable
            answer.save()
            stored[indicator_id] = answer
        missing = [
            indicator.node.code
            for indicator_id, indicator in indicators.items()
            if indicator_id not in stored
            or (stored[indicator_id].level is None and not stored[indicator_id].not_applicable)
        ]
        if submit:
            if missing:
                raise ValidationError(
                    _("Rate every indicator before submitting; still open: %(codes)s.") % {"codes": ", ".join(missing)},
                    code="incomplete",
                )
            locked.status = BlindRating.Status.SUBMITTED
            locked.submitted_at = timezone.now()
            locked.save(update_fields=["status", "submitted_at"])
            rating.status, rating.submitted_at = locked.status, locked.submitted_at
            # Only who may open the report now: a reviewer replaced since asking, or a consultant without the
            # role, is not told (the link would be a 404).
            assessment = locked.assessment
            candidates = [locked.requested_by, assessment.reviewer, *assessment.consultants.all()]
            notify_blind_rating_submitted(
                locked, [user for user in candidates if user is not None and can_read_agreement(user, locked)]
            )
    return missing
