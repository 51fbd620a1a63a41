"""Failed sign-ins, kept in the database so every worker process counts the same ones.

The local-memory cache is per process: with several gunicorn workers an
attacker would get the limit once per worker. A row per failure is small and
old rows are deleted as new ones arrive.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    username = models.CharField(_("user name"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M:%S}"


class AuditEvent(models.TextChoices):
    """What the audit log records (issue 23; 等保2.0 security audit). One value per kind of event."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_IN_LOCKED = "sign_in_locked", _("Sign-in refused: locked")
    SIGN_OUT = "sign_out", _("Signed out")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Second factor failed")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor removed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    USER_CREATED = "user_created", _("User created")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    ROLE_CHANGED = "role_changed", _("Roles or groups changed")
    ASSESSMENT_STATE_CHANGED = "assessment_state_changed", _("Assessment state changed")
    EVIDENCE_UPLOADED = "evidence_uploaded", _("Evidence uploaded")
    EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence downloaded")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence removed")
    WORKBOOK_EXPORTED = "workbook_exported", _("Workbook exported")
    WORKBOOK_IMPORTED = "workbook_imported", _("Workbook imported")
    REPORT_REQUESTED = "report_requested", _("Report requested")
    REPORT_DOWNLOADED = "report_downloaded", _("Report downloaded")
    LINK_CREATED = "link_created", _("Shared link created")
    LINK_USED = "link_used", _("Shared link used")
    LINK_REVOKED = "link_revoked", _("Shared link revoked")
    FRAMEWORK_PUBLISHED = "framework_published", _("Framework version published")
    BACKUP_EXPORTED = "backup_exported", _("Backup exported")
    BACKUP_IMPORTED = "backup_imported", _("Backup imported")
    ADMIN_CHANGE = "admin_change", _("Administration change")
    AUDIT_EXPORTED = "audit_exported", _("Audit log exported")
    AUDIT_PRUNED = "audit_pruned", _("Audit log pruned")


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Audit records cannot be changed.")


class AuditRecord(models.Model):
    """One audited event: who, when, from which address, on what, and how it ended. Never changed.

    `accounts.audit.record` writes them; `prune_audit_log` is the only way one is
    deleted (older than the retention, which cannot be set below its floor).
    Names are copied, not only linked: a record outlives the user or object it names.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    at = models.DateTimeField(_("at"), db_index=True)
    event = models.CharField(_("event"), max_length=40, choices=AuditEvent.choices, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    actor = models.ForeignKey(
        "auth.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["event", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.actor_name} {self.outcome}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit records cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit records are removed only by prune_audit_log, after the retention period.")


class AccountSecurity(models.Model):
    """When a local account's password last changed, and whether it must change at the next sign-in.

    Written by `accounts.password_policy` whenever a password is set (Django calls the validators'
    `password_changed` from every save that set one: the password page, the admin, `changepassword`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security", verbose_name=_("user")
    )
    password_changed_at = models.DateTimeField(_("password changed"))
    must_change_password = models.BooleanField(
        _("must change the password"),
        default=False,
        help_text=_("Set when an administrator chose the password: its owner replaces it at the next sign-in."),
    )

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return f"{self.user_id} {self.password_changed_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """A password a user had (as its salted hash), so the last few are not chosen again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("user")
    )
    encoded = models.CharField(_("password hash"), max_length=256)
    at = models.DateTimeField(_("set"))

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d}"


class DirectoryAccount(models.Model):
    """A user whose identity, roles and cities come from a directory (LDAP) or an identity provider (OIDC).

    Written at every directory sign-in (`accounts.directory.directory_account_update`): where the user
    comes from, their identifier there, and the department the directory gives (DualSpace's user table
    has no such field). Such users have no local password; the password policy does not apply to them.
    """

    class Source(models.TextChoices):
        LDAP = "ldap", _("LDAP directory")
        OIDC = "oidc", _("OpenID Connect provider")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account", verbose_name=_("user")
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    external_id = models.CharField(
        _("identifier in the directory"), max_length=500, help_text=_("The LDAP entry's DN, or the OIDC subject.")
    )
    department = models.CharField(_("department"), max_length=200, blank=True)
    synced_at = models.DateTimeField(_("last synchronised"))

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")

    def __str__(self) -> str:
        return f"{self.user_id} {self.source}"
