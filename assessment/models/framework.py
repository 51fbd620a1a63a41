"""The assessment framework as versioned data.

A framework version is a tree of nodes (index, halves, dimensions,
indicators; any depth), indicator details, level descriptors and a stage
ladder. Once published a version never changes, so last year's results keep
reading correctly; edits go to a new draft cloned from it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.framework.methodology import render_methodology
from assessment.scoring.method import MethodParameters
from assessment.scoring.tree import parent_cycles
from cities.bilingual import bilingual, in_english

PERCENT_UNITS = frozenset({"%", "％"})
# A value ten times the upper goalpost is beyond anything the framework expects:
# most often a slip of unit (per 1,000 for per 10,000) or of digits.
PLAUSIBLE_MULTIPLE = 10


@dataclass(frozen=True)
class PlausibleRange:
    """Where an answer to a quantitative indicator is expected to lie; None: no bound on that side."""

    low: float | None
    high: float | None

    def __contains__(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def text(self, unit: str) -> str:
        """The range in figures and symbols ("0–100 %", "≥ 0 件"): the same in every language."""
        from assessment.framework.document import plain_number_text

        if self.high is None:
            figures = f"≥ {plain_number_text(self.low)}"
        elif self.low is None:
            figures = f"≤ {plain_number_text(self.high)}"
        else:
            figures = f"{plain_number_text(self.low)}–{plain_number_text(self.high)}"
        return f"{figures} {unit}".strip()


class ChangeKind(models.TextChoices):
    """How an indicator relates to the previous version's (scoring/crosswalk.py says which carry answers)."""

    SAME = "same", _("same")
    REWORDED = "reworded", _("reworded")
    RESCALED = "rescaled", _("rescaled")
    SPLIT = "split", _("split")
    MERGED = "merged", _("merged")
    NEW = "new", _("new")
    RETIRED = "retired", _("retired")


