"""Dashboards for city managers: a region, a city, and cities side by side.

The views read the request through `assessment.dashboards.filters`, the
results through `assessment.dashboards.panels` (a `RegionView`, drawn as
panels) and render. Every chart is a `Panel`: its figure, and the table it
was drawn from, which the page shows as the chart's table view and the data
links download as CSV or XLSX (`assessment.dashboards.downloads`), so the
three always agree.

Published results are shared with every signed-in user (see
`published_results_visible_to`); the evidence and comments behind them are
not shown here.
"""

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment.dashboards import dual_space_panels, frames, panels, synthesis_panels
from assessment.dashboards.downloads import check_format, panel_download
from assessment.dashboards.filters import (
    MAX_COMPARED,
    MIN_COMPARED,
    Filters,
    compare_request,
    region_filters,
    unpinned_query,
)
from assessment.dashboards.headline import city_headline, compared_region
from assessment.dashboards.labels import city_labels, display_number, node_labels
from assessment.dashboards.what_if import WEIGHT_MAX, WEIGHT_MIN
from assessment.framework_cache import framework_scoring_tree
from assessment.selectors import results as result_selectors
from assessment.selectors.derived import reference_date
from assessment.selectors.recommendations import city_recommendations
from cities import selectors as city_selectors
from cities.models import City, Region

CACHE_SECONDS = 24 * 3600
# The city page's "what to do first" card shows this many of the city report's recommendations.
FIRST_RECOMMENDATIONS = 3
# The region page's synthesis panels (assessment.dashboards.synthesis_panels), downloadable like the others.
SYNTHESIS_SLUGS = ("dispersion", "convergence", "groups", "interoperability")
# The charts a what-if scenario redraws (the movers and the synthesis read the published results only).
WHAT_IF_PANELS = ("ranking", "plane", "stages", "heatmap", "map")


def _nothing_to_rank_message() -> str:
    return _(
        "All weights are zero: nothing to rank. Every half, or every dimension under it, weighs 0; "
        "move a slider above 0 or reset to the framework weights."
    )


def _region(code: str) -> Region:
    try:
        return city_selectors.region_by_code(code=code)
    except Region.DoesNotExist:
        raise Http404(_("There is no region %(code)s.") % {"code": code}) from None


def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    filters, periods = region_filters(query=request.GET, user=request.user, region=region)
    # Published results never change in place: a page drawn from them is cached under
    # their version (ids and scoring times), the agreements' and flows' version, the language and the what-if weights.
    version = (
        result_selectors.snapshot_version(
            region=region, period=filters.period, framework=filters.framework, user=request.user, kind=filters.kind
        )
        if filters.period is not None
        else f"{region.code}|none|{filters.framework.pk}|{filters.kind}"
    )
    # The synthesis and the movers compare with the period before (the previous version's, re-expressed, in a
    # version's first period): its results key the page too.
    if filters.period is not None:
        earlier = result_selectors.earlier_snapshot_version(
            region=region, period=filters.period, framework=filters.framework, user=request.user, kind=filters.kind
        )
        version += "|" + (earlier or "")
    # The synthesis and the dual-space panels also read the agreements and the imported flows, which change in place.
    version += "|" + city_selectors.agreements_version()
    # They count on the period's reference date (RegionView.reference_date), which is today while the period
    # runs: a page cached yesterday counted yesterday's agreements.
    on = reference_date(filters.period)
    version += "|" + on.isoformat()
    cache_key = (
        "region-dashboard:"
        + hashlib.sha256(f"{version}|{get_language()}|{sorted(filters.weights.items())}".encode()).hexdigest()
    )
    body = cache.get(cache_key)
    if body is None:
        body = _region_body(request, region, filters)
        cache.set(cache_key, body, timeout=CACHE_SECONDS)
    context = {
        "region": region,
        "filters": filters,
        "periods": periods,
        "reset_query": unpinned_query(filters, periods, **{f"w.{node}": None for node in filters.weights}),
        "regions": city_selectors.region_list(),
        **body,
    }
    return render(request, "dashboards/region.html", context)


