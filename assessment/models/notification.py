"""Reminders: what each user should know about their assessments (assigned, returned, deadline near, overdue).

A notification names its kind and its assessment; its words are made when it
is read, in the reader's language. ``key`` makes a reminder once only: running
`send_reminders` twice a day does not remind twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models.assessment import Assessment


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        RETURNED = "returned", _("returned")
        DEADLINE_SOON = "deadline_soon", _("deadline near")
        OVERDUE = "overdue", _("overdue")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("assessment")
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
