"""Reads of reference data for pages and other apps."""

from django.db.models import Count, Prefetch, QuerySet

from cities.models import City, Region, RegionMembership


def region_list() -> QuerySet[Region]:
    return Region.objects.annotate(member_count=Count("memberships")).order_by("code")


def region_with_members(*, code: str) -> Region:
    memberships = RegionMembership.objects.select_related("city__province").order_by("city__code")
    return Region.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(
        code=code
    )


def city_list(*, province: str | None = None, region: str | None = None) -> QuerySet[City]:
    cities = City.objects.select_related("province").prefetch_related("regions")
    if province:
        cities = cities.filter(province__code=province)
    if region:
        cities = cities.filter(regions__code=region)
    return cities.order_by("code")


def city_detail(*, code: str) -> City:
    return City.objects.select_related("province").prefetch_related("memberships__region").get(
        code=code
    )


def cities_managed_by(user) -> QuerySet[City]:  # type: ignore[no-untyped-def]
    return City.objects.filter(managers=user).select_related("province").order_by("code")
