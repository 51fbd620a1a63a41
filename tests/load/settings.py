"""The test settings with the real task queue, for server and worker processes started by the fault tests."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
