"""The read API, `/api/v1/`: reference data and published results, as JSON.

Session authentication only (the signed-in browser session); no tokens yet.
GET only, so CSRF does not apply. Every result read goes through
`assessments_visible_to`, the same rules as the pages.
"""

import re
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from assessment.api.schemas import (
    CityOut,
    ErrorOut,
    FrameworkOut,
    PeriodResultOut,
    RegionDetailOut,
    RegionOut,
    RegionResultsOut,
)
from assessment.models import Assessment, Framework
from assessment.selectors import results as result_selectors
from cities import selectors as city_selectors
from cities.models import City, Region
from cities.templatetags.lists import join_list

MAX_MONTE_CARLO_RUNS = 2000
# Far above any list here (a few hundred cities); SQLite holds no number past 2**63 - 1.
MAX_PAGE_LIMIT = 1000
MAX_PAGE_OFFSET = 1_000_000

api = NinjaAPI(
    title="DualSpace API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    description=(
        "Read-only access to regions, cities, framework versions and published results. "
        "Sign in with a session; results follow the same visibility rules as the pages."
    ),
)

NOT_FOUND = {404: ErrorOut}


def parameter_message(item: dict[str, Any]) -> str:
    """A parameter error in the reader's language.

    Pydantic writes its messages in English only; the kinds these parameters
    can raise are said again here. Our own problems (`paging_problems`) carry
    no pydantic type and come translated already.
    """
    kind = item.get("type")
    context = item.get("ctx") or {}
    if kind is None:
        return str(item.get("msg", ""))
    if kind == "missing":
        return _("required")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("must be a whole number")
    if kind in ("float_parsing", "float_type"):
        return _("must be a number")
    if kind == "greater_than_equal":
        return _("at least %(limit)s") % {"limit": context.get("ge")}
    if kind == "less_than_equal":
        return _("at most %(limit)s") % {"limit": context.get("le")}
    if kind == "greater_than":
        return _("more than %(limit)s") % {"limit": context.get("gt")}
    if kind == "less_than":
        return _("less than %(limit)s") % {"limit": context.get("lt")}
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return _("must be %(choices)s") % {"choices": join_list(choices, last="or")}
    if kind == "string_too_long":
        return _("at most %(limit)s characters") % {"limit": context.get("max_length")}
    return _("not a valid value")


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, error: ValidationError) -> HttpResponse:
    parameters = []
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("query", "path", "body")]
        parameters.append({"parameter": ".".join(location), "message": parameter_message(item)})
    names = join_list(dict.fromkeys(entry["parameter"] for entry in parameters if entry["parameter"]))
    return api.create_response(
        request,
        {"detail": _("Invalid parameter: %(names)s.") % {"names": names}, "errors": parameters},
        status=400,
    )


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Sign in to use the API.")}, status=401)


def paging_problems(limit: int, offset: int) -> list[dict[str, Any]]:
    """`limit` and `offset` past their range, as the parameter errors `invalid_parameters` answers with 400."""
    problems = []
    if limit > MAX_PAGE_LIMIT:
        problems.append({"loc": ("query", "limit"), "msg": _("at most %(limit)s") % {"limit": MAX_PAGE_LIMIT}})
    if offset > MAX_PAGE_OFFSET:
        problems.append({"loc": ("query", "offset"), "msg": _("at most %(limit)s") % {"limit": MAX_PAGE_OFFSET}})
    return problems


class Paging(LimitOffsetPagination):
    """Ninja's limit and offset, with upper bounds: past them the database failed with a 500."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        problems = paging_problems(pagination.limit, pagination.offset)
        if problems:
            raise ValidationError(problems)
        return super().paginate_queryset(queryset, pagination, request, **params)


def _region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise HttpError(404, _("There is no region %(code)s.") % {"code": code}) from None


def _city(code: str) -> City:
    try:
        return City.objects.get(code=code)
    except City.DoesNotExist:
        raise HttpError(404, _("There is no city %(code)s.") % {"code": code}) from None


@api.get("/regions", response=list[RegionOut], tags=["reference data"])
@paginate(Paging)
def region_list(request: HttpRequest) -> Any:
    return city_selectors.region_list()


@api.get("/regions/{code}", response={200: RegionDetailOut, **NOT_FOUND}, tags=["reference data"])
def region_detail(request: HttpRequest, code: str) -> Any:
    try:
        return city_selectors.region_with_members(code=code)
    except Region.DoesNotExist:
        raise HttpError(404, _("There is no region %(code)s.") % {"code": code}) from None


@api.get("/cities", response=list[CityOut], tags=["reference data"])
@paginate(Paging)
def city_list(request: HttpRequest, region: str | None = None) -> Any:
    if region:
        _region(region)
    return city_selectors.city_list(region=region)


@api.get("/cities/{code}", response={200: CityOut, **NOT_FOUND}, tags=["reference data"])
def city_detail(request: HttpRequest, code: str) -> Any:
    try:
        return city_selectors.city_list().get(code=code)
    except City.DoesNotExist:
        raise HttpError(404, _("There is no city %(code)s.") % {"code": code}) from None


@api.get("/frameworks", response=list[FrameworkOut], tags=["frameworks"])
@paginate(Paging)
def framework_list(request: HttpRequest) -> Any:
    return result_selectors.frameworks_visible_to(request.user)


@api.get("/regions/{code}/results", response={200: RegionResultsOut, **NOT_FOUND}, tags=["results"])
def region_results(
    request: HttpRequest,
    code: str,
    period: Annotated[int, Query(ge=2000, le=2100, description="The year assessed.")],
    # The deployment's default framework, read once at import: the OpenAPI document states it.
    framework: Annotated[str, Query(description="Framework code.")] = settings.DUALSPACE_DEFAULT_FRAMEWORK,
    version: Annotated[str | None, Query(description="Framework version; the latest published by default.")] = None,
    kind: Annotated[Assessment.Kind, Query(description="Consultant assessments or city self-assessments.")] = (
        Assessment.Kind.CONSULTANT
    ),
    mc: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_MONTE_CARLO_RUNS,
            description="Monte Carlo runs for the rank interval; 0 leaves it out; "
            "by default the framework version's method parameters.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        Query(ge=0, description="Seed of the Monte Carlo, for reproducible intervals; by default the version's."),
    ] = None,
) -> Any:
    """Each visible city's published result of the period, ranked by index within the whole region.

    The rank and its interval are computed over every published result of
    the region, then only the rows the user may see are returned (a city
    manager sees their own city's true rank). Not paginated: a region's
    cities are few and the ranking needs all of them.
    """
    region = _region(code)
    try:
        chosen = result_selectors.framework_for_results(code=framework, version=version)
    except Framework.DoesNotExist:
        raise HttpError(
            404,
            _("There is no published framework %(code)s %(version)s.") % {"code": framework, "version": version or ""},
        ) from None
    return result_selectors.region_results(
        region=region,
        period=period,
        framework=chosen,
        user=request.user,
        kind=kind,
        monte_carlo_runs=mc,
        seed=seed,
    )


@api.get("/cities/{code}/results", response=list[PeriodResultOut], tags=["results"])
@paginate(Paging)
def city_results(request: HttpRequest, code: str) -> Any:
    """The city's published results the user may see, oldest period first (latest revision only)."""
    return result_selectors.city_results(city=_city(code), user=request.user)
