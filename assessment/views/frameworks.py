"""The framework pages: the versions a user may read, and one version's tree and stage ladder."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import Role, has_role
from assessment.framework.methodology import methodology_values
from assessment.models import Framework
from assessment.selectors.framework import (
    framework_change_log,
    framework_get,
    framework_stages,
    framework_tree_rows,
    framework_versions,
)
from cities.bilingual import in_english


def framework_list(request: HttpRequest) -> HttpResponse:
    """The framework versions the user may read; drafts only for administrators."""
    # Drafts are work in progress of the methodology team.
    versions = framework_versions(drafts=has_role(request.user, Role.ADMINISTRATOR))
    return render(request, "assessment/framework_list.html", {"frameworks": versions})


def framework_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    """One version: its tree of dimensions and indicators, its stage ladder, its method's numbers and methodology."""
    try:
        framework = framework_get(code=code, version=version)
    except Framework.DoesNotExist as exc:
        raise Http404 from exc
    if framework.status == Framework.Status.DRAFT and not has_role(request.user, Role.ADMINISTRATOR):
        raise Http404
    context = {
        "framework": framework,
        "rows": framework_tree_rows(framework),
        "stages": framework_stages(framework),
        # The same wording the methodology text is filled with, so the table and the text agree.
        "method": methodology_values(framework.method_parameters(), "en" if in_english() else "zh"),
        "change_log": framework_change_log(framework),
    }
    return render(request, "assessment/framework_detail.html", context)
