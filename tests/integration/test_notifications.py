"""Reminders (issue 21, point 5): assigned, returned, deadline in 3 days, overdue; in the app and by e-mail.

E-mail is Django's locmem backend, which the test runner puts in every MAILERS entry (NOTIFICATION_EMAILS on).
Each reminder comes once; each user sees their own list only.
"""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from assessment.models import Assessment, Notification, ReviewComment
from assessment.services.assessments import assessment_return, assessment_submit, assessment_team_set
from assessment.services.notifications import reminders_send
from tests.assessment_builders import answer_everything
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_on(settings):
    settings.NOTIFICATION_EMAILS = True
    settings.SITE_URL = "https://dualspace.example.gov"


@pytest.fixture
def team(reference_data, default_framework):
    return {
        "reviewer": UserFactory(username="reviewer", roles=[Role.REVIEWER], email="r@example.gov"),
        "consultant": UserFactory(username="consultant", roles=[Role.CONSULTANT], email="c@example.gov"),
        "other": UserFactory(username="other", roles=[Role.CONSULTANT], email="o@example.gov"),
    }


def open_g60(deadline: dt.date) -> None:
    call_command(
        "open_campaign",
        "--region=G60",
        "--period=2026",
        "--framework=DSMF:1.0",
        "--reviewer=reviewer",
        "--consultants=consultant",
        f"--deadline={deadline.isoformat()}",
        stdout=io.StringIO(),
    )


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_opening_a_campaign_tells_the_team_in_the_app_and_by_mail(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_g60(timezone.localdate() + dt.timedelta(days=30))
    assert kinds(team["consultant"]) == ["assigned"] * 9 and kinds(team["reviewer"]) == ["assigned"] * 9
    assert len(mail.outbox) == 18
    sent = next(m for m in mail.outbox if m.to == ["c@example.gov"])
    assert sent.subject.startswith("双空间") or sent.subject.startswith("DualSpace")
    assert "https://dualspace.example.gov/assessments/" in sent.body
    assert Notification.objects.filter(emailed=True).count() == 18


def test_a_new_team_member_is_told_and_the_others_are_not_told_again(team, django_capture_on_commit_callbacks):
    open_g60(timezone.localdate() + dt.timedelta(days=30))
    hangzhou = Assessment.objects.get(city_id="330100")
    with django_capture_on_commit_callbacks(execute=True):
        assessment_team_set(
            assessment=hangzhou,
            user=team["reviewer"],
            consultants=[team["consultant"], team["other"]],
            reviewer=team["reviewer"],
        )
    assert kinds(team["other"]) == ["assigned"]
    assert Notification.objects.filter(user=team["consultant"], assessment=hangzhou).count() == 1


def test_a_return_tells_the_consultants(team):
    open_g60(timezone.localdate() + dt.timedelta(days=30))
    jiaxing = Assessment.objects.get(city_id="330400")
    answer_everything(jiaxing, derived_reason="Agreements signed after the record was made.")
    assessment_submit(assessment=jiaxing, user=team["consultant"])
    response = jiaxing.responses.first()
    ReviewComment.objects.create(response=response, author=team["reviewer"], body="Source?", returns_indicator=True)
    assessment_return(assessment=jiaxing, user=team["reviewer"])
    assert Notification.objects.filter(user=team["consultant"], kind="returned", assessment=jiaxing).count() == 1


def test_deadline_reminders_come_three_days_before_and_once_overdue(team):
    today = timezone.localdate()
    open_g60(today + dt.timedelta(days=3))
    assert reminders_send(today) == 9  # the consultant, once per city
    assert reminders_send(today) == 0  # twice the same day: nothing new
    assert kinds(team["consultant"]).count("deadline_soon") == 9
    assert reminders_send(today + dt.timedelta(days=1)) == 0  # 2 days before: nothing
    Assessment.objects.filter(city_id="330100").update(status=Assessment.Status.SUBMITTED)
    overdue = reminders_send(today + dt.timedelta(days=4))
    assert overdue == 8 * 2  # the consultant and the reviewer of the 8 not submitted
    assert not Notification.objects.filter(kind="overdue", assessment__city_id="330100").exists()
    assert reminders_send(today + dt.timedelta(days=5)) == 0
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "reminders sent" in out.getvalue()


def test_each_user_reads_their_own_list_and_marks_it_read(team, client_factory):
    open_g60(timezone.localdate() + dt.timedelta(days=30))
    consultant, other = client_factory(team["consultant"]), client_factory(team["other"])
    page = consultant.get("/notifications/")
    assert page.status_code == 200 and len(page.context["rows"]) == 9
    assert page.context["unread_notifications"] == 9
    assert other.get("/notifications/").context["rows"] == []
    assert consultant.post("/notifications/read/").status_code == 302
    assert consultant.get("/").context["unread_notifications"] == 0
    assert Notification.objects.filter(user=team["reviewer"], read_at__isnull=True).count() == 9


def test_without_mail_configured_nothing_is_mailed(team, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_EMAILS = False
    with django_capture_on_commit_callbacks(execute=True):
        open_g60(timezone.localdate() + dt.timedelta(days=30))
    assert mail.outbox == [] and Notification.objects.count() == 18
