"""Reference data: provinces, cities and the regions they form.

Cities are identified by their GB/T 2260 administrative division code,
never by their English name: 苏州 (320500) and 宿州 (341300) are both
"Suzhou", 泰州 (321200) and 台州 (331000) are both "Taizhou".
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

division_code_validator = RegexValidator(
    r"^[1-9]\d{5}$", _("An administrative division code has six digits (GB/T 2260).")
)


class BilingualNameMixin(models.Model):
    """A name in Chinese and English; `name` follows the active language."""

    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Province(BilingualNameMixin):
    code = models.CharField(
        _("code"), max_length=6, primary_key=True, validators=[division_code_validator]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


class City(BilingualNameMixin):
    class Level(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        SUB_PROVINCIAL = "sub_provincial", _("sub-provincial city")
        PREFECTURE = "prefecture", _("prefecture-level city")

    code = models.CharField(
        _("division code"), max_length=6, primary_key=True, validators=[division_code_validator]
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province")
    )
    level = models.CharField(_("administrative level"), max_length=20, choices=Level.choices)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    population = models.PositiveBigIntegerField(_("resident population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=200, blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_cities",
        verbose_name=_("city managers"),
        help_text=_("Accounts of city managers who may read this city's published results."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90),
                name="city_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180),
                name="city_longitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population_year__isnull=False),
                name="city_population_has_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_en} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("cities:city_detail", args=[self.code])

    @property
    def display_name(self) -> str:
        """The name plus the province, which tells apart 苏州 and 宿州."""
        if self.level == self.Level.MUNICIPALITY:
            return self.name
        return f"{self.name} ({self.province.name})" if (get_language() or "").startswith(
            "en"
        ) else f"{self.name}（{self.province.name}）"


class Region(BilingualNameMixin):
    class Kind(models.TextChoices):
        CORRIDOR = "corridor", _("corridor")
        CITY_CLUSTER = "city_cluster", _("city cluster")
        PROVINCE = "province", _("province")
        CUSTOM = "custom", _("custom")

    code = models.SlugField(_("code"), max_length=20, primary_key=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    cities = models.ManyToManyField(
        City, through="RegionMembership", related_name="regions", verbose_name=_("member cities")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def get_absolute_url(self) -> str:
        return reverse("cities:region_detail", args=[self.code])

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "").startswith("en") else self.description_zh


class RegionMembership(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("region")
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city")
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        ordering = ["region", "city"]
        verbose_name = _("region member")
        verbose_name_plural = _("region members")
        constraints = [
            models.UniqueConstraint(fields=["region", "city"], name="region_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.city_id}"
