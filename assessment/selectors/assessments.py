"""Reads of assessments, always through the visibility rules of the roles.

consultants: their assignments · reviewers: their reviews · city managers:
published results of their cities · stakeholders: no assessment (they read
published reports) · administrators: everything.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.roles import Role, has_role, user_roles
from assessment.models import (
    Assessment,
    BlindRating,
    FrameworkNode,
    Indicator,
    LevelDescriptor,
    Response,
    ReviewComment,
)
from cities.models import City


def assessments_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related("city__province", "framework", "reviewer")
    if not user.is_authenticated:
        return assessments.none()
    if has_role(user, Role.ADMINISTRATOR):
        return assessments
    roles = user_roles(user)
    visible = Q(pk__in=[])
    if Role.CONSULTANT in roles:
        visible |= Q(consultants=user)
    if Role.REVIEWER in roles:
        visible |= Q(reviewer=user)
    if Role.CITY_MANAGER in roles:
        visible |= Q(status=Assessment.Status.PUBLISHED, city__managers=user)
    # A blind second rater must not see the answers they are rating (selectors/calibration.py).
    blind = BlindRating.objects.filter(rater=user, status=BlindRating.Status.OPEN).values("assessment_id")
    return assessments.filter(visible).exclude(pk__in=blind).distinct()


def assessment_for(user: AbstractBaseUser | AnonymousUser, pk: int) -> Assessment:
    """The assessment if the user may see it; Assessment.DoesNotExist otherwise (a 404, never data)."""
    return assessments_visible_to(user).get(pk=pk)


def previous_assessment_to_copy(
    user: AbstractBaseUser | AnonymousUser, *, city: City, kind: str, period: int
) -> Assessment | None:
    """The earlier assessment a new period may start from, or None.

    Only what the user may read: a standing published result (shared with every
    signed-in user) or an assessment of their own team. Another team's draft of
    the city must never be copied, nor its existence betrayed: the caller gets
    the same None whether there is no earlier assessment or only one it may not read.
    Of several, the newest period wins and, within it, the standing published result.
    """
    from assessment.selectors.results import published_results_visible_to

    earlier = {"city": city, "kind": kind, "period__lt": period}
    candidates = list(assessments_visible_to(user).filter(**earlier)) + list(
        published_results_visible_to(user).filter(**earlier)
    )
    if not candidates:
        return None
    standing = {assessment.pk for assessment in published_results_visible_to(user).filter(**earlier)}
    return max(candidates, key=lambda a: (a.period, a.pk in standing, a.revision))


@dataclass(frozen=True)
class DimensionProgress:
    node: FrameworkNode
    answered: int
    total: int
    # Answered, but lacking the evidence their indicator requires: submission waits for them too.
    needs_evidence: int = 0

    @property
    def complete(self) -> int:
        return self.answered - self.needs_evidence

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 100


def assessment_dimensions(assessment: Assessment) -> list[DimensionProgress]:
    """Each dimension (parent of indicators), its indicators answered, and how many of those lack evidence."""
    return dimensions_by_assessment([assessment.pk]).get(assessment.pk, [])


def dimensions_by_assessment(assessment_ids: list[int]) -> dict[int, list[DimensionProgress]]:
    """`assessment_dimensions` of several assessments (a campaign's board) in two queries."""
    responses = (
        Response.objects.filter(assessment_id__in=assessment_ids)
        .select_related("indicator__node__parent")
        .only(
            "assessment_id",
            "level",
            "value",
            "not_applicable",
            "indicator__type",
            "indicator__evidence_required",
            "indicator__node__parent__id",
        )
        .annotate(evidence_count=Count("evidence"))
    )
    counts: dict[int, dict[int, list[int]]] = {}
    for response in responses:
        parent_id = response.indicator.node.parent_id
        tally = counts.setdefault(response.assessment_id, {}).setdefault(parent_id, [0, 0, 0])
        tally[1] += 1
        tally[0] += int(response.is_answered)
        # The rule of services.assessments.missing_answers, counted here.
        tally[2] += int(
            response.is_answered
            and response.indicator.evidence_required
            and not response.not_applicable
            and not response.evidence_count
        )
    parents = {pk for tallies in counts.values() for pk in tallies}
    dimensions = list(FrameworkNode.objects.filter(pk__in=parents).order_by("parent__order", "order"))
    return {
        assessment_id: [DimensionProgress(node, *tallies[node.pk]) for node in dimensions if node.pk in tallies]
        for assessment_id, tallies in counts.items()
    }


def open_returns_by_assessment(assessment_ids: list[int]) -> dict[int, int]:
    """How many indicators of each assessment are returned and not yet resolved (`open_returned_indicators`)."""
    return dict(
        Response.objects.filter(
            assessment_id__in=assessment_ids, comments__returns_indicator=True, comments__resolved=False
        )
        .values("assessment_id")
        .annotate(returned=Count("pk", distinct=True))
        .values_list("assessment_id", "returned")
    )


def dimension_responses(assessment: Assessment, dimension: FrameworkNode) -> list[Response]:
    return list(
        assessment.responses.filter(indicator__node__parent=dimension)
        .select_related("indicator__node", "updated_by")
        .prefetch_related(
            Prefetch("indicator__levels", queryset=LevelDescriptor.objects.order_by("level")),
            "evidence",
            Prefetch("comments", queryset=ReviewComment.objects.select_related("author").order_by("created_at")),
        )
        .order_by("indicator__node__order")
    )


def open_returned_indicators(assessment: Assessment) -> QuerySet[Response]:
    return (
        assessment.responses.filter(comments__returns_indicator=True, comments__resolved=False)
        .select_related("indicator__node")
        .annotate(open_returns=Count("comments"))
        .distinct()
    )


@dataclass(frozen=True)
class GapStep:
    code: str
    name: str
    unit: str
    from_raw: float | None
    to_raw: float
    critical_floor: bool
    indicator: Indicator | None = None  # to print the answers as an answer to it reads (level, unit)


def gap_steps(assessment: Assessment) -> list[GapStep]:
    """The stored gap to the next stage, with each indicator's name and unit."""
    result = getattr(assessment, "result", None)
    improvements = (result.gap or {}).get("improvements", []) if result else []
    codes = [step["indicator"] for step in improvements]
    nodes = {
        node.code: node
        for node in FrameworkNode.objects.filter(framework=assessment.framework, code__in=codes).select_related(
            "indicator"
        )
    }
    steps = []
    for step in improvements:
        node = nodes.get(step["indicator"])
        indicator = getattr(node, "indicator", None)
        steps.append(
            GapStep(
                code=step["indicator"],
                name=node.name if node else "",
                unit=indicator.unit if indicator and indicator.type != "level" else "",
                from_raw=step["from_raw"],
                to_raw=step["to_raw"],
                critical_floor=step["reason"] == "critical_floor",
                indicator=indicator,
            )
        )
    return steps
