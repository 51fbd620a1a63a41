"""Settings for a deployment behind a TLS-terminating reverse proxy.

Refuses to start without SECRET_KEY and ALLOWED_HOSTS: a default secret or a
wildcard host in production is a vulnerability, not a convenience. A short,
repetitive, development or Django-generated ("django-insecure-") SECRET_KEY and
an ALLOWED_HOSTS entry with "*" are refused too.
"""

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_required, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import DEVELOPMENT_SECRET_KEY

SECRET_KEY_HINT = "set a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."  # noqa: S105 (advice, not a key)
DEBUG = False
SECRET_KEY = env_required("SECRET_KEY", SECRET_KEY_HINT)
# The thresholds of Django's own deploy check (security.W009), enforced at start instead of warned about.
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX):
    raise ImproperlyConfigured(
        f"The environment variable SECRET_KEY is a development or generated default: {SECRET_KEY_HINT}"
    )
if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
    raise ImproperlyConfigured(
        f"The environment variable SECRET_KEY must have at least {SECRET_KEY_MIN_LENGTH} characters, "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different: {SECRET_KEY_HINT}"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS", "a comma-separated list of the host names the app is served under.")
if any("*" in host for host in ALLOWED_HOSTS):
    # "*" answers any Host header, and absolute URLs built from it (shared report links) would carry the caller's host.
    raise ImproperlyConfigured(
        'The environment variable ALLOWED_HOSTS must list the host names the app is served under, without "*"; '
        '".example.org" allows a domain\'s subdomains.'
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy every request comes from the proxy's address; sign-in throttling
# counts each caller by the address nginx appends (docs/deploy/nginx-dualspace.conf).
LOGIN_CLIENT_IP_HEADER = env_str("LOGIN_CLIENT_IP_HEADER") or "HTTP_X_FORWARDED_FOR"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# Base's logging at INFO: its filters (a refusal logs one line, not its traceback) and its quiet PDF stack hold here
# too; replacing the whole dict had dropped them in the one deployment where the log is read.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "INFO"}}  # noqa: F405
