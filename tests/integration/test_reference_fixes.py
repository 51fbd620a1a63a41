"""Issue 18 item 5: agreements carry dates, Songjiang's footnote, the YRD central area."""

import datetime as dt

import pytest
from django.core.management import call_command

from cities.models import Agreement
from cities.network import select_agreements
from cities.selectors import agreement_edges

pytestmark = pytest.mark.django_db

YRD_HEALTH_CODE = "yrd-health-code-recognition"


@pytest.fixture
def shipped_agreements(reference_data):
    call_command("load_agreements", verbosity=0)


def _counted_on(on: dt.date) -> set[str]:
    edges = agreement_edges(city_codes=["310000", "110000"])
    return {str(edge.agreement_id) for edge in select_agreements(edges, on=on)}


def test_the_health_code_recognitions_carry_their_dates(shipped_agreements):
    yrd = Agreement.objects.get(key=YRD_HEALTH_CODE)
    jjj = Agreement.objects.get(key="jjj-health-code-recognition")
    assert yrd.status == jjj.status == Agreement.Status.EXPIRED
    assert yrd.in_force_from.year == jjj.in_force_from.year == 2020
    assert yrd.expires_on == jjj.expires_on == dt.date(2022, 12, 7)
    assert yrd.evidence_note.startswith("month-level:")


def test_an_expired_agreement_counts_between_its_dates_only(shipped_agreements):
    assert YRD_HEALTH_CODE in _counted_on(dt.date(2021, 6, 30))
    assert "jjj-health-code-recognition" in _counted_on(dt.date(2021, 6, 30))
    assert YRD_HEALTH_CODE not in _counted_on(dt.date(2023, 6, 30))
    assert YRD_HEALTH_CODE not in _counted_on(dt.date(2019, 12, 31))


def test_loading_the_agreements_again_updates_their_dates_by_key(shipped_agreements):
    Agreement.objects.filter(key=YRD_HEALTH_CODE).update(in_force_from=None, expires_on=None)
    call_command("load_agreements", verbosity=0)
    assert Agreement.objects.get(key=YRD_HEALTH_CODE).expires_on == dt.date(2022, 12, 7)
