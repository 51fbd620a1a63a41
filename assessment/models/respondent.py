"""City respondents: city staff who submit their own city's answers for a campaign (issue 21, point 2).

A respondent answers for one city, and optionally only some dimensions or
indicators (a department answers for its own area): ``scope`` lists
dimension codes (W1) or indicator codes (W1.1); empty means every indicator.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cities.models import City


class CityRespondent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="respondent_for", verbose_name=_("user")
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="respondents", verbose_name=_("city"))
    department = models.CharField(_("department"), max_length=200, blank=True)
    scope = models.JSONField(
        _("dimensions or indicators"),
        default=list,
        blank=True,
        help_text=_("Codes such as W1 or W1.1 the respondent answers; empty: every indicator."),
    )

    class Meta:
        verbose_name = _("city respondent")
        verbose_name_plural = _("city respondents")
        constraints = [models.UniqueConstraint(fields=["user", "city"], name="respondent_once_per_city")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.city_id}"

    def covers(self, indicator_code: str, dimension_code: str) -> bool:
        """True when this respondent answers the indicator (by its code or its dimension's)."""
        return not self.scope or indicator_code in self.scope or dimension_code in self.scope
