"""Open a campaign: one consultant assessment per city for a period, with its team and deadline, at once.

Re-runnable: opening a region's campaign again finds the campaign and every
assessment it already has, and creates only what is missing (a city that
joined the region since, say). A city that already has a consultant
assessment for the period (opened by hand before the campaign) joins the
campaign as it is, team and answers untouched, unless another campaign holds it.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from assessment.models import Assessment, Campaign, Framework
from assessment.services.assessments import assessment_create
from cities.models import City, Region


@dataclass
class CampaignOpening:
    """What opening did: the campaign, and per city whether its assessment was created, joined or already there."""

    campaign: Campaign
    campaign_created: bool
    created: list[Assessment] = field(default_factory=list)
    joined: list[Assessment] = field(default_factory=list)
    already: list[Assessment] = field(default_factory=list)
    held_elsewhere: list[Assessment] = field(default_factory=list)


def campaign_name(*, region: Region | None, cities: list[City], period: int, framework: Framework) -> str:
    """The campaign's name as people say it: "G60 2026 · DSMF 1.0", or the first cities' names for a list."""
    if region is not None:
        where = region.code
    else:
        where = "、".join(city.name_zh for city in cities[:3]) + ("…" if len(cities) > 3 else "")
    return f"{where} {period} · {framework.code} {framework.version}"


def campaign_open(
    *,
    user: AbstractBaseUser | None,
    framework: Framework,
    period: int,
    reviewer: AbstractBaseUser,
    consultants: list[AbstractBaseUser],
    region: Region | None = None,
    cities: list[City] | None = None,
    deadline: date | None = None,
) -> CampaignOpening:
    """Open (or complete) the campaign of ``region`` (all its member cities) or of ``cities``, for ``period``.

    ``user`` is who opens it (a reviewer or an administrator; None for a command run on the server).
    """
    if user is not None and not has_role(user, Role.REVIEWER):
        raise ValidationError(_("Only a reviewer or an administrator opens a campaign."))
    if (region is None) == (cities is None):
        raise ValidationError(_("A campaign is opened for a region or for a list of cities, not both."))
    if framework.status != Framework.Status.PUBLISHED:
        raise ValidationError(_("Assessments use a published framework version."))
    if not has_role(reviewer, Role.REVIEWER):
        raise ValidationError(_("The reviewer must have the reviewer role."))
    if not consultants:
        raise ValidationError(_("An assessment needs at least one consultant."))
    if not all(has_role(person, Role.CONSULTANT) for person in consultants):
        raise ValidationError(_("Every consultant of an assessment must have the consultant role."))
    members = list(region.cities.order_by("code")) if region is not None else sorted(cities or [], key=lambda c: c.code)
    if not members:
        raise ValidationError(_("The campaign has no city."))
    with transaction.atomic():
        campaign, created = _campaign_found_or_made(
            user=user,
            framework=framework,
            period=period,
            reviewer=reviewer,
            region=region,
            members=members,
            deadline=deadline,
        )
        opening = CampaignOpening(campaign=campaign, campaign_created=created)
        campaign.cities.add(*members)
        for city in members:
            _assessment_of(opening, city=city, consultants=consultants, reviewer=reviewer, deadline=deadline)
    return opening


def _campaign_found_or_made(
    *,
    user: AbstractBaseUser | None,
    framework: Framework,
    period: int,
    reviewer: AbstractBaseUser,
    region: Region | None,
    members: list[City],
    deadline: date | None,
) -> tuple[Campaign, bool]:
    if region is not None:
        existing = Campaign.objects.select_for_update().filter(region=region, period=period, framework=framework)
    else:
        # A list of cities is the same campaign when it names exactly the same cities.
        codes = {city.code for city in members}
        candidates = Campaign.objects.filter(region=None, period=period, framework=framework)
        existing = Campaign.objects.filter(
            pk__in=[c.pk for c in candidates if set(c.cities.values_list("code", flat=True)) == codes]
        )
    campaign = existing.first()
    if campaign is not None:
        return campaign, False
    name = campaign_name(region=region, cities=members, period=period, framework=framework)
    campaign = Campaign.objects.create(
        name=name,
        region=region,
        framework=framework,
        period=period,
        reviewer=reviewer,
        deadline=deadline,
        created_by=user,
    )
    return campaign, True


def _assessment_of(
    opening: CampaignOpening,
    *,
    city: City,
    consultants: list[AbstractBaseUser],
    reviewer: AbstractBaseUser,
    deadline: date | None,
) -> None:
    campaign = opening.campaign
    # The first revision is the city's assessment of the period; later revisions correct a published one.
    existing = Assessment.objects.filter(
        city=city, period=campaign.period, kind=Assessment.Kind.CONSULTANT, revision=1
    ).first()
    if existing is None:
        opening.created.append(
            assessment_create(
                city=city,
                framework=campaign.framework,
                period=campaign.period,
                consultants=consultants,
                reviewer=reviewer,
                campaign=campaign,
                deadline=deadline,
            )
        )
    elif existing.campaign_id == campaign.pk:
        opening.already.append(existing)
    elif existing.campaign_id is None and existing.framework_id == campaign.framework_id:
        existing.campaign = campaign
        # The campaign's deadline, unless the assessment had one of its own.
        existing.deadline = existing.deadline or deadline
        existing.save(update_fields=["campaign", "deadline", "updated_at"])
        opening.joined.append(existing)
    else:
        # In another campaign, or against another framework version: left alone and reported.
        opening.held_elsewhere.append(existing)
