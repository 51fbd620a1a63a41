"""Settings for `make run` on a consultant's or developer's machine.

DEBUG stays off unless asked for (DEBUG=true): users of a local install
should get friendly error pages, not tracebacks, and hashed static files.
"""

from config.settings.base import *  # noqa: F403

# INFO at the root, keeping base's quieter loggers (the PDF stack's steps, one line per audit record).
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "INFO"}}  # noqa: F405
