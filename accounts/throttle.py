"""Sign-in throttling: too many failures for one user name, or from one address, lock it for a while.

A user name is locked after ``LOGIN_FAILURE_LIMIT`` failures within
``LOGIN_FAILURE_WINDOW`` seconds; an address after ``LOGIN_FAILURE_IP_LIMIT``
(higher, because an office may share one address). While locked every try is
refused, even with the right password, and is not counted again (so the lock
ends when the window has passed). A successful sign-in clears the user name's
failures; the address's failures age out, so one valid account cannot reset
the counter for guesses at other accounts.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import LoginFailure

logger = logging.getLogger("dualspace.security")


@dataclass(frozen=True)
class Lock:
    until: datetime

    @property
    def minutes(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


def _window() -> timedelta:
    return timedelta(seconds=int(settings.LOGIN_FAILURE_WINDOW))


def _key(username: str) -> str:
    # Counted under the name Django signs in with: it NFKC-normalises the name (a
    # full-width "ｖｉｃｔｉｍ" is "victim"), and names differ only by case for nobody.
    # Counting spellings apart would give each one a fresh set of guesses.
    return AbstractBaseUser.normalize_username(username or "").strip().casefold()[:150]


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address: the last entry of the header our proxy sets (LOGIN_CLIENT_IP_HEADER), else REMOTE_ADDR."""
    if request is None:
        return None
    header = getattr(settings, "LOGIN_CLIENT_IP_HEADER", "")
    value = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    # nginx's $proxy_add_x_forwarded_for appends the address it saw: the last entry is
    # the one our proxy vouches for; earlier ones are whatever the client sent.
    value = value.split(",")[-1].strip()
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value


def _lock_of(failures, limit: int) -> Lock | None:
    times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    # Locked until the limit-th most recent failure leaves the window.
    return Lock(until=times[limit - 1] + _window())


def login_lock(username: str, ip: str | None) -> Lock | None:
    """The lock on this user name or address, or None when a try is allowed."""
    since = timezone.now() - _window()
    recent = LoginFailure.objects.filter(at__gt=since)
    locks = [_lock_of(recent.filter(username=_key(username)), int(settings.LOGIN_FAILURE_LIMIT))]
    if ip:
        locks.append(_lock_of(recent.filter(ip=ip), int(settings.LOGIN_FAILURE_IP_LIMIT)))
    found = [lock for lock in locks if lock is not None]
    return max(found, key=lambda lock: lock.until) if found else None


def login_failure_record(username: str, ip: str | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        LoginFailure.objects.filter(at__lte=now - _window()).delete()
        LoginFailure.objects.create(username=_key(username), ip=ip, at=now)
    logger.warning("Failed sign-in for user name %r from %s", _key(username), ip or "unknown address")


def login_refused_while_locked(username: str, ip: str | None) -> None:
    logger.warning("Sign-in refused while locked: user name %r from %s", _key(username), ip or "unknown address")


def login_success_record(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()
