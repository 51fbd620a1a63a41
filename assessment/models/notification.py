"""Reminders: what each user should know about their assessments (assigned, returned, deadline near, overdue)
and their blind ratings (asked of them; submitted, for those who read its agreement report).

A notification names its kind and its assessment; its words are made when it
is read, in the reader's language. ``key`` makes a reminder once only: running
`send_reminders` twice a day does not remind twice.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.models.assessment import Assessment
from assessment.models.calibration import BlindRating


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        RETURNED = "returned", _("returned")
        DEADLINE_SOON = "deadline_soon", _("deadline near")
        OVERDUE = "overdue", _("overdue")
        BLIND_RATING_ASKED = "blind_asked", _("blind rating asked")
        BLIND_RATING_SUBMITTED = "blind_submitted", _("blind rating submitted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("assessment")
    )
    # The blind rating a blind-rating notification is about: its rater may not open the assessment itself.
    blind_rating = models.ForeignKey(
        BlindRating,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("blind rating"),
    )
    key = models.CharField(_("key"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.assessment_id}"

    def get_absolute_url(self) -> str:
        """Where the notification leads: the rating to fill in, its agreement report, or the assessment."""
        if self.kind == self.Kind.BLIND_RATING_ASKED and self.blind_rating_id:
            return reverse("assessment:blind_rating_answer", args=[self.blind_rating_id])
        if self.kind == self.Kind.BLIND_RATING_SUBMITTED and self.blind_rating_id:
            return reverse("assessment:blind_rating_agreement", args=[self.blind_rating_id])
        return self.assessment.get_absolute_url()
