"""Settings for a deployment behind a TLS-terminating reverse proxy.

Refuses to start without SECRET_KEY and ALLOWED_HOSTS: a default secret or a
wildcard host in production is a vulnerability, not a convenience.
"""

from config.env import env_bool, env_int, env_list, env_required, env_str
from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY", "set a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))').")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS", "a comma-separated list of the host names the app is served under.")

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
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
