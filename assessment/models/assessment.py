"""Assessments of one city for one period against one framework version.

The workflow runs draft → submitted → in review → (returned → submitted …)
→ approved → published. Approval stores the scoring engine's result and
freezes the responses; a published assessment never changes, a correction
is a new revision that points to the one it replaces.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assessment.models.framework import Framework, Indicator
from cities.models import City


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def standing_published(self) -> "AssessmentQuerySet":
        """Published, and not replaced by a published revision: the result readers see.

        A correction still in progress leaves the published original standing:
        readers would otherwise lose the city's result until the revision is out.
        """
        return self.filter(status=Assessment.Status.PUBLISHED).exclude(replaced_by__status=Assessment.Status.PUBLISHED)

    def standing_scored(self) -> "AssessmentQuerySet":
        """Approved or published, and not replaced by an approved or published revision: every final score.

        The ranks stored at approval compare a city with these. It differs from
        standing_published() on purpose in one way: an approved result is final
        (it is scored at approval), so it counts before it is published. Like
        standing_published(), a correction still in progress leaves the
        original standing.
        """
        frozen = Assessment.FROZEN_STATUSES
        return self.filter(status__in=frozen).exclude(replaced_by__status__in=frozen)


class Assessment(models.Model):
    class Kind(models.TextChoices):
        CONSULTANT = "consultant", _("consultant assessment")
        SELF = "self", _("city self-assessment")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        IN_REVIEW = "in_review", _("in review")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    FROZEN_STATUSES = (Status.APPROVED, Status.PUBLISHED)

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("city"))
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("framework version")
    )
    period = models.PositiveSmallIntegerField(
        _("period (year)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CONSULTANT)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        help_text=_("The published assessment this revision corrects."),
    )
    consultants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_assessments", blank=True, verbose_name=_("consultants")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    campaign = models.ForeignKey(
        "assessment.Campaign",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("campaign"),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; a save based on an older version is refused.")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "city"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "period", "kind", "revision"], name="assessment_one_revision_per_city_period"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=2000) & Q(period__lte=2100), name="assessment_period_plausible"
            ),
            models.CheckConstraint(
                condition=Q(revision=1, replaces__isnull=True) | Q(revision__gt=1, replaces__isnull=False),
                name="assessment_revision_points_back",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="assessment_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" r{self.revision}" if self.revision > 1 else ""
        return f"{self.city.name_zh} {self.period}{suffix} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessment:assessment_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES


class Response(models.Model):
    """The answer to one indicator in one assessment."""

    class Quality(models.TextChoices):
        # Six steps, from the U4SSC idea of a data-quality grade per KPI.
        MEASURED_DOCUMENTED = "A", _("A · measured, documented method")
        MEASURED = "B", _("B · measured, method not documented")
        ESTIMATED_DOCUMENTED = "C", _("C · estimated, documented method")
        ESTIMATED = "D", _("D · estimated, method not documented")
        EXPERT = "E", _("E · expert judgement")
        UNKNOWN = "F", _("F · unknown method")

    class Confidence(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="responses", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="responses", verbose_name=_("indicator")
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True, validators=[MaxValueValidator(5)])
    value = models.FloatField(_("value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    value_year = models.PositiveSmallIntegerField(
        _("year the value refers to"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    source = models.CharField(_("data source"), max_length=500, blank=True)
    quality = models.CharField(_("data-quality grade"), max_length=1, choices=Quality.choices, blank=True)
    confidence = models.CharField(_("confidence"), max_length=6, choices=Confidence.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    not_applicable_reason = models.TextField(_("why not applicable"), blank=True)
    to_confirm = models.BooleanField(
        _("to confirm"), default=False, help_text=_("Carried over from the previous period; confirm or change it.")
    )
    derived_value = models.FloatField(
        _("value derived from agreements"),
        null=True,
        blank=True,
        help_text=_("What the recorded agreements propose, when the answer was last saved."),
    )
    derived_agreements = models.JSONField(_("agreements behind the derived value"), default=list, blank=True)
    derived_override_reason = models.TextField(_("why the answer differs from the derived value"), blank=True)
    plausibility_override_reason = models.TextField(
        _("why the value is outside the plausible range"),
        blank=True,
        help_text=_("Needed only when the value lies outside the indicator's plausible range."),
    )
    # The city's own answer (a respondent's self-submission, issue 21): kept beside the verified answer above,
    # which is what scores. ``verification`` says what the consultant made of it.
    self_level = models.PositiveSmallIntegerField(
        _("city's level"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    self_value = models.FloatField(_("city's value"), null=True, blank=True)
    self_source = models.CharField(_("city's data source"), max_length=500, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    self_at = models.DateTimeField(_("submitted by the city"), null=True, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=8,
        blank=True,
        choices=[("accepted", pgettext_lazy("verification", "accepted")), ("adjusted", _("adjusted"))],
    )
    verification_reason = models.TextField(_("why the verified answer differs"), blank=True)
    # Provenance of a value filled by a bulk statistics import (services/statistics_import.py): the file and
    # when; who is updated_by. Cleared when someone saves the answer by hand.
    imported_from = models.CharField(_("imported from"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "indicator__node__order"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="response_once_per_indicator"),
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__lte=5), name="response_level_0_5"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""),
                name="response_not_applicable_is_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.indicator_id}"

    @property
    def raw_value(self) -> float | None:
        """The number the scoring engine reads: a level for level indicators, else the value."""
        if self.not_applicable:
            return None
        if self.indicator.type == Indicator.Type.LEVEL:
            return None if self.level is None else float(self.level)
        return self.value

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.raw_value is not None


def evidence_upload_path(instance: "Evidence", filename: str) -> str:
    # The stored name is ours, never the uploader's: no path tricks, no clashes.
    import uuid

    return f"evidence/{instance.response.assessment_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", _("file")
        LINK = "link", _("link")
        NOTE = "note", _("note")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("response")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_upload_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("added by")
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(file=""))
                | (Q(kind="link") & ~Q(url=""))
                | (Q(kind="note") & ~Q(note="")),
                name="evidence_has_content_of_its_kind",
            )
        ]

    def __str__(self) -> str:
        return self.original_name or self.url or self.note[:40]


class ReviewComment(models.Model):
    """A reviewer's or consultant's comment on one response; threads, resolvable."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="comments", verbose_name=_("response")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("reply to")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("comment"))
    returns_indicator = models.BooleanField(
        _("returns the indicator"),
        default=False,
        help_text=_("The reviewer asks the consultant to change this answer."),
    )
    resolved = models.BooleanField(_("resolved"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class AssessmentResult(models.Model):
    """What the scoring engine said when the assessment was approved."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="result", verbose_name=_("assessment")
    )
    engine_version = models.CharField(_("engine version"), max_length=20)
    input_hash = models.CharField(_("hash of the inputs"), max_length=64)
    scores = models.JSONField(_("score per node"), help_text=_("Node code → score 0-100 (null when missing)."))
    normalised = models.JSONField(_("normalised indicators"), default=dict)
    index_score = models.FloatField(_("index score"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10)
    gap = models.JSONField(_("gap to the next stage"), default=dict)
    region_ranks = models.JSONField(
        _("ranks within regions"),
        default=dict,
        help_text=_("Region code → node code → rank among the region's scored cities when approved."),
    )
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")

    def __str__(self) -> str:
        return f"{self.assessment} · {self.stage}"


class FlagAcceptance(models.Model):
    """The reviewer looked again at a flagged answer and keeps it, saying why (issue 21's verifier workbench).

    The flags themselves are computed (selectors/reasonableness.py); an acceptance names the answer and the
    kind of flag, so a flag that comes back after the answer changes is accepted anew. The full edition of
    the city report lists the accepted flags with their reasons in its data-quality annex.
    """

    class Kind(models.TextChoices):
        OUTLIER = "outlier", _("outlier among the cities")
        JUMP = "jump", _("jump from the previous period")
        OLD_DATA = "old_data", _("old data")
        NO_EVIDENCE = "no_evidence", _("no evidence")
        INCONSISTENT = "inconsistent", _("inconsistent with a related answer")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="flag_acceptances", verbose_name=_("answer")
    )
    kind = models.CharField(_("flag"), max_length=12, choices=Kind.choices)
    value = models.FloatField(_("value accepted"), null=True, blank=True)
    reason = models.TextField(_("why the answer stands"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("accepted by")
    )
    accepted_at = models.DateTimeField(_("accepted on"), auto_now_add=True)

    class Meta:
        ordering = ["response", "kind"]
        verbose_name = _("accepted flag")
        verbose_name_plural = _("accepted flags")
        constraints = [models.UniqueConstraint(fields=["response", "kind", "value"], name="flag_accepted_once")]

    def __str__(self) -> str:
        return f"{self.response_id} {self.kind}"
