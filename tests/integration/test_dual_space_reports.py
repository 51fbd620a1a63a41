"""The dual-space gap in both reports, and its method in both methodology annexes, with the method's own numbers."""

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from assessment.reports.city_content import city_report_context
from assessment.reports.region_content import region_report_context
from cities.dual_space import POPULATION_UNIT, PRIORITY_PAIRS
from cities.models import City, Region
from cities.surge import GRAVITY_EXPONENT
from tests.factories import UserFactory

# g60_demo and english_pages: tests/integration/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def agreements(g60_demo):
    call_command("load_agreements", verbosity=0)


def method_text(html: str) -> str:
    return html.split('data-testid="method-dual-space">')[1].split("</div>")[0]


def test_the_city_report_has_the_partners_chapter_and_the_method(agreements):
    context = city_report_context(
        user=UserFactory(), city=City.objects.get(code="310000"), period=2025, region_code="G60"
    )
    dual = context["dual_space"]
    assert dual["kind"] == "city" and dual["svg"].endswith(".svg")
    assert [row[0] for row in dual["panel"].rows][0] == "Suzhou"
    html = render_to_string("reports/city.html", context)
    chapter = html.split('data-testid="dual-space">')[1].split("</section>")[0]
    assert "physical space and digital space" in chapter and "Weakest strong pair: Shanghai" in chapter
    assert 'href="#dual-space"' in html  # in the contents
    method = method_text(html)
    assert f"/ d^{GRAVITY_EXPONENT}" in method and "import_flows" in method and "16 service domains" in method
    assert "observers do not count" in method and "in-city maturity across, cross-boundary readiness up" in method
    assert f"The unit is ({POPULATION_UNIT:,} people)² per km²" in method
    assert "only when they list every pair of the member cities" in method
    assert "a pair the data do not list counts as no flow" not in method  # the rule before review finding 4


def test_the_region_report_has_the_priority_pairs_domain_coverage_and_no_density(agreements):
    context = region_report_context(user=UserFactory(), region=Region.objects.get(code="G60"), period=2025)
    dual = context["dual_space"]
    assert dual["kind"] == "region" and 0 < len(dual["panel"].rows) <= PRIORITY_PAIRS
    assert "density_percent" not in context
    assert 0 < context["domain_coverage_percent"] < 100 and context["domain_count"] == 16
    html = render_to_string("reports/region.html", context)
    assert "Domains worth signing" in html.split('data-testid="dual-space">')[1]
    # The network counts the agreements on the report's one date, which the sentence names.
    assert f"of the 16 service domains through agreements in force on {context['agreements_on']:%Y-%m-%d}" in html
    assert "of the pairs of member cities" not in html  # the old density sentence
    assert f"at most {PRIORITY_PAIRS}" in method_text(html)