def _region_body(request: HttpRequest, region: Region, filters: Filters) -> dict[str, Any]:
    """Everything of the region page that depends only on the published results: cacheable."""
    view = panels.region_view(request.user, region, filters)
    published = view.snapshot is not None and not view.snapshot.is_empty
    nothing_to_rank = published and view.what_if and frames.nothing_to_rank(view.ranking)
    shown = (
        [*panels.region_panels(request.user, view), *dual_space_panels.region_dual_space_panels(view)]
        if published and not nothing_to_rank
        else []
    )
    framework_weights = framework_scoring_tree(view.filters.framework).weight_of
    # A slider's label has room to wrap: the full name, never a bare code.
    names = node_labels(view.filters.framework)
    sliders = [
        {
            "code": node,
            "label": f"{node} {names.get(node, '')}".strip(),
            "default": framework_weights[node],
            "value": view.filters.weights.get(node, framework_weights[node]),
            "is_half": node in view.structure.halves,
        }
        for node in view.structure.adjustable
    ]
    data_base = reverse("assessment:region_data", args=[region.code, "x", "csv"])[: -len("x.csv")]
    panels_html = render_to_string(
        "dashboards/_panels.html",
        {"panels": shown, "data_base": data_base, "query": filters.query(), "wide": ("ranking", "heatmap")},
    )
    # The synthesis reads the published results, never the what-if scenario: it is the same under any weights.
    found = synthesis_panels.region_synthesis(request.user, view) if published else None
    synthesis_html = (
        render_to_string(
            "dashboards/_panels.html",
            {
                "panels": synthesis_panels.synthesis_panels(found),
                "data_base": data_base,
                "query": filters.query(),
                "wide": ("interoperability", "groups", "convergence"),
            },
        )
        if found
        else ""
    )
    return {
        "key_messages": found.texts if found else [],
        "synthesis_html": synthesis_html,
        "has_panels": bool(shown),
        "published": published,
        "nothing_to_rank": _nothing_to_rank_message() if nothing_to_rank else "",
        # render_to_string returns a SafeString (the template escaped every value), which the cache keeps.
        "panels_html": panels_html,
        "sliders": sliders,
        "weight_min": WEIGHT_MIN,
        "weight_max": WEIGHT_MAX,
        "what_if": view.what_if,
        "is_demo": bool(view.snapshot and view.snapshot.is_demo),
        "scored": 0 if view.snapshot is None else len(view.snapshot.scores),
        "members": 0 if view.snapshot is None else len(view.snapshot.cities),
    }


def region_what_if(request: HttpRequest, code: str) -> JsonResponse:
    """The ranking, plane and stages under the weights in the query string, as the page shows them."""
    region = _region(code)
    filters = region_filters(query=request.GET, user=request.user, region=region)[0]
    view = panels.region_view(request.user, region, filters)
    if view.snapshot is None or view.snapshot.is_empty:
        return JsonResponse({"detail": _("Nothing is published for this region yet.")}, status=404)
    if frames.nothing_to_rank(view.ranking):
        return JsonResponse({"detail": _nothing_to_rank_message(), "weights": view.filters.weights}, status=422)
    labels = city_labels(view.snapshot.cities)
    by_slug = {panel.slug: panel for panel in panels.region_panels(request.user, view, only=WHAT_IF_PANELS)}
    return JsonResponse(
        {
            "weights": view.filters.weights,
            "query": view.filters.query(),
            "what_if": view.what_if,
            "panels": {
                slug: {
                    "figure": by_slug[slug].figure,
                    "columns": by_slug[slug].columns,
                    # As the page's table writes them ("75.0"): a JSON number 75.0 reached the redrawn table as "75".
                    "rows": [[_as_written(cell) for cell in row] for row in by_slug[slug].rows],
                    "caption": by_slug[slug].caption,
                }
                for slug in WHAT_IF_PANELS
                if slug in by_slug
            },
            "ranking": [
                {
                    "city": code,
                    "name": labels.get(code, code),
                    "rank": display_number(row["rank"], 0),
                    "index": display_number(row["index"]),
                    "stage": row["stage"],
                }
                for code, row in view.ranking.iterrows()
            ],
        }
    )


