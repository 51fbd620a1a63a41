"""An auditor reaches the audit log and their own account pages, nothing else (三员分立).

Most pages let in every signed-in user (the framework, regions, published
results); the auditor's duty is the trail, not the data, so this one gate
refuses them the rest, on the server, whatever a page's own check says.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.roles import auditor_only

AUDITOR_PAGES = frozenset(
    {
        "audit_log",
        "audit_log_csv",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "two_factor_setup",
        "two_factor_verify",
        "two_factor_manage",
        "two_factor_recovery_codes",
        "two_factor_remove",
        "assessment:notification_list",
        "assessment:notifications_read",
    }
)


class AuditorScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if auditor_only(request.user):
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                return self.get_response(request)  # the ordinary 404 page
            if name == "home":
                return redirect("audit_log")
            if name not in AUDITOR_PAGES:
                raise PermissionDenied
        return self.get_response(request)
