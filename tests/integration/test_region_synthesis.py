"""The regional synthesis in the YRD report and on the region dashboard, over the published G60 demo."""

import pytest

from assessment.reports.region_content import region_report_context
from cities.models import Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_yrd_report_opens_with_a_synthesis(g60_demo):
    context = region_report_context(user=UserFactory(), region=Region.objects.get(code="YRD"), period=2025)
    assert 3 <= len(context["key_messages"]) <= 5
    found = context["synthesis"]
    assert found.matrix.shape[1] == 16 and len(found.matrix.index) == 41
    # The nine published G60 cities lie in all four provinces.
    assert [group.key for group in found.provinces] == ["310000", "320000", "330000", "340000"]
    assert len(context["province_rows"]) == 4
    # 2025 is DSMF 1.1's first period: σ-convergence compares with 2024 re-expressed from DSMF 1.0, and says so.
    assert found.earlier == 2024 and found.earlier_from == "DSMF 1.0"
    assert {item.node for item in found.convergence} >= {"DSMI", "XB"}
    assert context["convergence"].rows and context["dispersion"].rows
    assert context["shared_actions"] and context["weakest_domains"]


def test_the_region_dashboard_shows_key_messages_to_a_manager_only(g60_demo, manager, client):
    page = manager.get("/dashboards/regions/YRD/?period=2025")
    assert page.status_code == 200 and 'data-testid="key-messages"' in page.content.decode()
    anonymous = client.get("/dashboards/regions/YRD/?period=2025")
    assert anonymous.status_code == 302 and 'data-testid="key-messages"' not in anonymous.content.decode()
