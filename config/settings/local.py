"""Settings for `make run` on a consultant's or developer's machine.

DEBUG stays off unless asked for (DEBUG=true): users of a local install
should get friendly error pages, not tracebacks, and hashed static files.
"""

from config.settings.base import *  # noqa: F403

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
