"""Settings shared by every environment.

Every value is declared here; ``local``, ``production`` and ``test`` only
change what differs. Values that differ between machines come from the
environment through ``config.env``.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config import services
from config.env import env_bool, env_int, env_list, env_mapping, env_required, env_str
from config.ldap_settings import ldap_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Production refuses this value (config.settings.production).
DEVELOPMENT_SECRET_KEY = "dualspace-local-development-key-not-for-production"  # noqa: S105 (public on purpose: production refuses it)
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # django_tasks_db with a translated name (config/apps.py).
    "config.apps.BackgroundTasksConfig",
    # The API docs page then uses ninja's bundled Swagger files instead of a CDN.
    "ninja",
    "cities",
    "assessment",
    "accounts",
    # Two-factor sign-in (accounts/two_factor.py): authenticator apps (TOTP) and one-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "assessment.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): whether this session gave its second factor.
    "django_otp.middleware.OTPMiddleware",
    # The page being served, for audit records written by services and signals (its client address).
    "accounts.request_context.RequestContextMiddleware",
    "accounts.middleware.NarrowRolesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The second factor first (a user who owes one reaches nothing else, the admin included), then the password.
    "accounts.two_factor.TwoFactorMiddleware",
    # A password set by an administrator, or a privileged one past PASSWORD_EXPIRY_DAYS, must change first
    # (after the messages middleware: it says why).
    "accounts.password_policy.PasswordPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Innermost: the page it draws reads the user and the language like any other.
    "assessment.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessment.context_processors.navigation",
            ],
        },
    }
]

# SQLite is the default so that `make run` needs no server. WAL lets readers
# proceed while one writer commits, the busy timeout makes a second writer
# wait instead of failing, and IMMEDIATE transactions take the write lock at
# BEGIN, so two people saving at once queue instead of seeing
# "database is locked" halfway through a transaction.
SQLITE_PATH = Path(env_str("SQLITE_PATH") or BASE_DIR / "var" / "db.sqlite3")
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # Connections are kept for a minute by the long-lived threads of gunicorn and the
    # worker. `manage.py runserver` starts a thread per request, and each finished
    # thread would leave its connection open until PostgreSQL refuses new ones: 0 there.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
else:
    # A fresh clone has no var/ folder yet; SQLite cannot create it.
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The password policy of local accounts (accounts/password_policy.py; MLPS 2.0 asks for complexity, expiry
# and no reuse). Directory accounts (LDAP, OIDC) have no local password and follow their directory's policy.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12)
# Days after which an administrator's, reviewer's or auditor's password must change; 0: never.
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 90)
# How many earlier passwords may not be chosen again.
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
# Roles that must sign in with a second factor (comma-separated Role values, e.g. "administrator,reviewer");
# empty: optional for everyone. Anyone enrolled gives it at every sign-in.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", [])
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "DualSpace")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_policy.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.password_policy.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY}},
]
# Sign-in through a directory (accounts/ldap_backend.py, README "Sign-in through a directory"): on when
# LDAP_SERVER_URI is set. Local accounts (the break-glass administrator) keep signing in with their password.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LDAP_SERVER_URI = env_str("LDAP_SERVER_URI", "") or ""
# Directory group (DN or name) -> DualSpace role, and -> managed city code: JSON or "group=value;group=value".
LDAP_ROLE_GROUPS = env_mapping("LDAP_ROLE_GROUPS")
LDAP_CITY_GROUPS = env_mapping("LDAP_CITY_GROUPS")
LDAP_ATTR_DEPARTMENT = env_str("LDAP_ATTR_DEPARTMENT", "departmentNumber") or ""
if LDAP_SERVER_URI:
    AUTHENTICATION_BACKENDS = ["accounts.ldap_backend.DirectoryLDAPBackend", *AUTHENTICATION_BACKENDS]
    globals().update(ldap_settings(LDAP_SERVER_URI))

# Single sign-on through an OpenID Connect provider (accounts/oidc.py, README "Single sign-on (OIDC)"): on
# when OIDC_RP_CLIENT_ID is set. The endpoints are the provider's (its /.well-known/openid-configuration).
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "") or ""
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "SSO") or "SSO"
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username") or "preferred_username"
# The claim holding the user's groups (roles and cities are mapped from it), and the maps: JSON or "a=b;c=d".
OIDC_ROLE_CLAIM = env_str("OIDC_ROLE_CLAIM", "groups") or "groups"
OIDC_CITY_CLAIM = env_str("OIDC_CITY_CLAIM", "") or ""  # empty: the same claim as the roles
OIDC_DEPARTMENT_CLAIM = env_str("OIDC_DEPARTMENT_CLAIM", "department") or ""
OIDC_ROLE_MAP = env_mapping("OIDC_ROLE_MAP")
OIDC_CITY_MAP = env_mapping("OIDC_CITY_MAP")
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.DirectoryOIDCBackend"]
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "") or ""
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_required("OIDC_OP_AUTHORIZATION_ENDPOINT", "the provider's authorization URL")
    OIDC_OP_TOKEN_ENDPOINT = env_required("OIDC_OP_TOKEN_ENDPOINT", "the provider's token URL")
    OIDC_OP_USER_ENDPOINT = env_required("OIDC_OP_USER_ENDPOINT", "the provider's userinfo URL")
    OIDC_OP_JWKS_ENDPOINT = env_required("OIDC_OP_JWKS_ENDPOINT", "the provider's JWKS URL (its signing keys)")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256") or "RS256"
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile groups") or "openid email profile groups"
    # PKCE as well as the client secret: the code is useless to whoever intercepts the redirect.
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
    # A refused sign-in (an unknown name clashing with a local account, a provider error) lands on the login page.
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (accounts.throttle): failures are counted in the database,
# so the limits hold across worker processes. An address gets a higher limit
# than a user name because an office may sign in from one address.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_IP_LIMIT = env_int("LOGIN_FAILURE_IP_LIMIT", 20)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)  # seconds
# Behind a reverse proxy REMOTE_ADDR is the proxy; name the META key it sets
# (for example HTTP_X_REAL_IP) so each caller is counted apart.
LOGIN_CLIENT_IP_HEADER = env_str("LOGIN_CLIENT_IP_HEADER") or ""

# The audit log (accounts.audit) keeps every record at least AUDIT_RETENTION_FLOOR_DAYS:
# China's Cybersecurity Law (art. 21) and MLPS 2.0 (等保2.0) ask for six months. A shorter
# retention is refused at start, not silently raised. `manage.py prune_audit_log` removes older records.
AUDIT_RETENTION_FLOOR_DAYS = 180
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", AUDIT_RETENTION_FLOOR_DAYS)
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_FLOOR_DAYS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least {AUDIT_RETENTION_FLOOR_DAYS} days (six months of audit records "
        f"are required), not {AUDIT_RETENTION_DAYS}."
    )

# Chinese first: the default language is Simplified Chinese.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    # Evidence files, report PDFs and stored backups: never under the static root, only
    # served through views that check permissions. A local folder, or S3-protocol object
    # storage shared by several machines (STORAGE_BACKEND, S3_*: config/services.py).
    "default": services.default_storage(BASE_DIR / "var" / "media"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A permitted download is streamed through the app (the default) or, with object storage,
# redirected to a presigned URL valid STORAGE_URL_EXPIRY seconds (assessment/views/downloads.py).
STORAGE_DOWNLOADS = services.download_mode()
STORAGE_URL_EXPIRY = services.download_url_expiry()

# Shared by every process and machine: Redis/Valkey (CACHE_URL=redis://...) or a database
# table (the default). Rank intervals, audits, framework trees and cached pages live here.
CACHES = services.caches()

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Every script, style, font and image comes from this app: government
# intranets have no CDN, and a page that asks another host is a bug.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Style attributes: only the empty one (the hash is SHA-256 of ""). plotly.js
    # clears each colour-bar rectangle with style="" before it colours it through
    # the CSSOM (components/colorbar/draw.js), which CSP does not govern; without
    # this, every heatmap logged a violation. An empty attribute applies no style.
    "style-src-attr": [CSP.UNSAFE_HASHES, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
    # blob: for the charts' "download as PNG": plotly.js loads the chart's SVG into
    # an <img> from a blob: URL it has just made, then draws it on a canvas. A blob:
    # URL is made by this page's own scripts and reaches no other host.
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = None

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A report worker signs of life every REPORT_STALE_AFTER / 4 seconds while it
# renders. A report "rendering" with no sign for REPORT_STALE_AFTER seconds lost
# its worker: it is queued again, or marked failed after REPORT_MAX_ATTEMPTS tries.
REPORT_STALE_AFTER = env_int("REPORT_STALE_AFTER", 120)  # seconds
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 2)
# One user cannot fill the worker's queue: at most REPORT_USER_QUEUE_LIMIT of their
# reports queued or rendering at once and REPORT_USER_HOURLY_LIMIT renderings an
# hour; nobody queues more once REPORT_QUEUE_LIMIT reports wait. A stored file
# handed back again counts against none of them.
REPORT_USER_QUEUE_LIMIT = env_int("REPORT_USER_QUEUE_LIMIT", 3)
REPORT_USER_HOURLY_LIMIT = env_int("REPORT_USER_HOURLY_LIMIT", 20)
REPORT_QUEUE_LIMIT = env_int("REPORT_QUEUE_LIMIT", 50)

# The framework shown when a reader has not chosen one (dashboards, reports, API):
# its latest published version. The only place the code "DSMF" is written.
DUALSPACE_DEFAULT_FRAMEWORK = env_str("DUALSPACE_DEFAULT_FRAMEWORK") or "DSMF"

DEMO_PASSWORD = env_str("DEMO_PASSWORD") or "dualspace-demo"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_without_traceback": {"()": "config.log_filters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "WARNING"},
    # The PDF stack narrates every step at INFO (layout steps, browser tabs); keep its warnings.
    "loggers": {
        **{
            name: {"level": "WARNING"}
            for name in ("weasyprint", "weasyprint.progress", "fontTools", "kaleido", "choreographer", "logistro")
        },
        # Every audit record is also a log line (for a syslog collector); the database holds them anyway, so
        # they are quiet unless AUDIT_LOG_LEVEL=INFO asks (make run's INFO would print one per demo step).
        "dualspace.audit": {"level": env_str("AUDIT_LOG_LEVEL") or "WARNING"},
    },
}
# Mail (reminders: assessment/services/notifications.py), as Django 6.1's MAILERS; the variables keep the
# familiar EMAIL_* names. Without EMAIL_HOST reminders stay in the app.
_email_host = env_str("EMAIL_HOST", "") or ""
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host or "localhost",
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", "") or "",
            "password": env_str("EMAIL_HOST_PASSWORD", "") or "",
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dualspace@localhost") or "dualspace@localhost"
NOTIFICATION_EMAILS = env_bool("NOTIFICATION_EMAILS", bool(_email_host))
# The address people open DualSpace at, for the links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000"
# Evidence uploads larger than this are refused (bytes).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
