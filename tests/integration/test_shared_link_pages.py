"""What the recipient of a stakeholder link sees when it no longer opens the report,
what the sharer's "Opened" column counts, and the two-click revoke."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from assessment.models import Report, ReportLink, ReportLinkAccess
from assessment.services import reports as report_service
from assessment.views.reports import LINK_SALT
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a stored stakeholder edition\n%%EOF\n"


@pytest.fixture
def sharer(reference_data, default_framework):
    """A city manager of Shanghai and a finished stakeholder edition of Shanghai's report."""
    user = UserFactory(roles=[Role.CITY_MANAGER], first_name="Wang", last_name="Secret")
    City.objects.get(code="310000").managers.add(user)
    report = Report.objects.create(
        kind=Report.Kind.CITY,
        city_id="310000",
        region=Region.objects.get(code="G60"),
        framework=default_framework,
        period=2025,
        language="en",
        audience=Report.Audience.STAKEHOLDER,
        status=Report.Status.DONE,
        progress=100,
        requested_by=user,
    )
    report.file.save("shared-link-test.pdf", ContentFile(PDF))
    return user, report


def shared_url(link: ReportLink) -> str:
    return f"/shared/{signing.dumps(link.key, salt=LINK_SALT)}/"


def assert_friendly(response, status: int, reason: str, language_marker: str = "") -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f'data-reason="{reason}"' in page
    assert 'data-testid="whom-to-ask"' in page
    # Nobody is named: not the sharer, not the recipient.
    assert "Wang" not in page and "Secret" not in page and "Mayor" not in page
    # Only the app's own static files, nothing fetched from elsewhere.
    for address in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert address.startswith(("/", "#")) and not address.startswith("//"), address
    if language_marker:
        assert language_marker in page
    return page


def test_a_revoked_link_says_so_with_410_and_whom_to_ask(client, sharer):
    user, report = sharer
    link = report_service.link_create(report=report, user=user, days=7, recipient="Mayor's office")
    report_service.link_revoke(link=link)
    client.cookies["django_language"] = "en"
    page = assert_friendly(client.get(shared_url(link)), 410, "revoked")
    assert "This link has been withdrawn" in page
    assert "ask the person who sent you the link for a new one" in page


def test_an_expired_link_says_when_it_ran_out_with_410(client, sharer):
    user, report = sharer
    link = report_service.link_create(report=report, user=user, days=1)
    ReportLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.cookies["django_language"] = "en"
    page = assert_friendly(client.get(shared_url(link)), 410, "expired")
    assert "This link has expired" in page


@pytest.mark.chinese
def test_a_tampered_link_is_not_valid_with_404_in_chinese_too(client, sharer):
    user, report = sharer
    link = report_service.link_create(report=report, user=user, days=7)
    token = signing.dumps(link.key, salt=LINK_SALT)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(f"/shared/{tampered}/")
    assert_friendly(response, 404, "invalid", language_marker='<html lang="zh-hans">')
    assert_friendly(client.get(f"/shared/{link.key}/"), 404, "invalid")  # the bare key, unsigned
    assert ReportLinkAccess.objects.filter(outcome=ReportLinkAccess.Outcome.BAD_SIGNATURE).count() == 2


def test_opened_counts_only_the_times_the_pdf_was_served(client, client_factory, sharer):
    user, report = sharer
    link = report_service.link_create(report=report, user=user, days=7)
    opened = client.get(shared_url(link))
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == PDF
    ReportLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    for _try in range(3):
        assert client.get(shared_url(link)).status_code == 410
    assert link.accesses.count() == 4  # every try is logged
    detail = client_factory(user).get(f"/reports/{report.pk}/").content.decode()
    assert re.findall(r'data-testid="link-opened">(\d+)<', detail) == ["1"]


def test_revoking_takes_a_confirmation(client_factory, sharer):
    user, report = sharer
    report_service.link_create(report=report, user=user, days=7)
    page = client_factory(user).get(f"/reports/{report.pk}/").content.decode()
    revoke = page.split('data-testid="revoke-link"')[1].split("</details>")[0]
    # The only button that posts the revocation sits inside the closed <details>: the
    # first click ("Revoke") opens it, the second confirms. No script, no inline handler.
    assert "<summary" in revoke and 'data-testid="confirm-revoke"' in revoke
    assert page.count('type="submit" data-testid="confirm-revoke"') == 1
    assert "onclick" not in page and "onsubmit" not in page
