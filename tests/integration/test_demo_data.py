import pytest
from django.core.management import call_command

from assessment.models import Assessment, AssessmentResult

pytestmark = pytest.mark.django_db
CITIES = "310000,330100,341700,130700"
DIMENSIONS = {"W1", "B1", "W2", "B2", "W3", "X1", "X2", "X3", "X4", "X5", "X6", "IC", "XB", "DSMI"}


@pytest.fixture
def demo(reference_data, default_framework):
    call_command("load_demo", "--cities", CITIES, "--quiet")


def index_scores():
    return sorted(
        AssessmentResult.objects.filter(assessment__is_demo=True).values_list("assessment__city_id", "assessment__period", "index_score")
    )


def test_every_city_gets_published_2024_and_2025_results_with_every_node(demo):
    for code in CITIES.split(","):
        for period in (2024, 2025):
            assessment = Assessment.objects.get(city_id=code, period=period)
            assert assessment.status == Assessment.Status.PUBLISHED and assessment.is_demo
            result = assessment.result
            assert result.stage.startswith("S")
            assert 0 <= result.index_score <= 100
            assert DIMENSIONS <= set(result.scores)


def test_2025_starts_from_2024_and_history_records_the_demo_answers(demo):
    from assessment.models import Response

    assessment = Assessment.objects.get(city_id="310000", period=2025)
    assert Response.history.filter(assessment_id=assessment.pk).exists()
    assert not assessment.responses.filter(to_confirm=True).exists()


def test_loading_twice_creates_nothing_new(demo):
    before = Assessment.objects.count()
    call_command("load_demo", "--cities", CITIES, "--quiet")
    assert Assessment.objects.count() == before


def test_the_same_seed_gives_the_same_scores(demo):
    first = index_scores()
    call_command("load_demo", "--cities", CITIES, "--reset", "--quiet")
    assert index_scores() == first


def test_a_large_digital_city_outscores_a_small_one(demo):
    def index(code):
        return Assessment.objects.get(city_id=code, period=2025).result.index_score

    assert index("330100") > index("341700")
    assert index("310000") > index("341700")


def test_workflow_examples_exist_in_draft_and_in_review(demo):
    assert Assessment.objects.get(city_id="330100", period=2026).status == Assessment.Status.DRAFT
    assert Assessment.objects.get(city_id="310000", period=2026).status == Assessment.Status.IN_REVIEW


def test_demo_pages_carry_the_demo_label(demo, client_factory):
    from django.contrib.auth import get_user_model

    client = client_factory(get_user_model().objects.get(username="consultant"))
    assessment = Assessment.objects.get(city_id="310000", period=2025)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert 'data-testid="demo-label"' in page
