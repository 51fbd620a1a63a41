"""The ranks stored at approval count the cities readers see, a correction in progress included."""

import pytest

from assessment.models import Assessment
from assessment.services import assessments as services
from tests.assessment_builders import answer_everything, assessment_with_team
from tests.factories import CityFactory, RegionFactory, RegionMembershipFactory

pytestmark = pytest.mark.django_db


def _published(city, level: int) -> Assessment:
    assessment = assessment_with_team(city=city)
    answer_everything(assessment, level=level)
    consultant = assessment.consultants.first()
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    return services.assessment_publish(assessment=assessment, user=assessment.reviewer)


def test_a_correction_still_in_draft_leaves_the_original_in_the_ranks_at_approval():
    region = RegionFactory()
    leader, follower = CityFactory(), CityFactory()
    for city in (leader, follower):
        RegionMembershipFactory(region=region, city=city)
    original = _published(leader, level=5)
    services.assessment_revise(assessment=original, user=original.reviewer)  # the correction stays a draft

    assert list(Assessment.objects.standing_scored().filter(city=leader)) == [original]
    assert list(Assessment.objects.standing_published().filter(city=leader)) == [original]
    later = _published(follower, level=1)
    # Second behind the leader's standing result, not first in a region that lost it.
    assert later.result.region_ranks[region.code][later.framework.nodes.get(parent=None).code] == 2


def test_an_approved_result_counts_before_it_is_published_and_replaces_its_original():
    region = RegionFactory()
    leader, follower = CityFactory(), CityFactory()
    for city in (leader, follower):
        RegionMembershipFactory(region=region, city=city)
    original = _published(leader, level=1)
    revision = services.assessment_revise(assessment=original, user=original.reviewer)
    answer_everything(revision, level=5)
    services.assessment_submit(assessment=revision, user=revision.consultants.first())
    services.assessment_approve(assessment=revision, user=revision.reviewer)

    assert list(Assessment.objects.standing_scored().filter(city=leader)) == [revision]
    assert list(Assessment.objects.standing_published().filter(city=leader)) == [original]
