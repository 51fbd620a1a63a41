"""Reference pages: the regions and cities lists and their detail pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cities import selectors
from cities.models import City, Region


def region_list(request: HttpRequest) -> HttpResponse:
    """The regions, with their member counts."""
    return render(request, "cities/region_list.html", {"regions": selectors.region_list()})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One region and its member cities."""
    try:
        region = selectors.region_with_members(code=code)
    except Region.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "cities/region_detail.html", {"region": region})


def city_list(request: HttpRequest) -> HttpResponse:
    """The cities, filtered by province or region."""
    province = request.GET.get("province") or None
    region = request.GET.get("region") or None
    context = {
        "cities": selectors.city_list(province=province, region=region),
        "provinces": selectors.province_list(),
        "regions": selectors.region_list(),
        "selected_province": province,
        "selected_region": region,
    }
    return render(request, "cities/city_list.html", context)


def city_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One city and the regions it belongs to."""
    try:
        city = selectors.city_detail(code=code)
    except City.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "cities/city_detail.html", {"city": city})
