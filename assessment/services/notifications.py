"""Reminders to the people of an assessment: in the app always, by e-mail when the deployment has mail.

- assigned: a consultant or reviewer put on an assessment (opened, or the team changed);
- returned: the reviewer sent indicators back to the consultants;
- deadline near (REMIND_DAYS_BEFORE days before), overdue: from `manage.py send_reminders`, run daily (cron or a
  systemd timer), for assessments still in draft or returned; each once per deadline.

E-mail goes out when NOTIFICATION_EMAILS is on (it is when EMAIL_HOST is set), to
users who have an address, after the transaction that caused it commits; a mail
server that refuses is logged, and the in-app notification stays.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessment.models import Assessment, BlindRating, Notification

logger = logging.getLogger("dualspace.notifications")

REMIND_DAYS_BEFORE = 3


def notification_text(notification: Notification) -> str:
    """What the notification says, in the reader's language."""
    assessment = notification.assessment
    where = f"{assessment.city.name} {assessment.period}"
    deadline = assessment.deadline.isoformat() if assessment.deadline else ""
    return {
        Notification.Kind.ASSIGNED: _("You are on the team of %(where)s."),
        Notification.Kind.RETURNED: _("%(where)s was returned: indicators wait for your answers."),
        Notification.Kind.DEADLINE_SOON: _("%(where)s is due on %(deadline)s, in %(days)d days."),
        Notification.Kind.OVERDUE: _("%(where)s was due on %(deadline)s and is not submitted."),
        Notification.Kind.BLIND_RATING_ASKED: _("A blind second rating of %(where)s is asked of you."),
        Notification.Kind.BLIND_RATING_SUBMITTED: _(
            "The blind rating of %(where)s is submitted: its agreement report is open."
        ),
    }[Notification.Kind(notification.kind)] % {"where": where, "deadline": deadline, "days": REMIND_DAYS_BEFORE}


def notify(
    users: Iterable[AbstractBaseUser | None],
    kind: str,
    assessment: Assessment,
    key: str,
    blind_rating: BlindRating | None = None,
) -> int:
    """One notification per user for ``key`` (a second call with the same key adds nothing); how many were new."""
    made = 0
    for user in {u.pk: u for u in users if u is not None}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user, kind=kind, assessment=assessment, key=key[:100], blind_rating=blind_rating
                )
        except IntegrityError:
            continue
        made += 1
        if settings.NOTIFICATION_EMAILS and user.email:  # type: ignore[attr-defined]
            transaction.on_commit(lambda n=notification: _email(n))
    return made


def _email(notification: Notification) -> None:
    # The deployment's language: mail has no reader's cookie.
    with translation.override(settings.LANGUAGE_CODE):
        text = notification_text(notification)
        subject = _("DualSpace: %(text)s") % {"text": text}
        body = text + "\n\n" + settings.SITE_URL.rstrip("/") + notification.get_absolute_url()
    try:
        send_mail(subject, body, None, [notification.user.email])
    except Exception:  # a mail server's refusal must not undo the work that caused the mail
        logger.exception("notification %s could not be e-mailed", notification.pk)
        return
    Notification.objects.filter(pk=notification.pk).update(emailed=True)


def notify_assigned(assessment: Assessment, users: Iterable[AbstractBaseUser | None]) -> int:
    return notify(users, Notification.Kind.ASSIGNED, assessment, f"assigned:{assessment.pk}")


def notify_blind_rating_asked(rating: BlindRating) -> int:
    return notify(
        [rating.rater], Notification.Kind.BLIND_RATING_ASKED, rating.assessment, f"blind-asked:{rating.pk}", rating
    )


def notify_blind_rating_submitted(rating: BlindRating, readers: Iterable[AbstractBaseUser | None]) -> int:
    """Tells ``readers`` (those who may open its agreement report) that the rating is in; never its rater."""
    return notify(
        [user for user in readers if user is not None and user.pk != rating.rater_id],
        Notification.Kind.BLIND_RATING_SUBMITTED,
        rating.assessment,
        f"blind-submitted:{rating.pk}",
        rating,
    )


def notify_returned(assessment: Assessment) -> int:
    # A second return is news again: the key carries the time.
    key = f"returned:{assessment.pk}:{timezone.now():%Y%m%d%H%M%S%f}"
    return notify(assessment.consultants.all(), Notification.Kind.RETURNED, assessment, key)


def reminders_send(today: dt.date | None = None) -> int:
    """Deadline-in-3-days and overdue reminders for the consultants of editable assessments; how many were new."""
    today = today or timezone.localdate()
    made = 0
    due = Assessment.objects.filter(status__in=Assessment.EDITABLE_STATUSES, deadline__isnull=False).prefetch_related(
        "consultants"
    )
    for assessment in due.select_related("city"):
        deadline = assessment.deadline
        assert deadline is not None
        if deadline == today + dt.timedelta(days=REMIND_DAYS_BEFORE):
            made += notify(
                assessment.consultants.all(),
                Notification.Kind.DEADLINE_SOON,
                assessment,
                f"deadline_soon:{assessment.pk}:{deadline}",
            )
        elif deadline < today:
            made += notify(
                [*assessment.consultants.all(), assessment.reviewer],
                Notification.Kind.OVERDUE,
                assessment,
                f"overdue:{assessment.pk}:{deadline}",
            )
    return made


def notifications_mark_read(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
