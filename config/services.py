"""Where files and cached values live: one machine's disk and memory, or services several machines share.

Read by ``config.settings.base`` (and the test settings) from the environment.
With nothing set, files go to a local folder and the cache is a table of the
database, so ``make run`` needs nothing installed; a deployment on several
machines points ``STORAGE_BACKEND=s3`` at an S3-protocol object store and
``CACHE_URL`` at Redis or Valkey (README, "Several machines").
"""

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str

# The database cache's table, made by a migration (accounts/migrations/0002_cache_table.py): `migrate` is the only step.
CACHE_TABLE = "dualspace_cache"

STORAGE_BACKENDS = ("local", "s3")
DOWNLOAD_MODES = ("stream", "redirect")
ADDRESSING_STYLES = ("path", "virtual", "auto")


def default_storage(local_location: Path) -> dict[str, Any]:
    """The STORAGES["default"] entry: evidence files, report PDFs and stored backups.

    ``local`` (the default): files under ``local_location``, each written under a
    temporary name and moved into place (`config.storage.AtomicFileSystemStorage`).
    ``s3``: django-storages' S3 backend on any S3-protocol server (an object is
    visible only once its upload has completed, so writes are atomic there too).
    """
    backend = (env_str("STORAGE_BACKEND") or "local").lower()
    if backend not in STORAGE_BACKENDS:
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be one of {', '.join(STORAGE_BACKENDS)}, not {backend!r}.")
    if backend == "local":
        return {
            "BACKEND": "config.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": Path(env_str("MEDIA_ROOT") or local_location)},
        }
    bucket = env_str("S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET, the bucket that holds the files.")
    style = (env_str("S3_ADDRESSING_STYLE") or "path").lower()
    if style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}, not {style!r}.")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "region_name": env_str("S3_REGION") or None,
        "addressing_style": style,
        # Every object under this prefix, so one bucket can hold several installations.
        "location": (env_str("S3_PREFIX") or "").strip("/"),
        # Never a public object: every download passes the app's permission check first.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": download_url_expiry(),
        # Two uploads with the same name keep both (the second gets a suffix), as on the local disk.
        "file_overwrite": False,
        # A streamed download is buffered by django-storages; above this size the buffer
        # spills to a temporary file of the serving process instead of its memory.
        "max_memory_size": env_int("S3_MAX_MEMORY_SIZE", 8 * 1024 * 1024),
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def download_mode() -> str:
    """How a permitted download reaches the browser: ``stream`` through the app, or ``redirect`` to a signed URL."""
    mode = (env_str("STORAGE_DOWNLOADS") or "stream").lower()
    if mode not in DOWNLOAD_MODES:
        raise ImproperlyConfigured(f"STORAGE_DOWNLOADS must be one of {', '.join(DOWNLOAD_MODES)}, not {mode!r}.")
    return mode


def download_url_expiry() -> int:
    """Seconds a presigned download URL stays valid (STORAGE_DOWNLOADS=redirect)."""
    seconds = env_int("STORAGE_URL_EXPIRY", 60)
    if not 1 <= seconds <= 3600:
        raise ImproperlyConfigured(f"STORAGE_URL_EXPIRY must be between 1 and 3600 seconds, not {seconds}.")
    return seconds


# What the release is made of, for release_fingerprint(): code, templates and message catalogues.
RELEASE_FOLDERS = ("accounts", "assessment", "cities", "config", "templates", "locale")
RELEASE_SUFFIXES = (".py", ".html", ".txt", ".po")


def release_fingerprint(root: Path | None = None) -> str:
    """12 hex digits of SHA-256 over the release's code, templates and .po catalogues: the same on every machine.

    In the cache's key prefix: the shared cache outlives every process (Redis,
    or the database table), and a page body cached by the previous release
    would otherwise be served with its old templates and texts, or an object
    of a changed class unpickled. The compiled .mo files are left out (each
    machine compiles its own), the .po files they come from are in.
    """
    root = root or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in RELEASE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in RELEASE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def caches() -> dict[str, dict[str, Any]]:
    """CACHES: Redis or Valkey when CACHE_URL names one, else a table of the database.

    Never Django's per-process local-memory cache: two processes (or machines)
    would each keep their own copy and disagree once a result is published.
    Keys begin with CACHE_KEY_PREFIX (default dualspace) and the release:
    CACHE_RELEASE (a deployment may set its commit) or release_fingerprint(),
    so two releases never read each other's entries.
    """
    release = env_str("CACHE_RELEASE") or release_fingerprint()
    prefix = f"{env_str('CACHE_KEY_PREFIX') or 'dualspace'}:{release}"
    url = env_str("CACHE_URL") or "db://"
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("redis", "rediss", "valkey", "valkeys", "unix"):
        # Valkey speaks the Redis protocol; redis-py knows only the redis schemes.
        location = url.replace("valkey", "redis", 1) if scheme.startswith("valkey") else url
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": location,
                "KEY_PREFIX": prefix,
            }
        }
    if scheme == "db":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": CACHE_TABLE,
                "KEY_PREFIX": prefix,
                # Culling deletes a third of the rows once this many are stored; cached pages are large.
                "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
            }
        }
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://host:port/db (or rediss://, valkey://) or db://, not {url!r}."
    )
