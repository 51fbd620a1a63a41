"""Demo assessments for the reference cities, made through the workflow services.

The numbers come from the latent model in latents.py; this module writes them.

Writing: one transaction per assessment. Answers are written in bulk,
each checked with ``response_clean`` and recorded in the history as the
demo consultant (measured: ``response_save`` costs about 0.75 s per
assessment, 85 s for all of them; the bulk path about 0.13 s).
``through_services=True`` writes them with ``response_save`` and
``evidence_add`` instead, and a test checks that both paths store the same
rows. Creating, starting 2025 from 2024, submitting, reviewing, approving
(which scores and stores the result) and publishing always go through the
services. Required evidence is a note (``Evidence(kind="note")``), never
a file.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.demo_accounts import demo_accounts_ensure
from assessment.answer_rules import response_clean
from assessment.demo.latents import (
    PUBLISHED_PERIODS,
    CityLatents,
    CityProfile,
    agree_with_proposal,
    city_latents,
    planned_answer,
    stream,
)
from assessment.derived_indicators import DerivedProposal, derived_proposal
from assessment.models import Assessment, AssessmentResult, Evidence, Framework, Indicator, Response
from assessment.selectors.derived import reference_date
from assessment.services import assessments as services
from assessment.services.evidence import evidence_add
from cities.models import City, RegionMembership
from cities.selectors import agreement_edges

# The framework the demo answers, and its version per period. A period published under a later version
# starts empty instead of from the previous period's answers (_published_demo), so once DSMF 1.1 ships
# (issue 20) 2025 and 2026 move to it and the city trend and the region's movers cross a version break.
FRAMEWORK_CODE = settings.DUALSPACE_DEFAULT_FRAMEWORK
VERSION_BY_PERIOD = {2024: "1.0", 2025: "1.1", 2026: "1.1"}
FRAMEWORKS = tuple((FRAMEWORK_CODE, version) for version in dict.fromkeys(VERSION_BY_PERIOD.values()))
WORKFLOW_PERIOD = 2026
# Hangzhou and both Suzhous (苏州, 宿州) are partly filled drafts; Nanjing and Hefei in review; Shanghai,
# the campaign's first city to finish, has its 2026 assessment published.
DRAFT_CITIES = ("330100", "320500", "341300")
IN_REVIEW_CITIES = ("320100", "340100")
PUBLISHED_WORKFLOW_CITIES = ("310000",)
DRAFT_SHARE = (0.7, 0.5, 0.35)
CONSULTANT, REVIEWER = "consultant", "reviewer"

EVIDENCE_NOTE = (
    "示例数据：虚构的佐证说明，不对应任何真实文件。"
    " / Demo data: an invented evidence note; no real document lies behind it."
)
REVIEW_NOTE = "示例数据：请核对该指标的数据来源。/ Demo data: please check the source of this value."


@dataclass
class DemoSummary:
    created: int = 0
    skipped: int = 0
    stages: dict[int, Counter[str]] = field(default_factory=dict)


class _Proposals:
    """Agreement proposals for one city, read once (``derived_proposal_for`` reads per answer)."""

    def __init__(self, city_code: str) -> None:
        self.city = city_code
        regions = RegionMembership.objects.filter(city_id=city_code).values_list("region_id", flat=True)
        sizes = [RegionMembership.objects.filter(region_id=region).count() - 1 for region in regions]
        self.other_members = max(sizes, default=0)
        self.edges = agreement_edges(city_codes=[city_code])

    def for_indicator(self, indicator: Indicator, period: int) -> DerivedProposal | None:
        rule = indicator.derived_from
        if not rule or rule.get("source") != "agreements":
            return None
        return derived_proposal(
            indicator_type=indicator.type,
            rule=rule,
            city=self.city,
            edges=self.edges,
            on=reference_date(period),
            other_members=self.other_members,
        )


def city_profiles(cities: Iterable[City]) -> dict[str, CityProfile]:
    cities = list(cities)
    memberships: dict[str, set[str]] = {city.code: set() for city in cities}
    for city_id, region_id in RegionMembership.objects.filter(city__in=cities).values_list("city_id", "region_id"):
        memberships[city_id].add(region_id)
    return {
        city.code: CityProfile(
            code=city.code,
            level=city.level,
            population=city.population,
            longitude=None if city.longitude is None else float(city.longitude),
            regions=frozenset(memberships[city.code]),
        )
        for city in cities
    }


def _answer(
    assessment: Assessment,
    latents: CityLatents,
    consultant: AbstractBaseUser,
    proposals: _Proposals,
    *,
    share: float = 1.0,
    through_services: bool = False,
) -> None:
    """Answer the indicators (a share of them for a draft), with evidence where required."""
    code, period = assessment.city_id, assessment.period
    responses = assessment.responses.select_related("indicator__node__parent").order_by("indicator__node__code")
    picker = stream(int(code), period, 1)
    plan = []
    for response in responses:
        if share < 1.0 and picker.random() > share:
            continue
        indicator = response.indicator
        proposal = proposals.for_indicator(indicator, period)
        planned = planned_answer(indicator, indicator.node.code, indicator.node.parent.code, latents, code, period)
        values = agree_with_proposal(indicator, planned, proposal)
        plan.append(_Planned(response, values, proposal))
    if through_services:
        _write_through_services(plan, consultant)
    else:
        _write_in_bulk(assessment, plan, consultant)


@dataclass(frozen=True)
class _Planned:
    response: Response
    values: dict[str, Any]
    proposal: DerivedProposal | None


def _write_through_services(plan: list[_Planned], consultant: AbstractBaseUser) -> None:
    for item in plan:
        response = item.response
        saved = services.response_save(
            response=response, user=consultant, values=item.values, base_version=response.version
        )
        if response.indicator.evidence_required:
            evidence_add(response=saved, user=consultant, note=EVIDENCE_NOTE)


def _write_in_bulk(assessment: Assessment, plan: list[_Planned], consultant: AbstractBaseUser) -> None:
    """What ``response_save`` and ``evidence_add`` would write, in a handful of queries.

    A demo assessment is fresh and has one editor, so the stale-save check
    has nothing to guard; every other rule is applied to every answer.
    """
    if not services.can_edit(consultant, assessment):
        raise PermissionDenied(f"The demo consultant cannot edit {assessment}.")
    now = timezone.now()
    changed, evidence = [], []
    for item in plan:
        response, indicator = item.response, item.response.indicator
        response_clean(indicator, {**services.response_values(response), **item.values})
        for name, value in item.values.items():
            setattr(response, name, value)
        if item.proposal is not None:
            response.derived_value = item.proposal.value
            response.derived_agreements = list(item.proposal.agreements)
        response.to_confirm = False
        response.version += 1
        response.updated_by = consultant
        response.updated_at = now
        changed.append(response)
        if indicator.evidence_required:
            evidence.append(
                Evidence(
                    response=response,
                    kind=Evidence.Kind.NOTE,
                    note=EVIDENCE_NOTE,
                    uploaded_by=consultant,
                )
            )
    fields = [
        *services.RESPONSE_FIELDS,
        "derived_value",
        "derived_agreements",
        "to_confirm",
        "version",
        "updated_by",
        "updated_at",
    ]
    # One small UPDATE per answer: bulk_update's CASE expressions cost more here (0.7 s, measured).
    for response in changed:
        Response.objects.filter(pk=response.pk).update(**{name: getattr(response, name) for name in fields})
    Response.history.bulk_history_create(changed, default_user=consultant, default_date=now)
    created = Evidence.objects.bulk_create(evidence)
    Evidence.history.bulk_history_create(created, default_user=consultant, default_date=now)
    Assessment.objects.filter(pk=assessment.pk).update(version=F("version") + 1, updated_at=now)


def _published_demo(city: City, period: int, framework: Framework) -> Assessment | None:
    """The demo assessment a new period starts from: the previous period's, published under the same version.

    Across a version break the new period starts empty, as a consultant's would: answers given against
    1.0's descriptors are not answers to 1.1's.
    """
    return (
        Assessment.objects.filter(
            city=city, period=period, kind=Assessment.Kind.CONSULTANT, is_demo=True, framework=framework
        )
        .standing_published()
        .first()
    )


def _publish(assessment: Assessment, consultant: AbstractBaseUser, reviewer: AbstractBaseUser) -> Assessment:
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_start_review(assessment=assessment, user=reviewer)
    services.assessment_approve(assessment=assessment, user=reviewer)
    return services.assessment_publish(assessment=assessment, user=reviewer)


def demo_users() -> tuple[AbstractBaseUser, AbstractBaseUser]:
    users = get_user_model().objects
    if users.filter(username__in=(CONSULTANT, REVIEWER)).count() < 2:
        demo_accounts_ensure(password=settings.DEMO_PASSWORD)
    return users.get(username=CONSULTANT), users.get(username=REVIEWER)


def demo_reset(*, city_codes: list[str] | None = None) -> int:
    """Delete the demo assessments (of the given cities, else all), newest revisions first."""
    demo = Assessment.objects.filter(is_demo=True)
    if city_codes:
        demo = demo.filter(city_id__in=city_codes)
    count = demo.count()
    # A revision protects the assessment it replaces, so delete the chain from its newest end.
    while demo.filter(replaced_by__isnull=True).exists():
        demo.filter(replaced_by__isnull=True).delete()
    return count


def demo_load(*, city_codes: list[str] | None = None, through_services: bool = False) -> DemoSummary:
    """Create the missing demo assessments; one already there for a city, period and kind stays."""
    frameworks = {
        period: Framework.objects.get(code=FRAMEWORK_CODE, version=version)
        for period, version in VERSION_BY_PERIOD.items()
    }
    consultant, reviewer = demo_users()
    cities = City.objects.order_by("code")
    if city_codes:
        cities = cities.filter(code__in=city_codes)
    profiles = city_profiles(cities)
    kind = Assessment.Kind.CONSULTANT
    taken = set(Assessment.objects.filter(kind=kind, city__in=cities).values_list("city_id", "period").distinct())
    summary = DemoSummary()
    for city in cities:
        latents = city_latents(profiles[city.code])
        proposals = _Proposals(city.code)
        for period in PUBLISHED_PERIODS:
            if (city.code, period) in taken:
                summary.skipped += 1
                continue
            with transaction.atomic():
                previous = _published_demo(city, period - 1, frameworks[period])
                if previous is not None:
                    assessment = services.assessment_start_from_previous(
                        previous=previous,
                        period=period,
                        consultants=[consultant],
                        reviewer=reviewer,
                    )
                else:
                    assessment = services.assessment_create(
                        city=city,
                        framework=frameworks[period],
                        period=period,
                        consultants=[consultant],
                        reviewer=reviewer,
                        kind=kind,
                        is_demo=True,
                    )
                _answer(assessment, latents, consultant, proposals, through_services=through_services)
                _publish(assessment, consultant, reviewer)
            summary.created += 1
        created, skipped = _load_workflow_examples(
            city, frameworks[WORKFLOW_PERIOD], latents, consultant, reviewer, proposals, taken, through_services
        )
        summary.created += created
        summary.skipped += skipped
    summary.stages = published_stages(city_codes=list(profiles))
    return summary


def _load_workflow_examples(
    city: City,
    framework: Framework,
    latents: CityLatents,
    consultant: AbstractBaseUser,
    reviewer: AbstractBaseUser,
    proposals: _Proposals,
    taken: set[tuple[str, int]],
    through_services: bool,
) -> tuple[int, int]:
    """A 2026 draft, an assessment in review or a published one, for the cities that show the workflow."""
    if city.code not in DRAFT_CITIES + IN_REVIEW_CITIES + PUBLISHED_WORKFLOW_CITIES:
        return 0, 0
    if (city.code, WORKFLOW_PERIOD) in taken:
        return 0, 1
    with transaction.atomic():
        previous = _published_demo(city, WORKFLOW_PERIOD - 1, framework)
        if city.code in DRAFT_CITIES or previous is None:
            assessment = services.assessment_create(
                city=city,
                framework=framework,
                period=WORKFLOW_PERIOD,
                consultants=[consultant],
                reviewer=reviewer,
                is_demo=True,
            )
        else:
            assessment = services.assessment_start_from_previous(
                previous=previous,
                period=WORKFLOW_PERIOD,
                consultants=[consultant],
                reviewer=reviewer,
            )
        if city.code in DRAFT_CITIES:
            share = DRAFT_SHARE[DRAFT_CITIES.index(city.code)]
            _answer(
                assessment,
                latents,
                consultant,
                proposals,
                share=share,
                through_services=through_services,
            )
            return 1, 0
        _answer(assessment, latents, consultant, proposals, through_services=through_services)
        if city.code in PUBLISHED_WORKFLOW_CITIES:
            _publish(assessment, consultant, reviewer)
            return 1, 0
        services.assessment_submit(assessment=assessment, user=consultant)
        services.assessment_start_review(assessment=assessment, user=reviewer)
        asked_about = (
            assessment.responses.exclude(indicator__type=Indicator.Type.LEVEL).order_by("indicator__node__code").first()
        )
        if asked_about is not None:
            services.review_comment_add(
                response=asked_about,
                user=reviewer,
                body=REVIEW_NOTE,
                returns_indicator=city.code == IN_REVIEW_CITIES[-1],
            )
    return 1, 0


def published_stages(*, city_codes: list[str]) -> dict[int, Counter[str]]:
    """Stage counts of the current published demo results, per published period."""
    stages: dict[int, Counter[str]] = {period: Counter() for period in PUBLISHED_PERIODS}
    standing = Assessment.objects.standing_published().filter(
        is_demo=True, period__in=PUBLISHED_PERIODS, city_id__in=city_codes
    )
    rows = AssessmentResult.objects.filter(assessment__in=standing).values_list("assessment__period", "stage")
    for period, stage in rows:
        stages[period][stage] += 1
    return stages
