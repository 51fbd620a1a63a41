"""The shared-link access log records the caller's address as sign-in throttling counts it.

Behind the proxy REMOTE_ADDR is always the proxy's; the address that nginx
appends to X-Forwarded-For (LOGIN_CLIENT_IP_HEADER, its last entry) is the caller.
"""

import pytest
from django.urls import reverse

from assessment.models import ReportLinkAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_the_proxy(settings):
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def open_link(client, token: str):
    # The client forges the first entry; the proxy appends the address it saw.
    return client.get(
        reverse("shared_report", args=[token]), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8"
    )


def test_an_opened_link_logs_the_address_the_proxy_appended(world, client, behind_the_proxy):
    response = open_link(client, world.shared_token)
    assert response.status_code == 200
    access = ReportLinkAccess.objects.filter(link=world.link).latest("at")
    assert access.outcome == ReportLinkAccess.Outcome.SERVED
    assert access.ip == "5.6.7.8"


def test_a_forged_token_logs_the_address_the_proxy_appended(world, client, behind_the_proxy):
    open_link(client, "not-a-signed-token")
    access = ReportLinkAccess.objects.filter(link=None).latest("at")
    assert access.outcome == ReportLinkAccess.Outcome.BAD_SIGNATURE
    assert access.ip == "5.6.7.8"
