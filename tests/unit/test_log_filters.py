"""A refused request logs one line; a server error keeps its traceback."""

import io
import logging
import logging.config
import sys

from django.conf import settings


def _logged(status: int) -> str:
    """What the project's console handler prints for a django.request record with this status."""
    stream = io.StringIO()
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
    config["handlers"] = {"console": {**settings.LOGGING["handlers"]["console"], "stream": stream}}
    logging.config.dictConfig(config)
    try:
        try:
            raise PermissionError("refused")
        except PermissionError:
            logging.getLogger("django.request").warning(
                "Forbidden (Permission denied): /assessments/1/", exc_info=sys.exc_info(), extra={"status_code": status}
            )
    finally:
        logging.config.dictConfig(settings.LOGGING)
    return stream.getvalue()


def test_a_refusal_is_one_line_without_its_traceback():
    assert _logged(403) == "Forbidden (Permission denied): /assessments/1/\n"


def test_a_server_error_keeps_its_traceback():
    assert "Traceback (most recent call last)" in _logged(500)


def test_production_logs_through_the_same_filter():
    """config.settings.production builds on base's logging: it once replaced it and lost the filter."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import django, logging; from django.conf import settings; django.setup(); "
        "print(settings.LOGGING['handlers']['console'].get('filters'), settings.LOGGING['root']['level'])"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60 + "-production-secret-for-the-check",
        "ALLOWED_HOSTS": "dualspace.example.org",
        "DATABASE_URL": "postgres://dualspace:secret@localhost:5432/dualspace",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "['refusals_without_traceback'] INFO", result.stderr[-2000:]