def _as_written(cell: Any) -> Any:
    """A table cell as the page's template writes it: numbers as text (Django's localize), the rest as they are."""
    return localize(cell) if isinstance(cell, float | int) and not isinstance(cell, bool) else cell


def region_data(request: HttpRequest, code: str, chart: str, fmt: str) -> HttpResponse:
    """One chart's table, exactly as the page shows it, as CSV or XLSX."""
    check_format(fmt)
    region = _region(code)
    filters = region_filters(query=request.GET, user=request.user, region=region)[0]
    view = panels.region_view(request.user, region, filters)
    if view.snapshot is None or view.snapshot.is_empty:
        raise Http404(_("Nothing is published for this region yet."))
    if frames.nothing_to_rank(view.ranking):
        raise Http404(_nothing_to_rank_message())
    # Only the chart asked for is drawn: a ranking CSV has no use for the map's outlines or the synthesis.
    if chart in panels.REGION_PANELS:
        shown = panels.region_panels(request.user, view, only=(chart,))
    elif chart in SYNTHESIS_SLUGS:
        shown = synthesis_panels.synthesis_panels(synthesis_panels.region_synthesis(request.user, view))
    else:
        shown = dual_space_panels.region_dual_space_panels(view)
    by_slug = {panel.slug: panel for panel in shown}
    if chart not in by_slug:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return panel_download(by_slug[chart], f"{region.code}-{view.filters.period}-{chart}", fmt)


# One city


def _city(code: str) -> City:
    try:
        return city_selectors.city_with_province(code=code)
    except City.DoesNotExist:
        raise Http404(_("There is no city %(code)s.") % {"code": code}) from None


def _city_region(request: HttpRequest, city: City) -> tuple[Region, list[Region]]:
    """The region the city is compared with (see `compared_region`), and all of its regions."""
    regions = city_selectors.regions_of_city(city)
    region = compared_region(regions, request.GET.get("region"))
    if region is None:
        raise Http404(_("%(city)s belongs to no region.") % {"city": city.name})
    return region, regions


def city_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    city = _city(code)
    region, regions = _city_region(request, city)
    filters, periods = region_filters(query=request.GET, user=request.user, region=region, city=city)
    view = panels.region_view(request.user, region, filters)
    # The city's other periods in this version: filters.periods is the city's periods plus the one asked for,
    # which may have no result, so leaving out the period shown leaves the city's own.
    own_periods = [period for period in filters.periods if period != filters.period]
    context: dict[str, Any] = {
        "city": city,
        "region": region,
        "regions": regions,
        "filters": view.filters,
        "periods": periods,
        # The region opens on its own default unless the reader chose this period.
        "region_query": unpinned_query(filters, periods, region=None),
        # The city's periods with results, for the page of a period without (filters.periods
        # holds the city's periods and the one asked for), then those published under another version.
        "city_periods": [{"period": period, "query": filters.query(period=period)} for period in own_periods]
        + [
            {"period": period, "version": other, "query": filters.query(period=period, version=other.version)}
            for other in filters.frameworks
            if other.code == filters.framework.code and other.pk != filters.framework.pk
            for period in result_selectors.city_periods(
                city=city, framework=other, user=request.user, kind=filters.kind
            )
            if period not in own_periods
        ],
        "panels": [],
        "is_demo": bool(view.snapshot and view.snapshot.is_demo),
        "published": False,
    }
    if view.snapshot is not None and city.code in view.snapshot.scores.index:
        city_panels, extra = panels.city_panels(request.user, view, city)
        city_panels += dual_space_panels.city_dual_space_panels(view, city.code)
        context.update(published=True, panels=city_panels, headline=city_headline(view, city), **extra)
        # The "what to do first" card: the report's first items, the full list is in the city report.
        context["first_recommendations"] = city_recommendations(view, city.code)[:FIRST_RECOMMENDATIONS]
    return render(request, "dashboards/city.html", context)


