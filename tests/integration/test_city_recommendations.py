"""Recommendations on the G60 demo: Shanghai leads and still gets concrete items; Wuhu's stage blockers come first."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from assessment.models import Assessment, Indicator
from assessment.reports.city_content import city_report_context
from assessment.selectors.derived import reference_date
from assessment.selectors.recommendations import level_score, partner_data
from cities.models import AgreementParty, City, RegionMembership
from cities.selectors import region_dual_space

pytestmark = pytest.mark.django_db

PERIOD = 2025


def test_shanghai_leads_and_gets_at_least_three_concrete_recommendations(g60_demo, user_with_role):
    reader = user_with_role(Role.STAKEHOLDER)
    with translation.override("zh-hans"):
        context = city_report_context(
            user=reader, city=City.objects.get(code="310000"), period=PERIOD, region_code="G60"
        )
    items = context["recommendations"]
    assert len(items) >= 3
    for item in items:
        assert item.action and item.horizon in ("this_year", "plan_period"), item
        assert item.lead_agency or not item.indicator, item  # every indicator names its lead agency type
    # The headline is the first item.
    assert items[0].indicator in context["headline"] and items[0].action in context["headline"]
    # Compared with every region it belongs to (the G60 shown first, the YRD and its central area too).
    shown = {row["region"].code: row["shown"] for row in context["regions"]}
    assert shown["G60"] is True and shown["YRD"] is False


def test_wuhu_lists_what_blocks_its_next_stage_first(g60_demo, user_with_role):
    reader = user_with_role(Role.STAKEHOLDER)
    wuhu = City.objects.get(code="340200")
    context = city_report_context(user=reader, city=wuhu, period=PERIOD, region_code="G60")
    items = context["recommendations"]
    plan = context["steps"]
    assert plan, "the demo's Wuhu has a gap plan to its next stage"
    assert items[0].indicator == plan[0].code and items[0].trigger == "blocks_stage"
    blockers = [item.indicator for item in items if item.trigger == "blocks_stage"]
    assert blockers == [step.code for step in plan][: len(blockers)]
    if any(step.code.startswith("B2.") for step in plan):
        assert any(item.dimension == "B2" for item in items)


def test_observers_are_not_partners(g60_demo, user_with_role):
    call_command("load_agreements", verbosity=0)
    link = AgreementParty.objects.filter(city_id="310000").select_related("agreement").first()
    assert link is not None
    other = AgreementParty.objects.filter(agreement=link.agreement).exclude(city_id="310000").first()
    other.role = AgreementParty.Role.OBSERVER
    other.save()
    context = city_report_context(
        user=user_with_role(Role.STAKEHOLDER), city=City.objects.get(code="310000"), period=PERIOD, region_code="G60"
    )
    row = next(row for row in context["agreements"] if row["agreement"].pk == link.agreement.pk)
    assert other.city.name_distinct not in row["partners"] and other.city.name_distinct in row["observers"]


def test_the_city_page_shows_what_to_do_first(g60_demo, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    page = client.get(reverse("assessment:city_dashboard", args=["340200"]) + f"?period={PERIOD}").content.decode()
    assert 'data-testid="first-recommendations"' in page
    wuhu = Assessment.objects.filter(city_id="340200", period=PERIOD).first()
    first = (wuhu.result.gap or {}).get("improvements", [{}])[0].get("indicator")
    if first:
        assert first in page.split('data-testid="first-recommendations"')[1][:2000]


def test_sign_with_reads_the_flows_of_the_dual_space_chapter(g60_demo):
    # The same pair flows as the dual-space chapter of the region shown (G60), not a gravity of its own
    # over every region the city belongs to: no YRD city outside the G60 is a candidate.
    g60 = sorted(RegionMembership.objects.filter(region_id="G60").values_list("city_id", flat=True))
    on = reference_date(PERIOD)
    space = region_dual_space(g60, on)
    data = partner_data(City.objects.get(code="310000"), on, space)
    expected = {pair.partner_of("310000"): pair.flow for pair in space.pairs if "310000" in pair.pair}
    assert data.flows == expected
    assert set(data.flows) == set(g60) - {"310000"}


def test_the_reasons_read_as_the_dashboards_write_numbers(g60_demo, user_with_role):
    reader = user_with_role(Role.STAKEHOLDER)
    with translation.override("zh-hans"):
        context = city_report_context(
            user=reader, city=City.objects.get(code="340200"), period=PERIOD, region_code="G60"
        )
        items = context["recommendations"]
        for item in items:
            assert "points" not in item.why and "{" not in item.why, item.why
        far = [item for item in items if item.trigger in ("far_below_best", "low_contribution")]
        assert far, [item.trigger for item in items]
        for item in far:
            assert item.why.startswith("现为") and "分）" in item.why, item.why
    with translation.override("en"):
        items = city_recommendations_for("340200", reader)
        assert all(item.why[:1].isupper() for item in items), [item.why for item in items]


def city_recommendations_for(code, reader):
    return city_report_context(user=reader, city=City.objects.get(code=code), period=PERIOD, region_code="G60")[
        "recommendations"
    ]


def test_a_levels_score_follows_the_indicators_goalposts():
    indicator = Indicator(type=Indicator.Type.LEVEL, lower=1, upper=5, direction=Indicator.Direction.HIGHER_IS_BETTER)
    assert [level_score(indicator, level) for level in range(6)] == [0.0, 0.0, 25.0, 50.0, 75.0, 100.0]
    reversed_scale = Indicator(
        type=Indicator.Type.LEVEL, lower=0, upper=5, direction=Indicator.Direction.LOWER_IS_BETTER
    )
    assert level_score(reversed_scale, 1) == 80.0
    without = Indicator(type=Indicator.Type.LEVEL)
    assert level_score(without, 3) == 60.0
