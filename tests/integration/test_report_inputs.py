"""What reports and the region page read, and when they are read again (review of issue 18).

A stored report is handed back only while everything it reads is unchanged (the agreements, the earlier
period's results); a report counts agreements on one date, the period's reference date; the region page's
synthesis never runs every city's recommendations, and its cache follows the day while the period runs.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from assessment.models import AssessmentResult, Report
from assessment.reports.city_content import _agreements, city_report_context
from assessment.reports.region_content import region_report_context
from assessment.selectors import recommendations as recommendation_selectors
from assessment.selectors.derived import reference_date
from assessment.services import reports as report_service
from cities.models import Agreement, AgreementParty, City, Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIOD = 2025


def city_report(user) -> Report:
    """The stakeholder city report of Shanghai in the G60, 2025, as a request gets it (not rendered here)."""
    return report_service.report_request(
        user=user, kind=Report.Kind.CITY, period=PERIOD, language="en", city=City.objects.get(code="310000")
    )


def agreement(key: str, domain: str, *, status: str = Agreement.Status.IN_FORCE, **dates) -> Agreement:
    """An agreement between Shanghai and Wuhu, both G60 members."""
    made = Agreement.objects.create(
        key=key, title_zh="测试协议", title_en="Test agreement", domain=domain, mode=Agreement.Mode.DATA_SHARING,
        status=status, **dates,
    )  # fmt: skip
    for code in ("310000", "340200"):
        AgreementParty.objects.create(agreement=made, city_id=code)
    return made


def test_a_report_asked_for_after_an_agreement_or_an_earlier_result_changes_is_a_new_report(g60_demo):
    user = UserFactory()
    first = city_report(user)
    assert city_report(user).pk == first.pk  # nothing changed: the same report
    agreement("test-new-logistics", Agreement.Domain.LOGISTICS)
    after_agreement = city_report(user)
    assert after_agreement.input_key != first.input_key
    # The movers and the σ-convergence read 2024: a result of 2024 scored again is a new input.
    AssessmentResult.objects.filter(assessment__period=PERIOD - 1).update(computed_at=timezone.now())
    after_earlier = city_report(user)
    assert after_earlier.input_key != after_agreement.input_key
    # The trend reads every period of the city, in every version: a later period scored again is a new input.
    AssessmentResult.objects.filter(assessment__city_id="310000", assessment__period=PERIOD + 1).update(
        computed_at=timezone.now()
    )
    assert city_report(UserFactory()).input_key != after_earlier.input_key  # another reader: the queue limit is 3


def test_an_expired_agreement_covers_its_domain_only_while_it_was_in_force(g60_demo):
    shanghai = City.objects.get(code="310000")
    end_of_period = reference_date(PERIOD)
    labels = dict(Agreement.Domain.choices)
    island = next(value for value, label in labels.items() if str(label) in _agreements(shanghai, end_of_period)[2])
    agreement(
        "test-expired-2021", island, in_force_from=dt.date(2019, 1, 1), expires_on=dt.date(2021, 12, 31)
    )  # status in force, as beijing-tianjin-enterprise is stored
    assert str(labels[island]) in _agreements(shanghai, end_of_period)[2]
    assert str(labels[island]) not in _agreements(shanghai, dt.date(2021, 6, 30))[2]
    # Expired with both dates (the health-code recognitions): it covered its domain while in force.
    Agreement.objects.filter(key="test-expired-2021").update(status=Agreement.Status.EXPIRED)
    assert str(labels[island]) not in _agreements(shanghai, dt.date(2021, 6, 30))[2]
    with translation.override("en"):
        context = city_report_context(user=UserFactory(), city=shanghai, period=PERIOD, region_code="G60")
        html = render_to_string("reports/city.html", context)
        label = str(labels[island])
    assert label in context["islands"] and context["agreements_on"] == end_of_period
    assert f"no agreement in force on {end_of_period:%Y-%m-%d}" in html
    # Strengths and gaps say the sign in words, as the regional report's city pages do (Shanghai leads: strengths).
    assert "points above the region's median" not in html and "points above the regional median" in html


def test_the_regional_report_counts_agreements_on_one_date(g60_demo):
    earlier = PERIOD - 1  # its reference date (31 December) is not today
    with translation.override("en"):
        context = region_report_context(user=UserFactory(), region=Region.objects.get(code="G60"), period=earlier)
        html = render_to_string("reports/region.html", context)
    on = reference_date(earlier)
    assert context["agreements_on"] == on == context["synthesis"].on
    assert context["network"].on == on == context["dual_space"]["on"] == context["surge"]["on"]
    assert f"through agreements in force on {on:%Y-%m-%d}" in html and "in force today" not in html
    assert context["shared_actions"]  # the report still names the actions many cities share


def test_the_region_page_never_runs_every_citys_recommendations(g60_demo, manager, monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("the region page's synthesis ran a city's recommendations")

    monkeypatch.setattr(recommendation_selectors, "city_recommendations", refused)
    cache.clear()
    page = manager.get(f"/dashboards/regions/G60/?period={PERIOD}")
    assert page.status_code == 200 and 'data-testid="key-messages"' in page.content.decode()
    assert manager.get(f"/dashboards/regions/G60/data/interoperability.csv?period={PERIOD}").status_code == 200


def test_the_region_page_cached_while_its_period_runs_is_drawn_again_the_next_day(
    g60_demo, manager, english_pages, monkeypatch
):
    real = timezone.localdate

    def on(day: dt.date) -> None:
        monkeypatch.setattr(
            timezone, "localdate", lambda value=None, tz=None: day if value is None else real(value, tz)
        )

    cache.clear()
    url = f"/dashboards/regions/G60/?period={PERIOD}"
    on(dt.date(PERIOD, 6, 1))  # the period still runs: agreements count today
    first = manager.get(url).content.decode()
    assert "in force on 2025-06-01" in first
    on(dt.date(PERIOD, 6, 2))
    assert "in force on 2025-06-02" in manager.get(url).content.decode()


def test_the_region_page_of_a_versions_first_period_is_drawn_again_when_the_earlier_version_is_scored_again(
    g60_demo, manager, monkeypatch
):
    """2025 is DSMF 1.1's first period: its movers and σ-convergence read 2024 (DSMF 1.0), re-expressed."""
    from assessment.views import dashboards as dashboard_views

    drawn = []
    real_body = dashboard_views._region_body
    monkeypatch.setattr(dashboard_views, "_region_body", lambda *args: drawn.append(1) or real_body(*args))
    cache.clear()
    url = f"/dashboards/regions/G60/?period={PERIOD}"
    earlier = AssessmentResult.objects.filter(assessment__period=PERIOD - 1, assessment__city_id="310000")
    assert (
        earlier.get().assessment.framework.version
        != AssessmentResult.objects.filter(assessment__period=PERIOD, assessment__city_id="310000")
        .get()
        .assessment.framework.version
    )
    assert manager.get(url).status_code == 200 and manager.get(url).status_code == 200
    assert len(drawn) == 1  # the second request is served from the cache
    earlier.update(computed_at=timezone.now())
    assert manager.get(url).status_code == 200
    assert len(drawn) == 2