def city_data(request: HttpRequest, code: str, chart: str, fmt: str) -> HttpResponse:
    """One chart of the city page as CSV or XLSX."""
    check_format(fmt)
    city = _city(code)
    region, _regions = _city_region(request, city)
    filters = region_filters(query=request.GET, user=request.user, region=region, city=city)[0]
    view = panels.region_view(request.user, region, filters)
    if view.snapshot is None or city.code not in view.snapshot.scores.index:
        raise Http404(_("%(city)s has no published result for this period.") % {"city": city.name})
    by_slug = {panel.slug: panel for panel in panels.city_panels(request.user, view, city)[0]}
    by_slug.update({panel.slug: panel for panel in dual_space_panels.city_dual_space_panels(view, city.code)})
    if chart not in by_slug:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return panel_download(by_slug[chart], f"{city.code}-{view.filters.period}-{chart}", fmt)


# Cities side by side


def compare(request: HttpRequest) -> HttpResponse:
    asked = compare_request(query=request.GET, user=request.user)
    compared: list[panels.Panel] = []
    missing: list[str] = []
    snapshot = None
    if asked.comparable:
        snapshot = result_selectors.region_snapshot(
            region=None, city_codes=asked.codes, period=asked.period, framework=asked.framework, user=request.user
        )
        labels = city_labels(snapshot.cities)
        missing = [labels.get(code, code) for code in asked.codes if code not in snapshot.scores.index]
        if len(missing) < len(asked.codes):
            compared = panels.compare_panels(snapshot, asked.codes)
    shown = next((item for item in asked.coverage if item.period == asked.period), None)
    context = {
        "all_cities": city_selectors.city_list(),
        "chosen": asked.codes,
        "framework": asked.framework,
        "frameworks": [item for item in asked.frameworks if item.code == asked.framework.code],
        "period": asked.period,
        "coverage": asked.coverage,
        "problems": asked.problems,
        "panels": compared,
        "missing": missing,
        # Where the chosen cities are all published, when they are not in the period shown.
        "complete_periods": [
            {"period": item.period, "query": asked.query(item.period)}
            for item in asked.coverage
            if item.is_complete and item.period != asked.period
        ]
        if missing
        else [],
        "shown": shown,
        "is_demo": bool(snapshot and snapshot.is_demo),
        "query": asked.query(asked.period),
        "data_base": reverse("assessment:compare_data", args=["x", "csv"])[: -len("x.csv")],
        "wide": ("dimensions", "indicators"),
    }
    return render(request, "dashboards/compare.html", context)


def compare_data(request: HttpRequest, chart: str, fmt: str) -> HttpResponse:
    """One table of the compare page as CSV or XLSX."""
    check_format(fmt)
    asked = compare_request(query=request.GET, user=request.user)
    if not asked.comparable:
        raise Http404(_("Choose between %(low)d and %(high)d cities.") % {"low": MIN_COMPARED, "high": MAX_COMPARED})
    snapshot = result_selectors.region_snapshot(
        region=None, city_codes=asked.codes, period=asked.period, framework=asked.framework, user=request.user
    )
    by_slug = {panel.slug: panel for panel in panels.compare_panels(snapshot, asked.codes)}
    if chart not in by_slug:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return panel_download(by_slug[chart], f"compare-{asked.period}-{chart}", fmt)
