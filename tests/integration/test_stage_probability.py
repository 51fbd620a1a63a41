"""The stage probability on the city page and in the city report, and intervals that follow the raters' confidence.

Over the G60 demo (tests/integration/conftest.py): the share of the Monte
Carlo's draws that keep a city on its published stage is printed next to the
stage, and answers marked low confidence and poor data quality widen the rank
intervals against the same answers marked high confidence and grade A.
"""

import re

import pytest
from django.core.cache import cache

from accounts.roles import Role
from assessment.models import AssessmentResult, Framework, Indicator, Response
from assessment.rank_intervals import method_stated, monte_carlo_ranks
from assessment.reports.city_content import city_report_context
from assessment.scoring.method import MethodParameters
from assessment.selectors.results import region_snapshot
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

PERIOD = 2025


def _share(text: str) -> float:
    """The percentage in a displayed share ("87" or "87 %")."""
    return float(re.search(r"(\d+(?:\.\d+)?)", text).group(1))


def test_the_city_dashboard_shows_the_share_of_draws_on_the_city_stage(manager, g60_demo):
    response = manager.get(f"/dashboards/cities/310000/?region=G60&period={PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    line = html.split('data-testid="city-stage-probability">')[1].split("</div>")[0]
    stored = AssessmentResult.objects.get(assessment__city_id="310000", assessment__period=PERIOD)
    assert line.startswith(f"{stored.stage} in ") and line.endswith("% of draws")
    assert 0 < _share(line.removeprefix(stored.stage)) <= 100


def test_the_city_report_context_carries_the_stage_share(g60_demo):
    reader = UserFactory(roles=[Role.CITY_MANAGER])
    context = city_report_context(user=reader, city=City.objects.get(code="310000"), period=PERIOD, region_code="G60")
    stored = AssessmentResult.objects.get(assessment__city_id="310000", assessment__period=PERIOD)
    assert context["stage_code"] == stored.stage
    assert 0 < _share(str(context["stage_share"])) <= 100


def _intervals_with(framework: Framework, confidence: str, quality: str) -> tuple[float, float]:
    """Total rank-interval width and mean stage share over G60 when every level answer is marked so."""
    Response.objects.filter(
        assessment__period=PERIOD, assessment__result__isnull=False, indicator__type=Indicator.Type.LEVEL
    ).update(confidence=confidence, quality=quality)
    # The snapshot's key follows the published results, not the answers' marks: recompute.
    cache.clear()
    reader = UserFactory(roles=[Role.CITY_MANAGER])
    snapshot = region_snapshot(region=Region.objects.get(code="G60"), period=PERIOD, framework=framework, user=reader)
    ranks = monte_carlo_ranks(snapshot)
    return float((ranks["rank_p95"] - ranks["rank_p05"]).sum()), float(ranks["stage_share"].mean())


def test_low_confidence_widens_the_intervals_and_lowers_the_stage_share(g60_demo):
    # g60_demo is the framework version the demo is published under.
    sure_width, sure_share = _intervals_with(g60_demo, "high", "A")
    unsure_width, unsure_share = _intervals_with(g60_demo, "low", "F")
    assert unsure_width > sure_width
    assert unsure_share < sure_share


def test_the_captions_name_the_method_alternatives_a_version_draws():
    assert method_stated(MethodParameters())["alternatives"] == ""
    stated = method_stated(MethodParameters(normalisation_alternatives=("zscore",), imputation_alternatives=("none",)))
    assert "normalisation or one of: zscore." in stated["alternatives"]
    assert "imputation or one of: none." in stated["alternatives"]
    assert "aggregation" not in stated["alternatives"]
