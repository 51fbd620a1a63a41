"""Blind second ratings: the inter-rater check of the level indicators (issue 20, point 2).

A reviewer asks a second consultant to rate an assessment's level indicators
from its evidence without seeing the first consultant's levels. While the
rating is open the second consultant cannot read the assessment (the
visibility rule in selectors/assessments.py); once submitted, the agreement
report compares the two answer sets (scoring/agreement.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models.assessment import Assessment
from assessment.models.framework import Indicator


class BlindRating(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SUBMITTED = "submitted", _("submitted")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="blind_ratings", verbose_name=_("assessment")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="blind_ratings", verbose_name=_("second rater")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("blind second rating")
        verbose_name_plural = _("blind second ratings")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "rater"], name="blind_rating_once_per_rater"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} / {self.rater_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class BlindAnswer(models.Model):
    """The second rater's level for one indicator; no level and not applicable both mean "not rated"."""

    rating = models.ForeignKey(BlindRating, on_delete=models.CASCADE, related_name="answers", verbose_name=_("rating"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)

    class Meta:
        verbose_name = _("blind answer")
        verbose_name_plural = _("blind answers")
        constraints = [
            models.UniqueConstraint(fields=["rating", "indicator"], name="blind_answer_once_per_indicator"),
            models.CheckConstraint(condition=models.Q(level__lte=5), name="blind_answer_level_0_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.indicator_id}: {self.level}"
