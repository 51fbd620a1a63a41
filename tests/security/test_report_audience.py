"""Who gets which edition of a PDF report, and how many renderings one user may queue.

Issue 15, points 5 and 7b. The city report's annex printed the assessment's
sources, comments and evidence to every reader; now only the full edition has
it, and only readers of the assessment itself get that. A stakeholder queued 40
renderings in a few seconds; now each user has a cap, and so has the queue.

Switches: pdf_audience, report_quota (tests/security/conftest.py).
"""

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from assessment.models import Evidence, FlagAcceptance, Report, ReportLink, Response, ReviewComment
from assessment.reports.render import render_city_report
from assessment.views.reports import LINK_SALT
from tests.security.world import MANAGED_CITY, OTHER_MANAGED_CITY, PERIOD, TINY_PDF

pytestmark = pytest.mark.django_db

needs_renderer = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftotext") is None, reason="needs chromium and poppler-utils"
)

# One marker per kind of internal text; none may reach a stakeholder.
MARKERS = {
    "source": "SRCq7zmarker",
    "comment": "CMTq7zmarker",
    "note": "NOTEq7zmarker",
    "url": "https://example.org/URLq7zmarker",
    "file": "FILEq7zmarker.pdf",
    # A reasonableness flag the reviewer kept, with the reason (the full edition's data-quality annex).
    "flag": "FLAGq7zmarker",
}
REVIEW_MARKER = "REVq7zmarker"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def marked(world):
    """Internal text of every kind on one answer of the published Shanghai assessment."""
    response = Response.objects.filter(assessment=world.published).order_by("pk").first()
    Response.objects.filter(pk=response.pk).update(source=MARKERS["source"], comment=MARKERS["comment"])
    Evidence.objects.create(response=response, kind=Evidence.Kind.NOTE, note=MARKERS["note"])
    FlagAcceptance.objects.create(
        response=response,
        kind=FlagAcceptance.Kind.OUTLIER,
        value=response.value,
        reason=MARKERS["flag"],
        accepted_by=world.users[Role.REVIEWER],
    )
    Evidence.objects.create(response=response, kind=Evidence.Kind.LINK, url=MARKERS["url"])
    upload = Evidence(response=response, kind=Evidence.Kind.FILE, original_name=MARKERS["file"], size=len(TINY_PDF))
    upload.file.save("marked.pdf", ContentFile(TINY_PDF), save=True)
    ReviewComment.objects.create(response=response, author=world.users[Role.REVIEWER], body=REVIEW_MARKER)
    return response


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # a table cell may break a marker across lines


