"""Dashboards for city managers: a region, a city, and cities side by side.

The views read a `RegionSnapshot` of published results, turn it into frames
with `assessment.dashboards` and into figures with `assessment.charts`.
Every chart is a `Panel`: its figure, and the table it was drawn from,
which the page shows as the chart's table view and the data links download
as CSV or XLSX, so the three always agree.

Published results are shared with every signed-in user (see
`published_results_visible_to`); the evidence and comments behind them are
not shown here.
"""

import csv
import hashlib
import io
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment import dashboards
from assessment import panels as chart_panels
from assessment.models import Assessment, Framework
from assessment.selectors import results as result_selectors
from assessment.selectors.assessments import gap_steps
from assessment.workbook import neutralise
from cities import selectors as city_selectors
from cities.models import City, Region

CACHE_SECONDS = 24 * 3600


def _filters(request: HttpRequest, region: Region) -> chart_panels.Filters:
    """Region, framework version, kind and period from the query string; the latest where absent."""
    problems: list[str] = []
    frameworks = list(
        Framework.objects.exclude(status=Framework.Status.DRAFT).order_by("code", "-published_at")
    )
    code = request.GET.get("framework") or "DSMF"
    version = request.GET.get("version") or None
    try:
        framework = result_selectors.framework_for_results(code=code, version=version)
    except Framework.DoesNotExist:
        if not frameworks:
            raise Http404(_("No framework is published yet.")) from None
        problems.append(
            _("There is no published framework %(code)s %(version)s; showing %(shown)s.")
            % {"code": code, "version": version or "", "shown": f"{frameworks[0].code} {frameworks[0].version}"}
        )
        framework = frameworks[0]
    kind = request.GET.get("kind") or Assessment.Kind.CONSULTANT
    if kind not in Assessment.Kind.values:
        problems.append(_("Unknown kind of assessment %(kind)s; showing consultant assessments.") % {"kind": kind})
        kind = Assessment.Kind.CONSULTANT
    periods = result_selectors.result_periods(region=region, framework=framework, user=request.user, kind=kind)
    period: int | None = periods[0] if periods else None
    asked = request.GET.get("period")
    if asked:
        try:
            wanted = int(asked)
        except ValueError:
            wanted = None
        if wanted in periods:
            period = wanted
        else:
            problems.append(
                _("No published results for period %(period)s; showing the latest.") % {"period": asked}
            )
    structure = dashboards.Structure.of(result_selectors.framework_scoring_tree(framework))
    requested = {key[2:]: value for key, value in request.GET.items() if key.startswith("w.")}
    weights = dashboards.clean_weights(requested, structure)
    return chart_panels.Filters(region, framework, kind, periods, period, frameworks, weights, problems)


def _region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("There is no region %(code)s.") % {"code": code}) from None


def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    filters = _filters(request, region)
    # Published results never change in place: a page drawn from them is cached under
    # their version (ids and scoring times), the language and the what-if weights.
    version = (
        result_selectors.snapshot_version(
            region=region, period=filters.period, framework=filters.framework, user=request.user, kind=filters.kind
        )
        if filters.period is not None
        else f"{region.code}|none|{filters.framework.pk}|{filters.kind}"
    )
    cache_key = "region-dashboard:" + hashlib.sha256(
        f"{version}|{get_language()}|{sorted(filters.weights.items())}".encode()
    ).hexdigest()
    body = cache.get(cache_key)
    if body is None:
        body = _region_body(request, region, filters)
        cache.set(cache_key, body, timeout=CACHE_SECONDS)
    context = {"region": region, "filters": filters, "regions": Region.objects.order_by("code"), **body}
    return render(request, "dashboards/region.html", context)


def _region_body(request: HttpRequest, region: Region, filters: chart_panels.Filters) -> dict[str, Any]:
    """Everything of the region page that depends only on the published results: cacheable."""
    view = chart_panels.region_view(request.user, region, filters)
    panels = chart_panels.region_panels(request.user, view) if view.snapshot is not None and not view.snapshot.is_empty else []
    framework_weights = result_selectors.framework_scoring_tree(view.filters.framework).weight_of
    short = chart_panels.short_node_labels(view.filters.framework, list(view.structure.adjustable))
    sliders = [
        {
            "code": node,
            "label": short[node],
            "default": framework_weights[node],
            "value": view.filters.weights.get(node, framework_weights[node]),
            "is_half": node in view.structure.halves,
        }
        for node in view.structure.adjustable
    ]
    panels_html = render_to_string(
        "dashboards/_panels.html",
        {
            "panels": panels,
            "data_base": reverse("assessment:region_data", args=[region.code, "x", "csv"])[: -len("x.csv")],
            "query": filters.query(),
            "wide": ("ranking", "heatmap"),
        },
    )
    return {
        "has_panels": bool(panels),
        "panels_html": mark_safe(panels_html),  # rendered by our own template, escaped there
        "sliders": sliders,
        "what_if": view.what_if,
        "is_demo": bool(view.snapshot and view.snapshot.is_demo),
        "scored": 0 if view.snapshot is None else len(view.snapshot.scores),
        "members": 0 if view.snapshot is None else len(view.snapshot.cities),
    }


