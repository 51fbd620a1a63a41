"""A report whose worker stopped giving signs of life is queued again, or failed with a message.

The real thing (workers killed with SIGKILL) is tests/load/test_worker_killed.py;
these are the rules, in process.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.roles import Role
from assessment.models import Report
from assessment.services import reports as report_service
from cities.models import Region
from config.storage import PARTIAL_PREFIX

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(reference_data, default_framework, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REPORT_STALE_AFTER = 60
    settings.REPORT_MAX_ATTEMPTS = 2

    def make(*, silent_for: int, attempts: int = 1) -> Report:
        return Report.objects.create(
            kind=Report.Kind.REGION,
            region=Region.objects.get(code="G60"),
            framework=default_framework,
            period=2025,
            language="en",
            input_key=f"{silent_for:064d}",
            status=Report.Status.RUNNING,
            progress=60,
            attempts=attempts,
            worker="elsewhere:123",
            heartbeat_at=timezone.now() - timedelta(seconds=silent_for),
        )

    return make


@pytest.fixture
def reader(client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = "en"
    return client


def partial_file(name: str) -> Path:
    """What AtomicFileSystemStorage leaves when its writer of ``name`` is killed before the file is linked."""
    target = Path(default_storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.parent / f"{PARTIAL_PREFIX}{target.name}-left1234"  # mkstemp adds 8 random characters
    path.write_bytes(b"%PDF-1.7 half")
    return path


def test_a_report_whose_worker_is_alive_is_left_alone(running, reader):
    report = running(silent_for=5)
    status = reader.get(f"/reports/{report.pk}/status.json").json()
    assert status["status"] == "running" and status["progress"] == 60
    assert DBTaskResult.objects.count() == 0


def test_a_silent_worker_s_report_is_queued_again_and_its_leftovers_removed(
    running, reader, django_capture_on_commit_callbacks
):
    report = running(silent_for=61)
    name = report.file.field.generate_filename(report, report.filename)
    mine, other = partial_file(name), partial_file(name.replace(report.input_key[:16], "f" * 16))
    with django_capture_on_commit_callbacks(execute=True):
        status = reader.get(f"/reports/{report.pk}/status.json").json()
    assert status["status"] == "queued" and "rendered again" in status["message"]
    assert DBTaskResult.objects.count() == 1  # the retry is on the queue
    assert not mine.exists() and other.exists()  # another report's file may still be being written
    other.unlink()
    with django_capture_on_commit_callbacks(execute=True):
        reader.get(f"/reports/{report.pk}/")
    assert DBTaskResult.objects.count() == 1  # recovered once, not at every look


def test_after_the_last_attempt_the_page_says_why_and_offers_to_ask_again(running, reader):
    report = running(silent_for=61, attempts=2)
    page = reader.get(f"/reports/{report.pk}/").content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.finished_at is not None
    assert "stopped while rendering this report (2 attempts)" in report.display_message
    assert report.display_message in page
    assert 'data-testid="report-request-again"' in page and DBTaskResult.objects.count() == 0


def test_each_abandoned_report_is_recovered_once(running):
    report = running(silent_for=61, attempts=2)
    assert report_service.report_recover_stale(Report.objects.filter(input_key=report.input_key)) == 1
    assert report_service.report_recover_stale() == 0


def test_the_report_list_shows_a_dead_workers_report_as_it_really_is(running, client_factory, user_with_role):
    requester = user_with_role(Role.CONSULTANT)
    client = client_factory(requester)
    client.cookies["django_language"] = "en"
    dead = running(silent_for=600, attempts=2)
    dead.requested_by = requester
    dead.save(update_fields=["requested_by"])
    page = client.get("/reports/").content.decode()
    dead.refresh_from_db()
    assert dead.status == Report.Status.FAILED
    assert "failed" in page


def test_the_recovery_message_follows_each_reader_s_language_not_the_one_who_triggered_it(
    running, reader, client_factory, user_with_role
):
    report = running(silent_for=61, attempts=2)
    assert "stopped while rendering" in reader.get(f"/reports/{report.pk}/status.json").json()["message"]
    chinese = client_factory(user_with_role(Role.ADMINISTRATOR, is_superuser=True, is_staff=True))
    chinese.cookies["django_language"] = "zh-hans"
    message = chinese.get(f"/reports/{report.pk}/status.json").json()["message"]
    assert "报告" in message and "stopped" not in message
