"""A campaign: one region's (or a list of cities') assessments for one period, opened at once.

Real evaluations run as campaigns (GB/T 33356's national evaluation, a
consultancy's year with the YRD): the reviewer opens one assessment per city
against one published framework version, hands them to a team, sets one
deadline, and follows them on one progress board. The campaign keeps the
cities it was opened for; each of its assessments points back to it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.models.framework import Framework
from cities.models import City, Region


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("region"),
        help_text=_("Empty when the campaign was opened for a list of cities."),
    )
    cities = models.ManyToManyField(City, related_name="campaigns", verbose_name=_("cities"))
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("framework version")
    )
    period = models.PositiveSmallIntegerField(
        _("period (year)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("reviewer")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("opened on"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            # Opening the same region's campaign twice finds the first one (open_campaign is re-runnable).
            models.UniqueConstraint(
                fields=["region", "period", "framework"],
                condition=models.Q(region__isnull=False),
                name="campaign_once_per_region_period_framework",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessment:campaign_board", args=[self.pk])