class FrameworkLockedError(ValidationError):
    """An edit was attempted on a published or retired framework version."""


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def readable(self) -> "FrameworkQuerySet":
        """The versions a reader may choose: published and retired, never a draft."""
        return self.exclude(status=Framework.Status.DRAFT)

    def latest_readable(self, code: str | None = None) -> "Framework | None":
        """The latest published readable version of a framework (the deployment's default when no code is given)."""
        return (
            self.readable().filter(code=code or settings.DUALSPACE_DEFAULT_FRAMEWORK).order_by("-published_at").first()
        )

    def latest_with_results(
        self, code: str | None = None, *, period: int | None = None, city_ids: "Iterable[str] | None" = None
    ) -> "Framework | None":
        """The latest readable version with a published result (in ``period``, of ``city_ids`` when given).

        A period published under an earlier version (2024 under DSMF 1.0, after 1.1 came out) is read in
        the version it was assessed in, not shown as empty; without any such result, ``latest_readable``.
        Published results are open to every signed-in reader, so which versions have one is no secret.
        """
        published = {"assessments__status": "published"}
        if period is not None:
            published["assessments__period"] = period
        if city_ids is not None:
            published["assessments__city_id__in"] = list(city_ids)
        versions = self.readable().filter(code=code or settings.DUALSPACE_DEFAULT_FRAMEWORK)
        found = versions.filter(**published).distinct().order_by("-published_at").first()
        return found or self.latest_readable(code)


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    class Normalisation(models.TextChoices):
        GOALPOSTS = "goalposts", _("goalposts (fixed bounds, 0-100)")
        MINMAX = "minmax", _("min-max over the compared cities (0-100)")
        ZSCORE = "zscore", _("z-score over the compared cities")

    code = models.SlugField(_("code"), max_length=20)
    version = models.CharField(_("version"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    methodology_zh = models.TextField(_("Chinese methodology"), blank=True)
    methodology_en = models.TextField(_("English methodology"), blank=True)
    normalisation = models.CharField(
        _("normalisation"), max_length=20, choices=Normalisation.choices, default=Normalisation.GOALPOSTS
    )
    aggregation = models.JSONField(
        _("aggregation per level"),
        default=dict,
        blank=True,
        help_text=_('Mean used at each kind of node, e.g. {"dimension": "arithmetic"}.'),
    )
    stage_threshold = models.DecimalField(
        _("stage threshold"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(60),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Score (0-100) a required node must reach for a rung of the stage ladder."),
    )
    critical_floor = models.DecimalField(
        _("critical floor"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(40),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Score (0-100) below which a critical indicator blocks the rung."),
    )
    method = models.JSONField(
        _("method parameters"),
        default=dict,
        blank=True,
        help_text=_(
            "How uncertainty and sensitivity are run, as a JSON object over the defaults: runs, weight_perturbation, "
            "seed, rater_move_by_confidence, rater_move_by_quality, normalisation_alternatives, "
            "aggregation_alternatives, imputation_alternatives, sensitivity_samples, interval_low, interval_high. "
            "The methodology texts write these numbers only as placeholders: {runs}, {weight_factor_low}, "
            "{weight_factor_high}, {interval_low}, {interval_high}, {seed}, {rater_move_low}, {rater_move_high}, "
            "{rater_move_table}, {alternatives}, {sensitivity_samples}."
        ),
    )
    change_log = models.JSONField(
        _("change log"),
        default=list,
        blank=True,
        help_text=_(
            "What changed from the previous version besides the indicators' own changes (retired indicators, "
            'stages, gates, weights, method): a list of {"item": "X6.1", "kind": "…", "zh": "…", "en": "…"}.'
        ),
    )
    consistency_rules = models.JSONField(
        _("consistency rules"),
        default=list,
        blank=True,
        help_text=_(
            "Answers that must go together, checked on the review page: a list of "
            '{"if": {"indicator": "W3.2", "at_least": 4}, "then": {"indicator": "W3.1", "at_least": 3}, '
            '"because": {"zh": "…", "en": "…"}} (a level for level indicators, a value for the others).'
        ),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("previous version"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-created_at"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version_unique"),
            models.CheckConstraint(
                condition=Q(stage_threshold__gte=0) & Q(stage_threshold__lte=100),
                name="framework_threshold_0_100",
            ),
            models.CheckConstraint(
                condition=Q(critical_floor__gte=0) & Q(critical_floor__lte=100),
                name="framework_floor_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="framework_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version} ({self.get_status_display()})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A published version may only move on to retired; every other field is frozen.
        if self.pk is not None:
            stored = Framework.objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = {
                    field.attname
                    for field in self._meta.concrete_fields
                    if field.attname not in {"status"} and stored[field.attname] != getattr(self, field.attname)
                }
                moves_back = self.status == self.Status.DRAFT
                if changed or moves_back:
                    raise FrameworkLockedError(
                        _("%(framework)s is %(status)s and can no longer change; clone it into a new draft.")
                        % {"framework": f"{self.code} {self.version}", "status": stored["status"]}
                    )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessment:framework_detail", args=[self.code, self.version])

    @property
    def name(self) -> str:
        return bilingual(self, "name")

    @property
    def description(self) -> str:
        return bilingual(self, "description")

    @property
    def methodology(self) -> str:
        """The methodology in the reader's language, its method numbers filled from this version's parameters."""
        return self.methodology_in("en" if in_english() else "zh")

    def methodology_in(self, language: Literal["zh", "en"]) -> str:
        """The methodology text in ``language`` with every placeholder filled (assessment/framework/methodology.py)."""
        text = self.methodology_en if language == "en" else self.methodology_zh
        return render_methodology(text, self.method_parameters(), language)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def method_parameters(self) -> MethodParameters:
        """The numbers this version's uncertainty and sensitivity run with (its settings over the defaults)."""
        return MethodParameters.from_mapping(self.method)


class FrameworkPart(models.Model):
    """Anything that belongs to one framework version and freezes with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def owning_framework(self) -> Framework:
        raise NotImplementedError

    def _refuse_if_locked(self) -> None:
        framework = self.owning_framework()
        status = Framework.objects.filter(pk=framework.pk).values_list("status", flat=True).first()
        if status is not None and status != Framework.Status.DRAFT:
            raise FrameworkLockedError(
                _("%(framework)s is %(status)s and can no longer change; clone it into a new draft.")
                % {"framework": f"{framework.code} {framework.version}", "status": status}
            )


class FrameworkNode(FrameworkPart):
    class Kind(models.TextChoices):
        INDEX = "index", _("index")
        HALF = "half", _("half")
        DIMENSION = "dimension", _("dimension")
        GROUP = "group", _("group")
        INDICATOR = "indicator", _("indicator")

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("framework")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    code = models.CharField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight"),
        max_digits=10,
        decimal_places=6,
        default=Decimal(1),
        help_text=_("Relative to its siblings; must be greater than zero."),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)

    class Meta:
        ordering = ["framework", "order", "code"]
        verbose_name = _("framework node")
        verbose_name_plural = _("framework nodes")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_code_unique_in_version"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="node_weight_positive"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="node_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def owning_framework(self) -> Framework:
        return self.framework

    @property
    def name(self) -> str:
        return bilingual(self, "name")

    @property
    def description(self) -> str:
        return bilingual(self, "description")

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.framework_id != self.framework_id:
            raise ValidationError({"parent": _("The parent must belong to the same framework version.")})
        # The one cycle rule (scoring.tree.parent_cycles), over the version's nodes with this new parent.
        parent_of = dict(FrameworkNode.objects.filter(framework_id=self.framework_id).values_list("pk", "parent_id"))
        parent_of[self.pk] = self.parent_id
        if any(self.pk in cycle for cycle in parent_cycles(parent_of)):
            raise ValidationError({"parent": _("This parent would make the tree a cycle.")})


class Indicator(FrameworkPart):
    class Type(models.TextChoices):
        LEVEL = "level", _("maturity level 0-5")
        QUANTITATIVE = "quantitative", _("quantitative")
        COUNT = "count", _("count")
        BINARY = "binary", _("yes / no")

    class Direction(models.IntegerChoices):
        HIGHER_IS_BETTER = 1, _("higher is better")
        LOWER_IS_BETTER = -1, _("lower is better")

    class LeadAgency(models.TextChoices):
        """The TYPE of department that leads the work in a Chinese city (generic, never one city's bureau)."""

        DATA_BUREAU = "data_bureau", _("data administration (data bureau / big data centre)")
        GOVERNMENT_SERVICES = "government_services", _("government services administration")
        DEVELOPMENT_REFORM = "development_reform", _("development and reform department")
        INDUSTRY_IT = "industry_it", _("industry and information technology department")
        TRANSPORT = "transport", _("transport department")
        PUBLIC_SECURITY = "public_security", _("public security department")
        HEALTH = "health", _("health department")
        HUMAN_RESOURCES = "human_resources", _("human resources and social security department")
        HOUSING = "housing", _("housing and urban-rural development department (incl. housing provident fund)")
        EMERGENCY = "emergency", _("emergency management department")
        ECOLOGY = "ecology", _("ecology and environment department")
        SCIENCE_TECHNOLOGY = "science_technology", _("science and technology department")
        MARKET_REGULATION = "market_regulation", _("market regulation department")
        CYBERSPACE = "cyberspace", _("cyberspace administration")
        EDUCATION = "education", _("education department")
        CULTURE_TOURISM = "culture_tourism", _("culture and tourism department")
        COMMERCE = "commerce", _("commerce department")
        REGIONAL_COOPERATION = "regional_cooperation", _("regional cooperation office")
        CITY_GOVERNMENT = "city_government", _("city government (several departments)")

    class Control(models.TextChoices):
        """Who must act for the indicator to move: the city alone, its partner cities, or the province."""

        CITY = "city", _("the city alone")
        REGION = "region", _("with partner cities / the region")
        PROVINCE = "province", _("with the province / a national body")

    node = models.OneToOneField(
        FrameworkNode,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="indicator",
        verbose_name=_("node"),
    )
    type = models.CharField(_("type"), max_length=15, choices=Type.choices)
    unit_zh = models.CharField(_("Chinese unit"), max_length=50, blank=True)
    unit_en = models.CharField(_("English unit"), max_length=50, blank=True)
    direction = models.SmallIntegerField(_("direction"), choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    lower = models.FloatField(_("lower goalpost"), null=True, blank=True)
    upper = models.FloatField(_("upper goalpost"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    critical = models.BooleanField(
        _("critical"), default=False, help_text=_("Below the critical floor it blocks its rung of the stage ladder.")
    )
    evidence_zh = models.TextField(_("Chinese evidence requirement"), blank=True)
    evidence_en = models.TextField(_("English evidence requirement"), blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    ref_gbt33356 = models.CharField(_("GB/T 33356-2022 reference"), max_length=200, blank=True)
    ref_u4ssc = models.CharField(_("U4SSC / ITU-T Y.4903 reference"), max_length=200, blank=True)
    ref_iso37122 = models.CharField(_("ISO 37122 reference"), max_length=200, blank=True)
    derived_from = models.JSONField(
        _("derived from"),
        null=True,
        blank=True,
        help_text=_("Agreement domains and modes the value can be derived from."),
    )
    lead_agency = models.CharField(
        _("lead agency"),
        max_length=30,
        choices=LeadAgency.choices,
        blank=True,
        help_text=_("The type of department that leads the work on this indicator."),
    )
    control = models.CharField(
        _("who acts"),
        max_length=10,
        choices=Control.choices,
        default=Control.CITY,
        help_text=_("Whether the city can move this indicator alone or needs partner cities or the province."),
    )
    action_zh = models.TextField(_("Chinese action"), blank=True)
    action_en = models.TextField(_("English action"), blank=True)
    continues = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="continued_by",
        verbose_name=_("continues"),
        help_text=_("Indicators of the previous version this one continues, so trends run across versions."),
    )
    # The cross-walk from the previous version (scoring/crosswalk.py): how this indicator relates to the
    # ones it continues, and why it changed. Blank in a first version.
    change_kind = models.CharField(
        _("change from the previous version"), max_length=10, choices=ChangeKind.choices, blank=True
    )
    change_reason_zh = models.TextField(_("Chinese reason for the change"), blank=True)
    change_reason_en = models.TextField(_("English reason for the change"), blank=True)

    class Meta:
        ordering = ["node__framework", "node__order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(lower__isnull=True) | Q(upper__isnull=True) | Q(lower__lt=F("upper")),
                name="indicator_goalposts_ordered",
            ),
            models.CheckConstraint(condition=Q(direction__in=[1, -1]), name="indicator_direction_sign"),
        ]

    def __str__(self) -> str:
        return str(self.node)

    def owning_framework(self) -> Framework:
        return self.node.framework

    @property
    def change_reason(self) -> str:
        return bilingual(self, "change_reason")

    @property
    def has_worked_examples(self) -> bool:
        """True when any level carries a worked example (the levels' prefetch is used when there is one)."""
        return any(level.example_zh or level.example_en for level in self.levels.all())

    @property
    def unit(self) -> str:
        return bilingual(self, "unit")

    @property
    def evidence(self) -> str:
        return bilingual(self, "evidence")

    @property
    def action(self) -> str:
        """What to do on this indicator in general, in the reader's language."""
        return bilingual(self, "action")

    def action_towards(self, level: int) -> str:
        """What to do to reach ``level`` from the level below (reader's language); else the general action; else ""."""
        descriptor = next((d for d in self.levels.all() if d.level == level), None)
        if descriptor is not None and descriptor.action:
            return descriptor.action
        return self.action

    @property
    def is_share(self) -> bool:
        """A percentage whose goalposts lie within 0-100: a part of a whole (a growth rate in % is not)."""
        return (
            (self.unit_zh.strip() in PERCENT_UNITS or self.unit_en.strip() in PERCENT_UNITS)
            and (self.lower is None or self.lower >= 0)
            and (self.upper is None or self.upper <= 100)
        )

    def plausible_range(self) -> PlausibleRange | None:
        """Where a value is expected; outside it the consultant must say why (None: levels and yes/no).

        The one definition the answer form's help text, the answer check and
        the workbook read. A share lies within 0-100 %. Any other value, counts
        included, lies between 0 (or ten times a negative lower goalpost) and ten
        times the upper goalpost (no upper bound without a positive one).
        """
        if self.type not in (self.Type.QUANTITATIVE, self.Type.COUNT):
            return None
        if self.is_share:
            return PlausibleRange(0.0, 100.0)
        negative_lower = self.type == self.Type.QUANTITATIVE and self.lower is not None and self.lower < 0
        low = PLAUSIBLE_MULTIPLE * self.lower if negative_lower else 0.0
        high = PLAUSIBLE_MULTIPLE * self.upper if self.upper is not None and self.upper > 0 else None
        return PlausibleRange(low, high)


class LevelDescriptor(FrameworkPart):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="levels", verbose_name=_("indicator")
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=[MaxValueValidator(5)])
    text_zh = models.TextField(_("Chinese descriptor"))
    text_en = models.TextField(_("English descriptor"))
    action_zh = models.TextField(
        _("Chinese action"), blank=True, help_text=_("What the city must do to reach this level from the one below.")
    )
    action_en = models.TextField(_("English action"), blank=True)
    # The calibration aid (issue 20): what evidence lands a city at this level and not above,
    # so two consultants reading the same evidence choose the same level.
    example_zh = models.TextField(_("Chinese worked example"), blank=True)
    example_en = models.TextField(_("English worked example"), blank=True)

    class Meta:
        ordering = ["indicator", "level"]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="descriptor_level_once"),
            models.CheckConstraint(condition=Q(level__gte=0) & Q(level__lte=5), name="descriptor_level_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} L{self.level}"

    def owning_framework(self) -> Framework:
        return self.indicator.node.framework

    @property
    def text(self) -> str:
        return bilingual(self, "text")

    @property
    def action(self) -> str:
        """What to do to reach this level from the one below, in the reader's language."""
        return bilingual(self, "action")

    @property
    def example(self) -> str:
        """The worked example of evidence at this level, in the reader's language."""
        return bilingual(self, "example")


class StageRung(FrameworkPart):
    """One rung of the stage ladder: S0 pre-digital ... S4 dual-space."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="stages", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField(_("order"))
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    requires = models.ManyToManyField(
        FrameworkNode,
        blank=True,
        related_name="required_by_stages",
        verbose_name=_("requires"),
        help_text=_("Nodes that must reach the threshold, besides every rung below."),
    )
    gates = models.ManyToManyField(
        FrameworkNode,
        blank=True,
        related_name="gated_stages",
        verbose_name=_("gates"),
        help_text=_("Critical indicators outside those nodes that must reach the critical floor from this rung up."),
    )

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("stage")
        verbose_name_plural = _("stage ladder")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="stage_code_unique_in_version"),
            models.UniqueConstraint(fields=["framework", "order"], name="stage_order_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def owning_framework(self) -> Framework:
        return self.framework

    @property
    def name(self) -> str:
        return bilingual(self, "name")

    @property
    def description(self) -> str:
        return bilingual(self, "description")
