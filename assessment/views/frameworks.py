"""The framework pages: the versions a user may read, and one version's tree and stage ladder."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import Role, has_role
from assessment.models import Framework
from assessment.selectors.framework import framework_get, framework_stages, framework_tree_rows, framework_versions


def framework_list(request: HttpRequest) -> HttpResponse:
    """The framework versions the user may read; drafts only for administrators."""
    # Drafts are work in progress of the methodology team.
    versions = framework_versions(drafts=has_role(request.user, Role.ADMINISTRATOR))
    return render(request, "assessment/framework_list.html", {"frameworks": versions})


def framework_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    """One version: its tree of dimensions and indicators, and its stage ladder."""
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
    }
    return render(request, "assessment/framework_detail.html", context)
