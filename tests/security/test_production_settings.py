"""Production settings: secure cookies, HSTS, HTTPS redirect behind the proxy, no debug, no default secret.

Loaded in a subprocess, as a deployment loads them, from the environment only.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.base import DEVELOPMENT_SECRET_KEY
from tests.security.conftest import disabled

ROOT = Path(__file__).resolve().parents[2]
# The proof run (DUALSPACE_DISABLE_PROTECTION=production) loads the base settings instead.
SETTINGS = "config.settings.base" if disabled("production") else "config.settings.production"
ENV = {"SECRET_KEY": "s" * 64 + "-security-suite", "ALLOWED_HOSTS": "dualspace.example.org"}
NAMES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "MIDDLEWARE",
    "LOGIN_CLIENT_IP_HEADER",
]


def clean_environment(**extra: str) -> dict[str, str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture for the rest of the session;
    # a deployment never has it, and `check --deploy` reports it as an error.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    keep = {key: value for key, value in os.environ.items() if key not in dropped}
    return {**keep, **extra}


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(DJANGO_SETTINGS_MODULE=SETTINGS, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production() -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {NAMES!r}}}, default=str))"
    )
    result = run(code, **ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_cookies_are_sent_over_https_only(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True


def test_hsts_for_a_year_with_subdomains_and_https_redirect_behind_the_proxy(production):
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_sign_in_throttling_counts_callers_by_the_address_the_proxy_forwards(production):
    assert production["LOGIN_CLIENT_IP_HEADER"] == "HTTP_X_FORWARDED_FOR"


def test_no_debug_the_given_secret_and_hosts_and_the_security_middleware(production):
    assert production["DEBUG"] is False
    assert production["SECRET_KEY"] == ENV["SECRET_KEY"]
    assert production["ALLOWED_HOSTS"] == ["dualspace.example.org"]
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True and production["X_FRAME_OPTIONS"] == "DENY"
    for middleware in (
        "SecurityMiddleware",
        "CsrfViewMiddleware",
        "ContentSecurityPolicyMiddleware",
        "XFrameOptionsMiddleware",
    ):
        assert any(middleware in entry for entry in production["MIDDLEWARE"]), middleware


def test_it_refuses_to_start_without_a_secret_key():
    result = run("import django; django.setup()", ALLOWED_HOSTS="dualspace.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_the_deploy_check_finds_nothing_to_warn_about():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", f"--settings={SETTINGS}"],
        cwd=ROOT,
        env=clean_environment(**ENV),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        ("too-short-secret", "must have at least 50 characters, 5 of them different"),
        ("ab" * 40, "must have at least 50 characters, 5 of them different"),
        (DEVELOPMENT_SECRET_KEY, "is a development or generated default"),
        ("django-insecure-" + "k3#v9!xq2@m7&z" * 5, "is a development or generated default"),
    ],
)
def test_it_refuses_to_start_with_a_weak_or_default_secret_key(secret_key, reason):
    result = run("import django; django.setup()", SECRET_KEY=secret_key, ALLOWED_HOSTS="dualspace.example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable SECRET_KEY {reason}" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "dualspace.example.org,*", "*.example.org"])
def test_it_refuses_to_start_with_a_wildcard_host(hosts):
    result = run("import django; django.setup()", SECRET_KEY=ENV["SECRET_KEY"], ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert (
        'The environment variable ALLOWED_HOSTS must list the host names the app is served under, without "*"'
        in result.stderr
    )