def region_what_if(request: HttpRequest, code: str) -> JsonResponse:
    """The ranking, plane and stages under the weights in the query string, as the page shows them."""
    region = _region(code)
    view = chart_panels.region_view(request.user, region, _filters(request, region))
    if view.snapshot is None or view.snapshot.is_empty:
        return JsonResponse({"detail": _("Nothing is published for this region yet.")}, status=404)
    labels = chart_panels.city_labels(view.snapshot.cities)
    panels = {panel.slug: panel for panel in chart_panels.region_panels(request.user, view)}
    return JsonResponse(
        {
            "weights": view.filters.weights,
            "query": view.filters.query(),
            "what_if": view.what_if,
            "panels": {
                slug: {"figure": panels[slug].figure, "columns": panels[slug].columns, "rows": panels[slug].rows, "caption": panels[slug].caption}
                for slug in ("ranking", "plane", "stages", "heatmap", "map")
                if slug in panels
            },
            "ranking": [
                {"city": code, "name": labels.get(code, code), "rank": chart_panels.number(row["rank"], 0), "index": chart_panels.number(row["index"]), "stage": row["stage"]}
                for code, row in view.ranking.iterrows()
            ],
        }
    )


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Downloads are CSV or XLSX."))


def _download(panel: chart_panels.Panel, filename: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralise(column) for column in panel.columns])
        writer.writerows([[neutralise(value) for value in row] for row in panel.rows])
        # The byte-order mark makes Excel read the Chinese names as UTF-8.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = panel.slug[:31]
        sheet.append([neutralise(column) for column in panel.columns])
        for row in panel.rows:
            sheet.append([neutralise(value) for value in row])
        output = io.BytesIO()
        book.save(output)
        response = HttpResponse(
            output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def region_data(request: HttpRequest, code: str, chart: str, fmt: str) -> HttpResponse:
    """One chart's table, exactly as the page shows it, as CSV or XLSX."""
    _check_format(fmt)
    region = _region(code)
    view = chart_panels.region_view(request.user, region, _filters(request, region))
    if view.snapshot is None or view.snapshot.is_empty:
        raise Http404(_("Nothing is published for this region yet."))
    panels = {panel.slug: panel for panel in chart_panels.region_panels(request.user, view)}
    if chart not in panels:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return _download(panels[chart], f"{region.code}-{view.filters.period}-{chart}", fmt)


# One city


def _city(code: str) -> City:
    try:
        return City.objects.select_related("province").get(code=code)
    except City.DoesNotExist:
        raise Http404(_("There is no city %(code)s.") % {"code": code}) from None


def _city_region(request: HttpRequest, city: City) -> tuple[Region, list[Region]]:
    """The region asked for in the query, else the smallest the city belongs to."""
    regions = city_selectors.regions_of_city(city)
    if not regions:
        raise Http404(_("%(city)s belongs to no region.") % {"city": city.name})
    asked = request.GET.get("region")
    return next((region for region in regions if region.code == asked), regions[0]), regions


def city_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    city = _city(code)
    region, regions = _city_region(request, city)
    view = chart_panels.region_view(request.user, region, _filters(request, region))
    context: dict[str, Any] = {
        "city": city,
        "region": region,
        "regions": regions,
        "filters": view.filters,
        "panels": [],
        "is_demo": bool(view.snapshot and view.snapshot.is_demo),
        "published": False,
    }
    snapshot = view.snapshot
    if snapshot is not None and city.code in snapshot.scores.index:
        panels, extra = chart_panels.city_panels(request.user, view, city)
        row = view.ranking.loc[city.code]
        assessment = Assessment.objects.select_related("result").get(pk=snapshot.assessment_ids[city.code])
        stage_labels = chart_panels.stage_labels(view.filters.framework)
        ladder = chart_panels.ladder_of(view.filters.framework, view.stages)
        current = str(view.stages[city.code])
        context.update(
            published=True,
            panels=panels,
            rank=chart_panels.number(row["rank"], 0),
            interval=(chart_panels.number(row["rank_p05"], 0), chart_panels.number(row["rank_p95"], 0)),
            ranked=int(view.ranking["rank"].notna().sum()),
            index_score=chart_panels.number(row["index"]),
            stage=current,
            ladder=[
                {
                    "code": stage,
                    "label": stage_labels.get(stage, stage),
                    "reached": ladder.index(stage) <= ladder.index(current),
                    "current": stage == current,
                }
                for stage in ladder
            ],
            next_stage=(assessment.result.gap or {}).get("next_stage"),
            steps=gap_steps(assessment),
            assessment=assessment,
            compare_with=chart_panels.nearest_in_rank(view.ranking, city.code, 2),
            **extra,
        )
    return render(request, "dashboards/city.html", context)


def city_data(request: HttpRequest, code: str, chart: str, fmt: str) -> HttpResponse:
    _check_format(fmt)
    city = _city(code)
    region, _regions = _city_region(request, city)
    view = chart_panels.region_view(request.user, region, _filters(request, region))
    if view.snapshot is None or city.code not in view.snapshot.scores.index:
        raise Http404(_("%(city)s has no published result for this period.") % {"city": city.name})
    panels = {panel.slug: panel for panel in chart_panels.city_panels(request.user, view, city)[0]}
    if chart not in panels:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return _download(panels[chart], f"{city.code}-{view.filters.period}-{chart}", fmt)


# Cities side by side

MIN_COMPARED, MAX_COMPARED = 2, 6


def _compare_request(request: HttpRequest) -> tuple[list[str], Framework, int | None, list[int], list[Framework], list[str]]:
    """The cities (2 to 6), framework version and period asked for, with what was wrong with the request."""
    problems: list[str] = []
    codes = list(dict.fromkeys(code.strip() for value in request.GET.getlist("cities") for code in value.split(",") if code.strip()))
    known = set(City.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        problems.append(_("Unknown city code: %(codes)s.") % {"codes": ", ".join(unknown)})
    codes = [code for code in codes if code in known]
    if codes and not MIN_COMPARED <= len(codes) <= MAX_COMPARED:
        problems.append(
            _("Choose between %(low)d and %(high)d cities; you chose %(count)d.")
            % {"low": MIN_COMPARED, "high": MAX_COMPARED, "count": len(codes)}
        )
        codes = codes[:MAX_COMPARED] if len(codes) > MAX_COMPARED else codes
    frameworks = list(Framework.objects.exclude(status=Framework.Status.DRAFT).order_by("code", "-published_at"))
    if not frameworks:
        raise Http404(_("No framework is published yet."))
    try:
        framework = result_selectors.framework_for_results(
            code=request.GET.get("framework") or "DSMF", version=request.GET.get("version") or None
        )
    except Framework.DoesNotExist:
        problems.append(_("There is no published framework %(code)s %(version)s; showing %(shown)s.") % {
            "code": request.GET.get("framework") or "DSMF", "version": request.GET.get("version") or "",
            "shown": f"{frameworks[0].code} {frameworks[0].version}"})
        framework = frameworks[0]
    periods = sorted(
        set(
            result_selectors.published_results_visible_to(request.user)
            .filter(framework=framework, kind=Assessment.Kind.CONSULTANT, result__isnull=False)
            .values_list("period", flat=True)
        ),
        reverse=True,
    )
    period = periods[0] if periods else None
    asked = request.GET.get("period")
    if asked:
        if asked.isdigit() and int(asked) in periods:
            period = int(asked)
        else:
            problems.append(_("No published results for period %(period)s; showing the latest.") % {"period": asked})
    return codes, framework, period, periods, frameworks, problems


def compare(request: HttpRequest) -> HttpResponse:
    codes, framework, period, periods, frameworks, problems = _compare_request(request)
    panels: list[chart_panels.Panel] = []
    missing: list[str] = []
    snapshot = None
    if len(codes) >= MIN_COMPARED and period is not None:
        snapshot = result_selectors.region_snapshot(
            region=None, city_codes=codes, period=period, framework=framework, user=request.user
        )
        panels = chart_panels.compare_panels(snapshot, codes)
        labels = chart_panels.city_labels(snapshot.cities)
        missing = [labels.get(code, code) for code in codes if code not in snapshot.scores.index]
    query = urlencode([("cities", code) for code in codes] + [("framework", framework.code), ("version", framework.version), ("period", period or "")])
    context = {
        "all_cities": City.objects.select_related("province").order_by("code"),
        "chosen": codes,
        "framework": framework,
        "frameworks": [item for item in frameworks if item.code == framework.code],
        "period": period,
        "periods": periods,
        "problems": problems,
        "panels": panels,
        "missing": missing,
        "is_demo": bool(snapshot and snapshot.is_demo),
        "query": query,
        "data_base": reverse("assessment:compare_data", args=["x", "csv"])[: -len("x.csv")],
        "wide": ("dimensions", "indicators"),
    }
    return render(request, "dashboards/compare.html", context)


def compare_data(request: HttpRequest, chart: str, fmt: str) -> HttpResponse:
    _check_format(fmt)
    codes, framework, period, _periods, _frameworks, _problems = _compare_request(request)
    if len(codes) < MIN_COMPARED or period is None:
        raise Http404(_("Choose between %(low)d and %(high)d cities.") % {"low": MIN_COMPARED, "high": MAX_COMPARED})
    snapshot = result_selectors.region_snapshot(
        region=None, city_codes=codes, period=period, framework=framework, user=request.user
    )
    panels = {panel.slug: panel for panel in chart_panels.compare_panels(snapshot, codes)}
    if chart not in panels:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return _download(panels[chart], f"compare-{period}-{chart}", fmt)
