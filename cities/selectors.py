"""Reads of reference data for pages and other apps."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cities.dual_space import DualSpace, ImportedFlows, dual_space
from cities.models import Agreement, AgreementParty, City, CityPairFlow, Province, Region, RegionMembership
from cities.network import AgreementEdge
from cities.surge import CityPoint


def province_list() -> QuerySet[Province]:
    """The provinces, by code (the city list's filter)."""
    return Province.objects.order_by("code")


def region_list() -> QuerySet[Region]:
    return Region.objects.annotate(member_count=Count("memberships")).order_by("code")


def region_by_code(*, code: str) -> Region:
    """The region with this code (Region.DoesNotExist when there is none)."""
    return Region.objects.get(code=code)


def region_with_members(*, code: str) -> Region:
    memberships = RegionMembership.objects.select_related("city__province").order_by("city__code")
    return Region.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(code=code)


def regions_of_city(city: City) -> list[Region]:
    """The city's regions, smallest first: the smallest holds its closest peers (G60 before the delta).

    Counted before filtering: a filter on memberships first would count only
    the city's own membership.
    """
    return list(
        Region.objects.annotate(size=Count("memberships")).filter(memberships__city=city).order_by("size", "code")
    )


def city_list(*, province: str | None = None, region: str | None = None) -> QuerySet[City]:
    cities = City.objects.select_related("province").prefetch_related("regions")
    if province:
        cities = cities.filter(province__code=province)
    if region:
        cities = cities.filter(regions__code=region)
    return cities.order_by("code")


def existing_city_codes(codes: list[str]) -> set[str]:
    """Those of ``codes`` that name a city."""
    return set(City.objects.filter(code__in=codes).values_list("code", flat=True))


def city_with_province(*, code: str) -> City:
    """The city with this code and its province (City.DoesNotExist when there is none)."""
    return City.objects.select_related("province").get(code=code)


def city_detail(*, code: str) -> City:
    return City.objects.select_related("province").prefetch_related("memberships__region").get(code=code)


def cities_managed_by(user) -> QuerySet[City]:  # type: ignore[no-untyped-def]
    return City.objects.filter(managers=user).select_related("province").order_by("code")


def agreement_list(
    *,
    domain: str | None = None,
    mode: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> QuerySet[Agreement]:
    agreements = Agreement.objects.select_related("region").annotate(party_count=Count("party_links"))
    if domain:
        agreements = agreements.filter(domain=domain)
    if mode:
        agreements = agreements.filter(mode=mode)
    if status:
        # The status as of today (Agreement.status_on): "in force" leaves out one past its expiry date.
        agreements = agreements.annotate(status_now=Agreement.status_on_expression(timezone.localdate())).filter(
            status_now=status
        )
    if region:
        agreements = agreements.filter(region__code=region)
    return agreements.order_by("region__code", "domain", "key")


def agreement_detail(*, key: str) -> Agreement:
    parties = AgreementParty.objects.select_related("city__province").order_by("role", "city__code")
    return (
        Agreement.objects.select_related("region")
        .prefetch_related(Prefetch("party_links", queryset=parties))
        .get(key=key)
    )


def agreement_titles(*, keys: Iterable[str]) -> dict[str, str]:
    """Each agreement's title in the reader's language, by key: what a page shows where a key would mean nothing."""
    return {agreement.key: agreement.title for agreement in Agreement.objects.filter(key__in=set(keys))}


def agreement_edges(*, city_codes: Iterable[str]) -> list[AgreementEdge]:
    """Agreements touching the cities, as network edges; observers are not network parties."""
    codes = list(city_codes)
    bound = AgreementParty.objects.exclude(role=AgreementParty.Role.OBSERVER)
    agreements = (
        Agreement.objects.filter(party_links__city_id__in=codes)
        .distinct()
        .prefetch_related(Prefetch("party_links", queryset=bound, to_attr="bound_parties"))
        .order_by("key")
    )
    return [
        AgreementEdge(
            agreement_id=agreement.key,
            domain=agreement.domain,
            mode=agreement.mode,
            status=agreement.status,
            in_force_from=agreement.in_force_from,
            expires_on=agreement.expires_on,
            parties=tuple(sorted(link.city_id for link in agreement.bound_parties)),
        )
        for agreement in agreements
    ]


def surge_cities(*, city_codes: Iterable[str]) -> list[CityPoint]:
    """Member cities with a known population, as plain points for the surge test."""
    return [
        CityPoint(
            code=city.code,
            population=float(city.population),
            latitude=float(city.latitude),
            longitude=float(city.longitude),
        )
        for city in City.objects.filter(code__in=list(city_codes), population__isnull=False).order_by("code")
    ]


def member_notes(region: Region) -> dict[str, str]:
    """Per member city code, its footnote in the active language (Shanghai in the G60: through Songjiang)."""
    memberships = RegionMembership.objects.filter(region=region).exclude(note_zh="", note_en="").order_by("city_id")
    return {membership.city_id: membership.note for membership in memberships if membership.note}


def subregions(region: Region) -> list[Region]:
    """The other regions all of whose members are members of ``region`` (the YRD central area and G60 in the YRD).

    A region without members is nobody's sub-group.
    """
    members = set(RegionMembership.objects.filter(region=region).values_list("city_id", flat=True))
    others: dict[str, set[str]] = {}
    for region_code, city_code in RegionMembership.objects.exclude(region=region).values_list("region_id", "city_id"):
        others.setdefault(region_code, set()).add(city_code)
    codes = [code for code, cities in others.items() if cities <= members]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def imported_flows(*, city_codes: Iterable[str], on: dt.date) -> ImportedFlows | None:
    """The imported flows among the cities of the latest year up to ``on``, of the kind with most rows.

    None when no imported flow links two of the cities in or before that year.
    Whether they list every pair of the cities is `cities.dual_space.dual_space`'s
    rule; they are demo data when any row used is (``CityPairFlow.is_demo``).
    """
    codes = list(city_codes)
    rows = CityPairFlow.objects.filter(origin_id__in=codes, destination_id__in=codes, year__lte=on.year)
    latest = rows.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return None
    counted = rows.filter(year=latest).values("kind").annotate(rows=Count("id")).order_by("-rows", "kind")
    kind = counted[0]["kind"]
    chosen = list(rows.filter(year=latest, kind=kind))
    return ImportedFlows(
        flows={(flow.origin_id, flow.destination_id): flow.value for flow in chosen},
        unit=" / ".join(sorted({flow.unit for flow in chosen})),
        is_demo=any(flow.is_demo for flow in chosen),
        year=latest,
    )


def region_dual_space(city_codes: list[str], on: dt.date) -> DualSpace:
    """The dual-space gap of the cities on the date: imported flows when they list every pair, else gravity.

    Populations, coordinates and agreements in force come from the reference data;
    observers are not parties (agreement_edges), so they never count as covered.
    """
    cities = surge_cities(city_codes=city_codes)
    edges = agreement_edges(city_codes=city_codes)
    domains = [value for value, _label in Agreement.Domain.choices]
    return dual_space(cities, edges, domains, on, imported=imported_flows(city_codes=city_codes, on=on))


def agreements_version() -> str:
    """What the agreements and the imported flows are now, in three light aggregate queries: to key cached pages.

    No model has a change time: every add, delete or edit moves a count, the
    highest id, a sum of ids or values, or the latest history date. Imports
    edit parties in place (update_or_create), so a change of role moves the
    counts per role.
    """
    agreements = Agreement.history.aggregate(rows=Count("history_id"), latest=Max("history_date"))
    parties = AgreementParty.objects.aggregate(
        rows=Count("id"),
        last=Max("id"),
        ids=Sum("id"),
        leads=Count("id", filter=Q(role=AgreementParty.Role.LEAD)),
        observers=Count("id", filter=Q(role=AgreementParty.Role.OBSERVER)),
    )
    flows = CityPairFlow.objects.aggregate(rows=Count("id"), last=Max("id"), values=Sum("value"), years=Sum("year"))
    latest = agreements["latest"]
    return "|".join(
        [
            f"{agreements['rows']}@{latest.timestamp() if latest else 0:.6f}",
            *(str(parties[name]) for name in ("rows", "last", "ids", "leads", "observers")),
            *(str(flows[name]) for name in ("rows", "last", "values", "years")),
        ]
    )
