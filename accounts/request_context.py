"""The request being served, for audit records written where no request is passed (services, signals).

Services take the acting user, not the request (they also run from commands
and workers), and model signals get neither; the audit log still wants the
client address of the page that caused them. This middleware keeps the
current request in a context variable for the length of the request, and
`accounts.audit.record` falls back to it. A context variable, not a
thread-local, so it is right under ASGI as well as under threads.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("dualspace_current_request", default=None)


def current_request() -> HttpRequest | None:
    """The request this code runs for, or None in a command, a worker or a test without a client."""
    return _current_request.get()


class RequestContextMiddleware:
    """Sets the current request for the rest of the chain (after authentication, so its user is known)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
