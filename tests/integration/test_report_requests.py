"""Requesting reports from the pages, the background task, reuse of stored files, stakeholder links."""

import re
import shutil
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from accounts.roles import Role
from assessment.models import Report, ReportLink, ReportLinkAccess
from assessment.services import report_worker
from assessment.services import reports as report_service
from assessment.views.reports import LINK_SALT
from cities.models import City
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium"),
]


@pytest.fixture(autouse=True)
def english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def manager(client_factory, reference_data):
    user = UserFactory(roles=[Role.CITY_MANAGER])
    City.objects.get(code="310000").managers.add(user)
    return user, client_factory(user)


def request_report(client, capture, **fields):
    data = {"kind": "city", "city": "310000", "region": "G60", "period": 2025, "language": "en", "next": "/"}
    data.update(fields)
    with capture(execute=True):
        return client.post("/reports/request/", data)


def test_a_requested_city_report_renders_in_the_task_and_downloads(
    manager, g60_demo, django_capture_on_commit_callbacks
):
    _user, client = manager
    response = request_report(client, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.status == Report.Status.DONE and report.progress == 100 and report.size > 10_000
    status = client.get(f"/reports/{report.pk}/status.json").json()
    assert status["status"] == "done" and status["download"] == f"/reports/{report.pk}/download/"
    download = client.get(status["download"])
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # The same inputs give the stored file back: no second rendering.
    request_report(client, django_capture_on_commit_callbacks)
    assert Report.objects.count() == 1
    # Another language is another report.
    request_report(client, django_capture_on_commit_callbacks, language="zh")
    assert Report.objects.count() == 2


def test_bad_requests_get_a_message_not_an_error(manager, g60_demo, django_capture_on_commit_callbacks):
    _user, client = manager
    response = request_report(client, django_capture_on_commit_callbacks, period=1999, next="/dashboards/regions/G60/")
    assert response.status_code == 302 and response["Location"] == "/dashboards/regions/G60/"
    page = client.get(response["Location"]).content.decode()
    assert "has no published result for 1999" in page
    request_report(client, django_capture_on_commit_callbacks, language="fr")
    outside = request_report(client, django_capture_on_commit_callbacks, period=1999, next="https://example.com/")
    assert outside["Location"] == "/"  # never sent to another site
    assert Report.objects.count() == 0
    assert client.get("/reports/request/").status_code == 405


def test_a_failed_rendering_is_marked_with_a_message(
    manager, g60_demo, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(html):
        raise RuntimeError("out of paper")

    monkeypatch.setattr(report_worker, "html_to_pdf", broken)
    _user, client = manager
    request_report(client, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert report.status == Report.Status.FAILED and "could not be rendered" in report.display_message
    assert not report.file
    assert client.get(f"/reports/{report.pk}/download/").status_code == 404


def test_anonymous_users_cannot_request_or_download(client, g60_demo, manager, django_capture_on_commit_callbacks):
    _user, signed_in = manager
    request_report(signed_in, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    for url in (f"/reports/{report.pk}/", f"/reports/{report.pk}/download/", f"/reports/{report.pk}/status.json"):
        assert client.get(url).status_code == 302
    assert client.post("/reports/request/", {"kind": "city"}).status_code == 302


def test_a_stakeholder_link_opens_the_report_without_an_account_until_revoked(
    client, manager, g60_demo, django_capture_on_commit_callbacks
):
    user, signed_in = manager
    request_report(signed_in, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    assert signed_in.post(f"/reports/{report.pk}/links/", {"days": 7, "recipient": "Mayor's office"}).status_code == 302
    link = ReportLink.objects.get()
    # The page shows a signed token for the link; its signature carries the second it was made, so the test
    # reads the token from the page rather than making its own (they differ across a second boundary).
    page = signed_in.get(f"/reports/{report.pk}/").content.decode()
    tokens = re.findall(r"/shared/([^/\"<\s]+)/", page)
    assert [signing.loads(token, salt=LINK_SALT) for token in tokens] == [link.key]
    url = f"/shared/{tokens[0]}/"
    opened = client.get(url)
    assert opened.status_code == 200 and b"".join(opened.streaming_content).startswith(b"%PDF")
    # Revoked: 410 Gone (a page saying so), and the try is logged.
    signed_in.post(f"/reports/{report.pk}/links/{link.pk}/revoke/")
    assert client.get(url).status_code == 410
    # Expired: 410, logged.
    other = report_service.link_create(report=report, user=user, days=1)
    ReportLink.objects.filter(pk=other.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/shared/{signing.dumps(other.key, salt=LINK_SALT)}/").status_code == 410
    # Forged: 404, logged.
    assert client.get(f"/shared/{link.key}/").status_code == 404
    outcomes = list(ReportLinkAccess.objects.order_by("at", "pk").values_list("outcome", flat=True))
    assert outcomes == ["served", "revoked", "expired", "bad_signature"]


def test_stakeholders_cannot_create_links(client_factory, manager, g60_demo, django_capture_on_commit_callbacks):
    _user, signed_in = manager
    request_report(signed_in, django_capture_on_commit_callbacks)
    report = Report.objects.get()
    stakeholder = client_factory(UserFactory(roles=[Role.STAKEHOLDER]))
    assert stakeholder.post(f"/reports/{report.pk}/links/", {"days": 7}).status_code == 404
    assert stakeholder.get(f"/reports/{report.pk}/download/").status_code == 200
    assert ReportLink.objects.count() == 0


def test_the_report_list_shows_ones_own_requests_and_administrators_see_all(
    client_factory, manager, g60_demo, django_capture_on_commit_callbacks, monkeypatch
):
    # The list is about who asked for what, not about rendering: keep the PDF out of it.
    monkeypatch.setattr(report_worker, "html_to_pdf", lambda html: type("R", (), {"pdf": b"%PDF-1.7 test"})())
    user, client = manager
    mine = Report.objects.get(
        pk=int(request_report(client, django_capture_on_commit_callbacks)["Location"].split("/")[-2])
    )
    other_user = UserFactory(roles=[Role.CONSULTANT])
    other_client = client_factory(other_user)
    theirs = Report.objects.get(
        pk=int(
            request_report(other_client, django_capture_on_commit_callbacks, city="330100")["Location"].split("/")[-2]
        )
    )
    page = client.get("/reports/").content.decode()
    assert f"/reports/{mine.pk}/" in page and f"/reports/{theirs.pk}/" not in page
    assert f"/reports/{mine.pk}/download/" in page  # rendered by the immediate task backend
    admin = client_factory(UserFactory(is_superuser=True, is_staff=True))
    everyone = admin.get("/reports/").content.decode()
    assert f"/reports/{mine.pk}/" in everyone and f"/reports/{theirs.pk}/" in everyone
    assert other_user.username in everyone
    assert f"/reports/{mine.pk}/" not in admin.get("/reports/?status=failed").content.decode()
    assert client_factory().get("/reports/").status_code == 302
