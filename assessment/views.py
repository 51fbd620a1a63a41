from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from assessment.roles import Role, has_role
from cities.selectors import cities_managed_by


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "managed_cities": cities_managed_by(request.user)
        if has_role(request.user, Role.CITY_MANAGER)
        else [],
    }
    return render(request, "assessment/home.html", context)


def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/framework_list.html", {})


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
