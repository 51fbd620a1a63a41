"""Rendered PDF reports, and the links that hand one to a stakeholder without an account."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models.framework import Framework


def report_upload_path(report: "Report", filename: str) -> str:
    return f"reports/{report.created_at:%Y/%m}/{report.input_key[:16]}-{report.language}.pdf"


class Report(models.Model):
    """One rendering of a city or regional report; the same inputs reuse the stored file."""

    class Kind(models.TextChoices):
        CITY = "city", _("city report")
        REGION = "region", _("regional report")
        AUDIT = "audit", _("statistical audit annex")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("rendering")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    class Audience(models.TextChoices):
        # The stakeholder edition leaves out everything the web pages hide from
        # readers who may not open the assessment: notes, comments, evidence and
        # sources' free text. Scores, stages, levels and the method stay.
        STAKEHOLDER = "stakeholder", _("stakeholder edition")
        FULL = "full", _("full edition with the evidence annex")

    MESSAGES = {
        "render_failed": _(
            "The report could not be rendered (%(error)s). Try again; if it fails again, tell an administrator."
        ),
        "worker_stopped_retrying": _("The worker rendering this report stopped; the report is being rendered again."),
        "worker_stopped_failed": _(
            "The report worker stopped while rendering this report (%(attempts)d attempts). "
            "Request it again; if it stops again, tell an administrator."
        ),
    }

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    city = models.ForeignKey(
        "cities.City", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city")
    )
    region = models.ForeignKey("cities.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+", verbose_name=_("framework"))
    period = models.PositiveSmallIntegerField(_("period"))
    language = models.CharField(_("language"), max_length=10)
    audience = models.CharField(
        _("edition"),
        max_length=12,
        choices=Audience.choices,
        default=Audience.STAKEHOLDER,
        help_text=_("Who the report is written for: the full edition carries the evidence annex."),
    )
    input_key = models.CharField(
        _("inputs"),
        max_length=64,
        db_index=True,
        help_text=_("Hash of the published results, the language and the report version this file was drawn from."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    # The app's own messages are stored as a key and its arguments and translated when shown:
    # whoever's page or worker wrote one, each reader sees it in their own language.
    message_key = models.CharField(_("message key"), max_length=40, blank=True)
    message_args = models.JSONField(_("message arguments"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=report_upload_path, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A worker rendering the report touches heartbeat_at every few seconds; a
    # running report whose heartbeat stopped lost its worker (killed, machine
    # restarted) and is queued again or marked failed (services.reports).
    started_at = models.DateTimeField(_("rendering started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of the worker"), null=True, blank=True)
    worker = models.CharField(
        _("worker"), max_length=200, blank=True, help_text=_("Host and process id of the worker rendering it.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        subject = self.city_id if self.kind == self.Kind.CITY else self.region_id
        return f"{self.get_kind_display()} {subject} {self.period} ({self.language})"

    @property
    def filename(self) -> str:
        subject = self.city_id if self.kind == self.Kind.CITY else self.region_id
        if self.kind == self.Kind.AUDIT:
            # Beside the same region's regional report in a downloads folder, under another name.
            subject = f"audit-{subject}"
        return f"dualspace-{subject}-{self.period}-{self.language}.pdf"

    @property
    def display_message(self) -> str:
        """The message in the active language; free text (a missing result) as it was written."""
        template = self.MESSAGES.get(self.message_key)
        if template is None:
            return self.message
        return str(template) % self.message_args if self.message_args else str(template)

    @staticmethod
    def message_fields(key: str = "", text: str = "", **args: object) -> dict[str, object]:
        """The three message columns for an ``update()``: an app message by key, or a free text."""
        return {"message_key": key, "message_args": args, "message": text}


class ReportLink(models.Model):
    """A signed, expiring, revocable link to one report, for a reader without an account."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="links", verbose_name=_("report"))
    key = models.CharField(_("key"), max_length=43, unique=True, default=secrets.token_urlsafe)
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report link")
        verbose_name_plural = _("report links")

    def __str__(self) -> str:
        return f"{self.report} → {self.recipient or '—'}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ReportLinkAccess(models.Model):
    """Every try to open a stakeholder link, served or refused."""

    class Outcome(models.TextChoices):
        SERVED = "served", _("served")
        EXPIRED = "expired", _("refused: expired")
        REVOKED = "revoked", _("refused: revoked")
        NOT_READY = "not_ready", _("refused: report not ready")
        BAD_SIGNATURE = "bad_signature", _("refused: bad signature")

    link = models.ForeignKey(
        ReportLink, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses", verbose_name=_("link")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("report link access")
        verbose_name_plural = _("report link accesses")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.at:%Y-%m-%d %H:%M}"
