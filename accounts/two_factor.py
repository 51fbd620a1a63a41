"""Two-factor sign-in: a TOTP authenticator app, with one-use recovery codes (django-otp).

Who must: the roles in TWO_FACTOR_REQUIRED_ROLES (the deployment's choice, e.g.
"administrator,reviewer"); anyone else may enrol on their account page, and
once enrolled always gives the second factor. After the password (or a
directory sign-in) `TwoFactorMiddleware` sends a user who owes a second factor
to the code page, or, with no authenticator yet and a role that requires one,
to enrolment, before any other page, the admin site included.

Enrolment shows the authenticator's QR code drawn on the server as inline SVG
(segno), and its key as text: nothing is fetched from a QR service, so it works
on an intranet. Ten recovery codes are shown once, each good once.

Throttling, as for the password: a wrong code counts as a failed sign-in of
the user name and the address (`accounts.throttle`, so five wrong codes lock
the name as five wrong passwords do), and django-otp's own per-device delay
doubles after each failure. Every enrolment, failed code and removal is in
the audit log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import segno
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import throttle
from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import user_roles

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
# Pages a user who owes a second factor still reaches: its own pages, leaving, the language.
OPEN_PAGES = frozenset({"logout", "set_language"})


def second_factor_required(user: AbstractBaseUser) -> bool:
    """True when the user's role is one the deployment requires a second factor of."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool(required & user_roles(user))


def has_authenticator(user: AbstractBaseUser) -> bool:
    """True when the user finished enrolling an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being enrolled: the same key until it is confirmed, so a reload shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the QR code (SVG markup), and the key to type by hand."""

    qr_svg: str
    key: str
    uri: str


def enrolment_of(device: TOTPDevice) -> Enrolment:
    """The QR code (drawn here, as inline SVG: no outside QR service) and the key in groups of four."""
    uri = device.config_url
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=5, dark="#0b4f6c", light="#ffffff", title="otpauth")
    key = dict(_query_of(uri)).get("secret", "")
    return Enrolment(qr_svg=svg, key=" ".join(key[i : i + 4] for i in range(0, len(key), 4)), uri=uri)


def _query_of(uri: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(uri).query)


def recovery_codes_issue(user: AbstractBaseUser) -> list[str]:
    """Ten new recovery codes (the old ones stop working); shown once, stored by django-otp."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
        device.confirmed = True
        device.save()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrolment_confirm(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with its first code; the recovery codes, or None when the code is wrong."""
    if not _code_allowed(request, device, code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    codes = recovery_codes_issue(request.user)  # type: ignore[arg-type]
    record(AuditEvent.SECOND_FACTOR_ENROLLED, request=request, target=device, kind="totp")
    return codes


def second_factor_check(request: HttpRequest, code: str) -> bool:
    """The code from the authenticator, or an unused recovery code; verifies the session when right."""
    user = request.user
    code = code.strip().replace(" ", "")
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        if _code_allowed(request, device, code, record_failure=False):
            otp_login(request, device)  # a recovery code is used up by django-otp as it verifies
            return True
    _count_failure(request)
    return False


def second_factor_remove(request: HttpRequest) -> None:
    """Remove the user's authenticator and recovery codes (their role may make them enrol again at once)."""
    user = request.user
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        record(AuditEvent.SECOND_FACTOR_REMOVED, request=request, target=user)  # type: ignore[arg-type]


def _code_allowed(request: HttpRequest, device: Any, code: str, *, record_failure: bool = True) -> bool:
    """Verify ``code`` on ``device`` unless the user name or address is locked; a wrong code counts as a failure."""
    if lock_of(request) is not None:
        return False
    if device.verify_token(code.strip().replace(" ", "")):
        return True
    if record_failure:
        _count_failure(request)
    return False


def lock_of(request: HttpRequest) -> throttle.Lock | None:
    """The sign-in lock on this user name or address (wrong codes and wrong passwords count alike)."""
    return throttle.login_lock(request.user.get_username(), throttle.client_ip(request))  # type: ignore[union-attr]


def _count_failure(request: HttpRequest) -> None:
    name = request.user.get_username()  # type: ignore[union-attr]
    throttle.login_failure_record(name, throttle.client_ip(request))
    record(AuditEvent.SECOND_FACTOR_FAILED, request=request, outcome=AuditRecord.Outcome.FAILURE)


def owes_second_factor(user: Any) -> str | None:
    """Where a signed-in, unverified user must go first: "verify", "setup", or None."""
    if not user.is_authenticated or user.is_verified():
        return None
    # Asked by the middleware and again by the menu on one request: look the devices up once.
    has_device = getattr(user, "_dualspace_has_device", None)
    if has_device is None:
        has_device = user._dualspace_has_device = user_has_device(user, confirmed=True)
    if has_device:
        return "verify"
    if second_factor_required(user):
        return "setup"
    return None


class TwoFactorMiddleware:
    """After the password: the second factor before any other page (the admin site too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not self._open(request):
            owed = owes_second_factor(user)
            if owed is not None:
                target = reverse("two_factor_verify" if owed == "verify" else "two_factor_setup")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return True  # the ordinary 404 page
        return name in OPEN_PAGES or name.startswith("two_factor_")
