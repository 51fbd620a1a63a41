"""Sign-ins, failed sign-ins and sign-outs in the audit log, from Django's own auth signals.

Django sends `user_logged_in` from `auth.login` and `user_login_failed` from
`auth.authenticate` whatever the way in: the login page, the admin's login,
the LDAP backend (django-auth-ldap) and the OIDC callback (mozilla-django-oidc)
all go through them, so each sign-in is recorded once, here, and never by a
page. A refusal because the name or address is locked never reaches
`authenticate`: `accounts.forms.refuse_while_locked` records that one.
Connected in `AccountsConfig.ready`.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord


def signed_in(sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    """A sign-in: who, and through which backend (local, LDAP, OIDC)."""
    record(AuditEvent.SIGN_IN, request=request, actor=user, backend=getattr(user, "backend", None))


def sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    """A wrong name or password: the record names the user name tried (Django has already masked the password)."""
    name = str(credentials.get("username") or "")
    record(AuditEvent.SIGN_IN_FAILED, request=request, actor_name=name, outcome=AuditRecord.Outcome.FAILURE)


def signed_out(sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any) -> None:
    """A sign-out; nothing when nobody was signed in (Django sends the signal with no user then)."""
    if user is not None and user.is_authenticated:
        record(AuditEvent.SIGN_OUT, request=request, actor=user)


def connect() -> None:
    """Connect the three receivers (once: the dispatch ids keep a second call from doubling the records)."""
    user_logged_in.connect(signed_in, dispatch_uid="audit-sign-in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="audit-sign-in-failed")
    user_logged_out.connect(signed_out, dispatch_uid="audit-sign-out")
