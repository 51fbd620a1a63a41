"""Reads of blind second ratings and their agreement report (issue 20, point 2).

Who reads what: the rater reads their own rating (never the first answers
while it is open: selectors/assessments.py hides the assessment); the
agreement report is for the assessment's reviewer and administrators at
any time after submission, and for the two raters (the rater and the
assessment's consultants) once the rating is submitted.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from assessment.models import Assessment, BlindRating, Indicator, LevelDescriptor
from assessment.scoring.agreement import KAPPA_WEIGHTS, SUBSTANTIAL_AGREEMENT, GroupAgreement, agreement_by_group
from assessment.services.calibration import level_indicators


def blind_ratings_for_rater(user: AbstractBaseUser | AnonymousUser) -> QuerySet[BlindRating]:
    if not user.is_authenticated:
        return BlindRating.objects.none()
    return BlindRating.objects.filter(rater=user).select_related("assessment__city", "assessment__framework")


def open_blind_rating_count(user: AbstractBaseUser | AnonymousUser) -> int:
    """How many blind ratings wait for this consultant (asked, not yet submitted)."""
    return blind_ratings_for_rater(user).filter(status=BlindRating.Status.OPEN).count()


def blind_rating_for_rater(user: AbstractBaseUser | AnonymousUser, pk: int) -> BlindRating:
    """The user's own rating, or a 404: nobody else answers it or reads its page."""
    try:
        return blind_ratings_for_rater(user).get(pk=pk)
    except BlindRating.DoesNotExist as exc:
        raise Http404 from exc


def blind_ratings_of(assessment: Assessment) -> list[BlindRating]:
    return list(assessment.blind_ratings.select_related("rater").order_by("created_at"))


def rater_may_read_evidence(user: AbstractBaseUser | AnonymousUser, assessment_id: int) -> bool:
    """A second rater reads the assessment's evidence files: they rate from the same evidence."""
    return user.is_authenticated and BlindRating.objects.filter(rater=user, assessment_id=assessment_id).exists()


@dataclass(frozen=True)
class DifferenceRow:
    code: str
    name: str
    dimension: str
    first: int
    second: int
    first_text: str
    second_text: str


@dataclass(frozen=True)
class AgreementReport:
    rating: BlindRating
    groups: list[tuple[str, GroupAgreement]]  # (dimension label, agreement); the last is every indicator
    differences: list[DifferenceRow]
    rated_by_one_only: list[str]  # indicator codes one rater answered and the other left open or not applicable
    weights: str = KAPPA_WEIGHTS
    floor: float = SUBSTANTIAL_AGREEMENT


def agreement_report(rating: BlindRating) -> AgreementReport:
    """The two answer sets side by side: kappa per dimension and overall, and what differs."""
    indicators: list[Indicator] = level_indicators(rating.assessment)
    first = {
        response.indicator_id: (None if response.not_applicable else response.level)
        for response in rating.assessment.responses.filter(indicator__in=indicators)
    }
    second = {answer.indicator_id: answer.level for answer in rating.answers.all()}
    code_of = {indicator.pk: indicator.node.code for indicator in indicators}
    group_of = {indicator.node.code: indicator.node.parent.code for indicator in indicators}
    dimension_name = {indicator.node.parent.code: indicator.node.parent.name for indicator in indicators}
    results = agreement_by_group(
        {code_of[pk]: level for pk, level in first.items()},
        {code_of[pk]: level for pk, level in second.items() if pk in code_of},
        group_of,
        overall=_("All level indicators"),
    )
    groups = [(f"{r.group} {dimension_name[r.group]}" if r.group in dimension_name else r.group, r) for r in results]
    by_code = {indicator.node.code: indicator for indicator in indicators}
    descriptors: dict[tuple[str, int], LevelDescriptor] = {
        (indicator.node.code, descriptor.level): descriptor
        for indicator in indicators
        for descriptor in indicator.levels.all()
    }
    differences = [
        DifferenceRow(
            code=d.indicator,
            name=by_code[d.indicator].node.name,
            dimension=group_of[d.indicator],
            first=d.first,
            second=d.second,
            first_text=descriptors[(d.indicator, d.first)].text if (d.indicator, d.first) in descriptors else "",
            second_text=descriptors[(d.indicator, d.second)].text if (d.indicator, d.second) in descriptors else "",
        )
        for d in results[-1].differences
    ]
    answered_first = {code_of[pk] for pk, level in first.items() if level is not None}
    answered_second = {code_of[pk] for pk, level in second.items() if level is not None and pk in code_of}
    return AgreementReport(
        rating=rating,
        groups=groups,
        differences=differences,
        rated_by_one_only=sorted(answered_first ^ answered_second, key=list(group_of).index),
    )
