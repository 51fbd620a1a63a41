"""Settings for the test suite: fast hashing, tasks run immediately."""

import tempfile
from pathlib import Path

from config import services
from config.env import env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Each pytest-xdist worker (PYTEST_XDIST_WORKER: gw0, gw1, ...) has a folder of its own: no test sees
# another worker's files.
_media_folder = "-".join(filter(None, ["dualspace-test-media", env_str("PYTEST_XDIST_WORKER")]))
STORAGES = {
    **STORAGES,
    # The load tests give their server and worker processes a folder of their own (TEST_MEDIA_ROOT);
    # the two-node tests give them object storage (STORAGE_BACKEND=s3, tests/scale).
    "default": services.default_storage(
        Path(env_str("TEST_MEDIA_ROOT") or Path(tempfile.gettempdir()) / _media_folder)
    ),
    # Tests render templates without running collectstatic first.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the app folders: tests do not run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