def downloaded(client, report: Report) -> bytes:
    response = client.get(f"/reports/{report.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def request(client, capture=None, **fields):
    data = {
        "kind": "city",
        "city": MANAGED_CITY,
        "region": "G60",
        "period": PERIOD,
        "language": "en",
        "next": "/reports/",
    }
    data.update(fields)
    if capture is None:  # queued, never rendered: the worker is not running
        return client.post("/reports/request/", data)
    with capture(execute=True):
        return client.post("/reports/request/", data)


def error_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# pdf_audience


@needs_renderer
def test_the_stakeholder_edition_prints_no_internal_text_and_the_full_edition_does(world, marked, tmp_path):
    admin = world.users[Role.ADMINISTRATOR]
    stakeholder = pdf_text(render_city_report(user=admin, city=world.city, period=PERIOD, language="en").pdf, tmp_path)
    full = pdf_text(
        render_city_report(
            user=admin, city=world.city, period=PERIOD, language="en", audience=Report.Audience.FULL
        ).pdf,
        tmp_path,
    )
    for kind, marker in MARKERS.items():
        assert marker not in stakeholder, kind
        assert marker in full, kind
    # Scores, stages and the method stay in the stakeholder edition.
    for heading in ("Executivesummary", "Indicators", "AnnexA:methodology", "Stage"):
        assert heading in stakeholder
    # Review comments are the team's working notes: city managers, who get the full
    # edition, may not read them, so neither edition prints them.
    assert REVIEW_MARKER not in stakeholder and REVIEW_MARKER not in full


@needs_renderer
def test_stakeholders_and_other_cities_managers_get_the_stakeholder_edition(
    world, marked, client_factory, tmp_path, django_capture_on_commit_callbacks
):
    stakeholder = client_factory(world.users[Role.STAKEHOLDER])
    request(stakeholder, django_capture_on_commit_callbacks)
    report = Report.objects.get(requested_by=world.users[Role.STAKEHOLDER], kind=Report.Kind.CITY)
    assert report.audience == Report.Audience.STAKEHOLDER and report.status == Report.Status.DONE
    text = pdf_text(downloaded(stakeholder, report), tmp_path)
    for kind, marker in MARKERS.items():
        assert marker not in text, kind
    assert "stakeholder edition" in stakeholder.get(f"/reports/{report.pk}/").content.decode()
    # Asking for the full edition is refused with a message; nothing is queued.
    for user in (world.users[Role.STAKEHOLDER], world.others[Role.CITY_MANAGER], world.others[Role.CONSULTANT]):
        refused = request(client_factory(user), audience=Report.Audience.FULL)
        assert any("full edition" in message for message in error_messages(refused)), user
    assert not Report.objects.filter(audience=Report.Audience.FULL).exclude(pk=world.full_report.pk).exists()
    # Another city's manager gets the same stored stakeholder edition, without a rendering.
    other_manager = client_factory(world.others[Role.CITY_MANAGER])
    answered = request(other_manager)
    assert answered["Location"] == f"/reports/{report.pk}/"
    assert OTHER_MANAGED_CITY != MANAGED_CITY


@needs_renderer
def test_the_full_edition_is_for_the_citys_manager_and_never_leaves_by_a_link(
    world, marked, client, client_factory, tmp_path, django_capture_on_commit_callbacks
):
    manager_user = world.users[Role.CITY_MANAGER]
    manager = client_factory(manager_user)
    page = manager.get(f"/dashboards/cities/{MANAGED_CITY}/?region=G60&period={PERIOD}").content.decode()
    assert 'value="full"' in page  # the form offers the edition this reader may have
    request(manager, django_capture_on_commit_callbacks, audience=Report.Audience.FULL)
    full = Report.objects.exclude(pk=world.full_report.pk).get(requested_by=manager_user, audience=Report.Audience.FULL)
    text = pdf_text(downloaded(manager, full), tmp_path)
    for kind, marker in MARKERS.items():
        assert marker in text, kind
    # Nobody who may not read the assessment downloads it by its number.
    for outsider in (world.users[Role.STAKEHOLDER], world.others[Role.CITY_MANAGER]):
        assert client_factory(outsider).get(f"/reports/{full.pk}/download/").status_code == 404
    # No link to the full edition: refused with a message naming what to share instead.
    refused = manager.post(f"/reports/{full.pk}/links/", {"days": 7, "recipient": "Press"})
    assert any("stakeholder edition" in message for message in error_messages(refused))
    assert not ReportLink.objects.filter(report=full).exists()
    assert "Request the stakeholder edition" in manager.get(f"/reports/{full.pk}/").content.decode()
    # A link that points at a full edition anyway (made before editions existed) serves nothing.
    old = ReportLink.objects.create(report=full, created_by=manager_user, expires_at=timezone.now() + timedelta(days=3))
    assert client.get(f"/shared/{signing.dumps(old.key, salt=LINK_SALT)}/").status_code == 404
    # The stakeholder edition of the same inputs is another file, and that one is shared.
    request(manager, django_capture_on_commit_callbacks, audience=Report.Audience.STAKEHOLDER)
    edition = Report.objects.get(requested_by=manager_user, audience=Report.Audience.STAKEHOLDER, kind=Report.Kind.CITY)
    assert edition.input_key != full.input_key and edition.file.name != full.file.name
    manager.post(f"/reports/{edition.pk}/links/", {"days": 7})
    link = ReportLink.objects.get(report=edition)
    opened = client.get(f"/shared/{signing.dumps(link.key, salt=LINK_SALT)}/")
    assert opened.status_code == 200
    text = pdf_text(b"".join(opened.streaming_content), tmp_path)
    for kind, marker in MARKERS.items():
        assert marker not in text, kind


# report_quota


def test_one_user_may_have_only_a_few_reports_queued_at_once(world, client_factory, settings):
    settings.REPORT_USER_QUEUE_LIMIT = 3
    user = world.others[Role.STAKEHOLDER]  # has asked for no report yet
    stakeholder = client_factory(user)
    for city, language in (("310000", "en"), ("310000", "zh"), ("330100", "en")):
        assert request(stakeholder, city=city, language=language)["Location"].startswith("/reports/")
    queued = Report.objects.filter(requested_by=user, status=Report.Status.QUEUED)
    assert queued.count() == 3
    # The same inputs again are the report already queued: no new rendering, no refusal.
    again = request(stakeholder, city="310000", language="en")
    assert again["Location"] == f"/reports/{queued.get(city_id='310000', language='en').pk}/"
    refused = request(stakeholder, city="320500")
    assert refused["Location"] == "/reports/"
    assert any("3 reports queued or rendering" in message for message in error_messages(refused))
    assert Report.objects.filter(requested_by=user).count() == 3
    # Another user is not held back by this one's queue.
    assert request(client_factory(world.users[Role.CONSULTANT]), city="320500")["Location"] != "/reports/"


def test_one_user_may_request_only_so_many_renderings_an_hour(world, client_factory, settings):
    settings.REPORT_USER_HOURLY_LIMIT = 2
    user = world.others[Role.STAKEHOLDER]  # has asked for no report yet
    stakeholder = client_factory(user)
    request(stakeholder, city="310000")
    request(stakeholder, city="330100")
    mine = Report.objects.filter(requested_by=user)
    # Both rendered (a file stored for the first): neither is waiting any more.
    first = mine.get(city_id="310000")
    first.file.save("hourly.pdf", ContentFile(TINY_PDF), save=False)
    first.status = Report.Status.DONE
    first.save()
    mine.filter(city_id="330100").update(status=Report.Status.FAILED)
    refused = request(stakeholder, city="320500")
    oldest = timezone.localtime(first.created_at + timedelta(hours=1)).strftime("%H:%M")
    assert any(
        "2 reports in the last hour" in message and f"Try again after {oldest}" in message
        for message in error_messages(refused)
    ), error_messages(refused)
    assert mine.count() == 2
    # The stored file of the same inputs comes back: that costs no rendering, so no limit applies.
    assert request(stakeholder, city="310000")["Location"] == f"/reports/{first.pk}/"
    # An hour later the oldest rendering no longer counts.
    mine.update(created_at=timezone.now() - timedelta(minutes=61))
    assert request(stakeholder, city="320500")["Location"] != "/reports/"
    assert mine.count() == 3


def test_nobody_queues_more_once_the_queue_is_full(world, client_factory, settings):
    settings.REPORT_QUEUE_LIMIT = 2
    request(client_factory(world.users[Role.STAKEHOLDER]), city="310000")
    request(client_factory(world.others[Role.STAKEHOLDER]), city="330100")
    assert Report.objects.filter(status=Report.Status.QUEUED).count() == 2
    refused = request(client_factory(world.users[Role.CONSULTANT]), city="320500")
    assert any("2 reports are waiting to be rendered" in message for message in error_messages(refused))
    assert Report.objects.filter(status=Report.Status.QUEUED).count() == 2


@needs_renderer
def test_the_render_command_writes_the_stakeholder_edition_unless_told_otherwise(world, marked, tmp_path):
    from django.core.management import call_command

    inputs = {"city": MANAGED_CITY, "period": PERIOD, "lang": "en", "stdout": io.StringIO()}
    call_command("render_report", "city", out=str(tmp_path / "default.pdf"), **inputs)
    call_command("render_report", "city", out=str(tmp_path / "full.pdf"), audience="full", **inputs)
    default = pdf_text((tmp_path / "default.pdf").read_bytes(), tmp_path)
    full = pdf_text((tmp_path / "full.pdf").read_bytes(), tmp_path)
    for kind, marker in MARKERS.items():
        assert marker not in default and marker in full, kind
