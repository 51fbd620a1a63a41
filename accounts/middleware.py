"""Two narrow roles reach their own pages and their own account pages, nothing else.

Most pages let in every signed-in user (the framework, regions, published
results). Two roles must not wander there:
- the auditor's duty is the trail, not the data (三员分立): the audit log only;
- a city respondent is city staff submitting their own city's answers: their
  self-submission pages only, never other cities, teams or results.
This one gate refuses them the rest, on the server, whatever a page's own
check says; a user who also holds another role is not narrowed.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.roles import Role, user_roles

# Every signed-in user's own account: signing in and out, the password, the second factor, notifications.
ACCOUNT_PAGES = frozenset(
    {
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
AUDITOR_PAGES = ACCOUNT_PAGES | {"audit_log", "audit_log_csv"}
RESPONDENT_PAGES = ACCOUNT_PAGES | {
    "assessment:respond_list",
    "assessment:respond_assessment",
    "assessment:respond_save",
    "assessment:respond_evidence",
}
# role -> (the pages it reaches, where its home page is)
NARROW_ROLES = {
    Role.AUDITOR: (AUDITOR_PAGES, "audit_log"),
    Role.RESPONDENT: (RESPONDENT_PAGES, "assessment:respond_list"),
}


class NarrowRolesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        roles = user_roles(request.user)
        if len(roles) == 1 and next(iter(roles)) in NARROW_ROLES:
            pages, home = NARROW_ROLES[next(iter(roles))]
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                return self.get_response(request)  # the ordinary 404 page
            if name == "home":
                return redirect(home)
            if name not in pages:
                # 404, as for an assessment one may not see: another city's page does not exist for them.
                raise Http404
        return self.get_response(request)
