"""Reference data: provinces, cities and the regions they form.

Cities are identified by their GB/T 2260 administrative division code,
never by their English name: 苏州 (320500) and 宿州 (341300) are both
"Suzhou", 泰州 (321200) and 台州 (331000) are both "Taizhou".
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.bilingual import bilingual, either_language, in_english

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
        return bilingual(self, "name")


class Province(BilingualNameMixin):
    code = models.CharField(_("code"), max_length=6, primary_key=True, validators=[division_code_validator])

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

    code = models.CharField(_("division code"), max_length=6, primary_key=True, validators=[division_code_validator])
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))
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
    def name_en_distinct(self) -> str:
        """The English name, with the province in brackets when another city shares it.

        "Suzhou" is both 苏州 (Jiangsu) and 宿州 (Anhui), "Taizhou" both 泰州
        (Jiangsu) and 台州 (Zhejiang); their Chinese names differ, so only the
        English one needs the province. Unique names stay short in tables.
        """
        if self.name_en in ambiguous_english_names():
            return f"{self.name_en} ({self.province.name_en})"
        return self.name_en

    @property
    def name_distinct(self) -> str:
        """`name` in the active language, told apart from a namesake (see name_en_distinct)."""
        return self.name_en_distinct if in_english() else self.name_zh

    @property
    def display_name(self) -> str:
        """The name plus the province, which tells apart 苏州 and 宿州."""
        if self.level == self.Level.MUNICIPALITY:
            return self.name
        return f"{self.name} ({self.province.name})" if in_english() else f"{self.name}（{self.province.name}）"


_ambiguous_english_names: frozenset[str] | None = None


def ambiguous_english_names() -> frozenset[str]:
    """English city names that more than one city bears; one query, then kept.

    Forgotten at the start of every request and every task and whenever a city
    is saved or deleted (cities.apps): a per-request memo, not a per-process
    cache, so an imported namesake is told apart at once on every machine.
    """
    global _ambiguous_english_names
    if _ambiguous_english_names is None:
        _ambiguous_english_names = frozenset(
            City.objects.order_by()
            .values("name_en")
            .annotate(bearers=models.Count("code"))
            .filter(bearers__gt=1)
            .values_list("name_en", flat=True)
        )
    return _ambiguous_english_names


def forget_ambiguous_english_names(**kwargs) -> None:
    global _ambiguous_english_names
    _ambiguous_english_names = None


class Region(BilingualNameMixin):
    class Kind(models.TextChoices):
        CORRIDOR = "corridor", _("corridor")
        CITY_CLUSTER = "city_cluster", _("city cluster")
        PROVINCE = "province", _("province")
        # A planned core inside a larger region (the YRD central area of the 2019 outline).
        CENTRAL_AREA = "central_area", _("central area")
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
        return bilingual(self, "description")


class RegionMembership(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("region"))
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city"))
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    # Where the city takes part through only part of its territory (Shanghai through Songjiang in the G60).
    note_zh = models.CharField(_("Chinese note"), max_length=200, blank=True)
    note_en = models.CharField(_("English note"), max_length=200, blank=True)

    class Meta:
        ordering = ["region", "city"]
        verbose_name = _("region member")
        verbose_name_plural = _("region members")
        constraints = [models.UniqueConstraint(fields=["region", "city"], name="region_member_once")]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.city_id}"

    @property
    def note(self) -> str:
        return bilingual(self, "note")


class Agreement(models.Model):
    """A cross-boundary agreement binding two or more cities in one service domain."""

    class Domain(models.TextChoices):
        GOVERNMENT_SERVICES = "government_services", _("Government services")
        SOCIAL_SECURITY = "social_security", _("Social security")
        HOUSING_PROVIDENT_FUND = "housing_provident_fund", _("Housing provident fund")
        MEDICAL = "medical", _("Medical care and insurance")
        HEALTH_CODE_IDENTITY = "health_code_identity", _("Health code and identity")
        TRANSPORT = "transport", _("Transport")
        EMERGENCY_RESPONSE = "emergency_response", _("Emergency response")
        PUBLIC_SECURITY = "public_security", _("Public security")
        ENVIRONMENT = "environment", _("Environment")
        ENTERPRISE_SERVICES = "enterprise_services", _("Enterprise services")
        TALENT = "talent", _("Talent")
        SCIENCE_TECHNOLOGY = "science_technology", _("Science and technology")
        DATA_SHARING = "data_sharing", _("Data sharing")
        EDUCATION = "education", _("Education")
        CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
        LOGISTICS = "logistics", _("Logistics")

    class Mode(models.TextChoices):
        MUTUAL_RECOGNITION = "mutual_recognition", _("Mutual recognition")
        DATA_SHARING = "data_sharing", _("Data sharing")
        JOINT_HANDLING = "joint_handling", _("Joint handling")
        COMMON_STANDARD = "common_standard", _("Common standard")
        JOINT_BODY = "joint_body", _("Joint body")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")

    key = models.SlugField(
        _("key"),
        max_length=80,
        unique=True,
        help_text=_("A stable identifier; importing a file again updates the agreement with this key."),
    )
    title_zh = models.CharField(_("Chinese title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300)
    domain = models.CharField(_("service domain"), max_length=30, choices=Domain.choices)
    mode = models.CharField(_("mode"), max_length=30, choices=Mode.choices)
    parties = models.ManyToManyField(
        City, through="AgreementParty", related_name="agreements", verbose_name=_("parties")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("region"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    service_items = models.PositiveIntegerField(
        _("service items"),
        null=True,
        blank=True,
        help_text=_("How many services or procedures the agreement covers, where it says."),
    )
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    # Notes in Chinese first (or in the one language they were written in), with an optional English
    # version: a reader sees their language's, or the other when only one was written.
    evidence_note = models.TextField(_("evidence note"), blank=True)
    evidence_note_en = models.TextField(_("evidence note (English)"), blank=True)
    source = models.TextField(_("source"), blank=True)
    source_en = models.TextField(_("source (English)"), blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        help_text=_("Made up for demonstration; not a record of a real agreement."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(in_force_from__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(in_force_from__lte=F("expires_on")),
                name="agreement_in_force_before_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title_zh}"

    def get_absolute_url(self) -> str:
        return reverse("cities:agreement_detail", args=[self.key])

    @property
    def title(self) -> str:
        return bilingual(self, "title")

    @property
    def evidence_note_text(self) -> str:
        return either_language(self.evidence_note, self.evidence_note_en)

    @property
    def source_text(self) -> str:
        return either_language(self.source, self.source_en)

    # Pages and reports show the status on a date, as the network counts it (cities.network.is_in_force),
    # not the one typed when the record was made: one recorded "in force" is expired after its expiry date
    # and only signed before it takes effect; one recorded "expired" was in force between its two dates
    # (a report of 2021 reads the health-code recognition, expired in 2022, as in force then).
    # The same rule twice, for Python and for a query; a test holds them and is_in_force together.
    def status_on(self, on: dt.date) -> str:
        if self.status == self.Status.IN_FORCE:
            if self.expires_on is not None and on > self.expires_on:
                return self.Status.EXPIRED
            if self.in_force_from is not None and on < self.in_force_from:
                return self.Status.SIGNED
        if self.status == self.Status.EXPIRED and self.in_force_from is not None and self.expires_on is not None:
            if self.in_force_from <= on <= self.expires_on:
                return self.Status.IN_FORCE
        return self.status

    @classmethod
    def status_on_expression(cls, on: dt.date) -> Case:
        in_force = Q(status=cls.Status.IN_FORCE)
        return Case(
            When(in_force & Q(expires_on__lt=on), then=Value(cls.Status.EXPIRED)),
            When(in_force & Q(in_force_from__gt=on), then=Value(cls.Status.SIGNED)),
            When(
                Q(status=cls.Status.EXPIRED, in_force_from__lte=on, expires_on__gte=on),
                then=Value(cls.Status.IN_FORCE),
            ),
            default=F("status"),
            output_field=models.CharField(),
        )

    def status_label_on(self, on: dt.date) -> str:
        return str(self.Status(self.status_on(on)).label)

    @property
    def status_today(self) -> str:
        """The status label as of today (the date the page is read)."""
        return self.status_label_on(timezone.localdate())


class AgreementParty(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="party_links",
        verbose_name=_("agreement"),
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="agreement_links", verbose_name=_("city"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["agreement", "city"]
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        constraints = [models.UniqueConstraint(fields=["agreement", "city"], name="agreement_party_once")]

    def __str__(self) -> str:
        return f"{self.agreement_id} · {self.city_id} ({self.role})"


class CityPairFlow(models.Model):
    """A measured flow of people from one city to another in one year (commuting, migration), imported from a CSV.

    When the flows of a year list every pair of a region's cities they replace the
    gravity model of the dual-space gap (cities.dual_space); the two directions are added.
    """

    # The years a flow may have: from the People's Republic's first year; read by cities.flow_import too.
    FIRST_YEAR = 1949
    LAST_YEAR = 2100

    class Kind(models.TextChoices):
        COMMUTING = "commuting", _("Commuting")
        MIGRATION = "migration", _("Migration index")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other flow")

    origin = models.ForeignKey(City, on_delete=models.PROTECT, related_name="outgoing_flows", verbose_name=_("origin"))
    destination = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="incoming_flows", verbose_name=_("destination")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    kind = models.CharField(_("kind of flow"), max_length=20, choices=Kind.choices)
    value = models.FloatField(_("value"), validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=60, help_text=_("For example: people per day, or index points."))
    source = models.TextField(_("source"), blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        help_text=_("Made up for demonstration; not a record of a real flow."),
    )

    class Meta:
        ordering = ["year", "kind", "origin", "destination"]
        verbose_name = _("flow between cities")
        verbose_name_plural = _("flows between cities")
        constraints = [
            models.UniqueConstraint(fields=["origin", "destination", "year", "kind"], name="city_pair_flow_once"),
            models.CheckConstraint(condition=~Q(origin=F("destination")), name="city_pair_flow_two_cities"),
            models.CheckConstraint(condition=Q(value__gte=0), name="city_pair_flow_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.origin_id} → {self.destination_id} {self.year} {self.kind}: {self.value:g} {self.unit}"


class CityAttribute(models.Model):
    """A number about a city imported for peer groups (GDP per head, built-up area ...), with its year and source."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("city"))
    key = models.SlugField(_("attribute"), max_length=50, help_text=_("For example gdp_per_head."))
    value = models.FloatField(_("value"))
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1949), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["city", "key"]
        verbose_name = _("city attribute")
        verbose_name_plural = _("city attributes")
        constraints = [models.UniqueConstraint(fields=["city", "key"], name="city_attribute_once")]

    def __str__(self) -> str:
        return f"{self.city_id} {self.key}={self.value}"


class PeerGroup(BilingualNameMixin):
    """Cities like one another, by a rule over their attributes (cities/peer_groups.py says how it is read)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    attribute = models.SlugField(
        _("attribute"),
        max_length=50,
        help_text=_("level, province, population, or the key of an imported city attribute."),
    )
    values = models.JSONField(
        _("values"), default=list, blank=True, help_text=_("For level or province: the values that belong.")
    )
    minimum = models.FloatField(_("from (inclusive)"), null=True, blank=True)
    maximum = models.FloatField(_("below"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_zh}"

    @property
    def description(self) -> str:
        return bilingual(self, "description")
