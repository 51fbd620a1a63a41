"""Filters for the console log."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Keep a refused request's one line ("Forbidden (Permission denied): /x/"), not its traceback.

    Django logs a 403 or 400 with the exception that refused it, so every page a user may not
    open printed a full traceback, which buries the real errors in an operator's log. A 4xx is
    the app working as designed; a 5xx keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
