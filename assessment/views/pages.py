from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from accounts.roles import Role, has_role, user_roles
from assessment.models import Assessment, Framework
from assessment.selectors import home as home_selectors
from assessment.selectors.assessments import assessments_visible_to
from assessment.selectors.framework import framework_get, framework_tree_rows, framework_versions
from cities.models import Region
from cities.selectors import cities_managed_by


def home(request: HttpRequest) -> HttpResponse:
    """The start page: what each of the user's roles has to do or read next (selectors.home)."""
    user = request.user
    is_admin = has_role(user, Role.ADMINISTRATOR)
    # Administrators hold every role: they get the all-assessments card, not empty personal ones.
    roles = user_roles(user)
    context = {
        "standings": [home_selectors.city_standing(city, user) for city in cities_managed_by(user)]
        if Role.CITY_MANAGER in roles
        else [],
        "is_consultant": Role.CONSULTANT in roles,
        "assignments": home_selectors.open_assignments(user) if Role.CONSULTANT in roles else [],
        "is_reviewer": Role.REVIEWER in roles,
        "reviews": home_selectors.reviews_waiting(user) if Role.REVIEWER in roles else [],
        "is_stakeholder": Role.STAKEHOLDER in roles,
        "reports": home_selectors.recent_reports(user) if Role.STAKEHOLDER in roles else [],
        "open_assessments": assessments_visible_to(user)
        .exclude(status=Assessment.Status.PUBLISHED)
        .order_by("-period", "city__code")[:8]
        if is_admin
        else [],
        "is_admin": is_admin,
        "regions": Region.objects.order_by("code"),
    }
    return render(request, "assessment/home.html", context)


def framework_list(request: HttpRequest) -> HttpResponse:
    versions = framework_versions()
    if not has_role(request.user, Role.ADMINISTRATOR):
        # Drafts are work in progress of the methodology team.
        versions = versions.exclude(status=Framework.Status.DRAFT)
    return render(request, "assessment/framework_list.html", {"frameworks": versions})


def framework_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    try:
        framework = framework_get(code=code, version=version)
    except Framework.DoesNotExist as exc:
        raise Http404 from exc
    if framework.status == Framework.Status.DRAFT and not has_role(request.user, Role.ADMINISTRATOR):
        raise Http404
    context = {
        "framework": framework,
        "rows": framework_tree_rows(framework),
        "stages": framework.stages.prefetch_related("requires").order_by("order"),
    }
    return render(request, "assessment/framework_detail.html", context)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: whatever failed may fail again.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
