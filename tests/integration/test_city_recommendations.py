"""Recommendations on the G60 demo: Shanghai leads and still gets concrete items; Wuhu's stage blockers come first."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from assessment.models import Assessment
from assessment.reports.city_content import city_report_context
from cities.models import AgreementParty, City

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
