"""The start page and the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from accounts.roles import Role, has_role, user_roles
from assessment.selectors import home as home_selectors
from assessment.selectors.calibration import open_blind_rating_count
from cities.selectors import cities_managed_by, region_list


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
        # A blind rating asked of this consultant: nothing else on the start page would tell them.
        "open_blind_ratings": open_blind_rating_count(user) if Role.CONSULTANT in roles else 0,
        "is_reviewer": Role.REVIEWER in roles,
        "reviews": home_selectors.reviews_waiting(user) if Role.REVIEWER in roles else [],
        "is_stakeholder": Role.STAKEHOLDER in roles,
        "reports": home_selectors.recent_reports(user) if Role.STAKEHOLDER in roles else [],
        "open_assessments": home_selectors.assessments_in_progress(user) if is_admin else [],
        "is_admin": is_admin,
        "regions": region_list(),
    }
    return render(request, "assessment/home.html", context)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page."""
    return render(request, "errors/403.html", status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page."""
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request."""
    # No context processors here: whatever failed may fail again.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
