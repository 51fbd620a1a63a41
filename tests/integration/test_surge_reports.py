"""The surge test in both reports (per agreement domain, lowest coverage first, its method in the annex),
and the regional report's polish: one priority-pairs table, the panels' own captions, the reader's wording."""

from html import unescape

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from assessment.dashboards.labels import domain_in_sentence
from assessment.reports.city_content import city_report_context
from assessment.reports.region_content import region_report_context
from cities.models import Agreement, City, Region
from cities.surge import EARTH_RADIUS_KM, GRAVITY_EXPONENT
from tests.factories import UserFactory

# g60_demo and english_pages: tests/integration/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

DOMAINS = len(Agreement.Domain.choices)


@pytest.fixture
def agreements(g60_demo):
    call_command("load_agreements", verbosity=0)


def coverage(text: str) -> float:
    return float(text.rstrip("%"))


@pytest.fixture
def region_context(agreements):
    return region_report_context(user=UserFactory(), region=Region.objects.get(code="G60"), period=2025)


def test_the_region_report_runs_the_surge_test_in_every_domain(region_context):
    surge = region_context["surge"]
    assert surge["kind"] == "region" and len(surge["rows"]) == DOMAINS
    shares = [coverage(row["coverage"]) for row in surge["rows"]]
    assert shares == sorted(shares) and shares[0] < 100
    first = surge["rows"][0]
    assert "—" in first["best"] and coverage(first["coverage_with_best"]) > shares[0]
    # The same reference date as the dual-space chapter (the period's end).
    assert surge["on"] == region_context["dual_space"]["on"] == region_context["agreements_on"]
    html = render_to_string("reports/region.html", region_context)
    chapter = html.split('data-testid="surge">')[1].split("</section>")[0]
    assert "every member city sends the same share" in chapter and "needs no number for it" in chapter
    assert "health codes of different cities did not recognise each other" in chapter
    assert 'href="#surge"' in html
    method = html.split('data-testid="method-surge">')[1].split("</div>")[0]
    assert f"Earth radius {EARTH_RADIUS_KM} km" in method and f"{DOMAINS} agreement domains" in method
    assert f"P_j / d_ij^{GRAVITY_EXPONENT}," in method
    assert f"divided by its distance to the power {GRAVITY_EXPONENT} (a gravity model)" in chapter


def test_the_city_report_runs_the_surge_test_from_the_city(agreements):
    context = city_report_context(
        user=UserFactory(), city=City.objects.get(code="310000"), period=2025, region_code="G60"
    )
    surge = context["surge"]
    assert surge["kind"] == "city" and len(surge["rows"]) == DOMAINS
    shares = [coverage(row["coverage"]) for row in surge["rows"]]
    assert shares == sorted(shares)
    # The partner city alone, never a pair, and never the city itself.
    assert all("—" not in row["best"] and row["best"] != "Shanghai" for row in surge["rows"] if row["best"] != "—")
    html = render_to_string("reports/city.html", context)
    chapter = html.split('data-testid="surge">')[1].split("</section>")[0]
    assert "residents of Shanghai leaves the city at once" in chapter and "partner city" in chapter
    assert 'data-testid="method-surge"' in html


def test_the_priority_pairs_are_listed_once(region_context):
    html = render_to_string("reports/region.html", region_context)
    section = html.split('id="priorities"')[1].split('id="surge"')[0]
    assert "Strong flows with weak digital coverage" not in section
    assert section.count("<table") == 2  # the weakest domains and the dual-space gap's priority pairs
    assert region_context["priority_pairs"]  # still read by the regional recommendations


def test_the_captions_are_the_panels_own(region_context):
    html = unescape(render_to_string("reports/region.html", region_context))
    assert region_context["plane"].caption_in_print in html
    assert "the dotted lines are the region's medians." not in html
    movers = region_context["movers"]
    assert f'data-testid="movers-caption">{movers.caption}' in html


def test_the_movers_caption_says_when_nothing_fell(region_context):
    # In the G60 demo every listed city rose between 2024 and 2025.
    movers = region_context["movers"]
    assert movers.rows and all(float(row[4]) > 0 for row in movers.rows)
    html = render_to_string("reports/region.html", region_context)
    assert 'data-testid="movers-caption">No city fell between 2024 and 2025.' in html


def test_the_city_pages_say_the_gaps_in_words(region_context):
    pages = region_context["city_pages"]
    texts = [text for page in pages for _name, text in (*page["strengths"], *page["weaknesses"])]
    assert texts and all("regional median" in text for text in texts)
    assert not any(text.startswith(("+", "-")) for text in texts)
    assert pages[0]["interval_text"].startswith("Rank interval: ")
    with translation.override("zh-hans"):
        chinese = region_report_context(user=UserFactory(), region=Region.objects.get(code="G60"), period=2025)
    page = chinese["city_pages"][0]
    assert page["interval_text"].startswith("排名区间：第") and page["interval_text"].endswith("名")
    assert all(text.startswith(("高于区域中位数", "低于区域中位数")) for _name, text in page["strengths"])


def test_the_songjiang_note_is_not_repeated_under_the_ranking(region_context):
    html = render_to_string("reports/region.html", region_context)
    ranking = html.split('id="ranking"')[1].split('id="heatmap"')[0]
    note = region_context["notes"][0][1]
    assert note in region_context["ranking"].caption and ranking.count(note) == 1
    groups = html.split('id="groups"')[1].split('id="recommendations"')[0]
    assert note in groups


def test_the_regional_recommendation_names_every_domain_tied_at_the_fewest(region_context):
    weakest = region_context["weakest_domains"]
    fewest = min(covered for _name, covered in weakest)
    tied = [name for name, covered in weakest if covered == fewest]
    sentence = region_context["fewest_domains"]
    # Inside an English sentence the names are lower case.
    assert all(name[0].lower() + name[1:] in sentence for name in tied)
    html = render_to_string("reports/region.html", region_context)
    assert f"starting with {sentence}." in unescape(html)


def test_without_any_agreement_no_domain_is_singled_out(g60_demo):
    context = region_report_context(user=UserFactory(), region=Region.objects.get(code="G60"), period=2025)
    assert context["fewest_domains"] == "" and context["no_agreements"]
    html = render_to_string("reports/region.html", context)
    assert "no agreement in force binds two member cities in any domain yet" in html
    assert "Sign region-wide agreements first" not in html


def test_a_domain_inside_a_sentence_is_lower_case_in_english_only():
    assert domain_in_sentence("Health code and identity") == "health code and identity"
    assert domain_in_sentence("IT services") == "IT services"
    with translation.override("zh-hans"):
        assert domain_in_sentence("健康码与身份认证") == "健康码与身份认证"


def test_the_recommendations_sign_agreements_on_lower_case_domains(agreements):
    context = city_report_context(
        user=UserFactory(), city=City.objects.get(code="310000"), period=2025, region_code="G60"
    )
    signs = [
        item.partner for item in context["recommendations"] if (item.partner or "").startswith("Sign an agreement")
    ]
    assert signs, [item.partner for item in context["recommendations"]]
    labels = [str(label) for _value, label in Agreement.Domain.choices]
    assert all(label not in sign for sign in signs for label in labels)
