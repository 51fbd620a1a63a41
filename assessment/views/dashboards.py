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
from dataclasses import dataclass
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
from assessment.framework_document import plain_number_text
from assessment.models import Assessment, Framework
from assessment.reports.content import answer_text
from assessment.selectors import results as result_selectors
from assessment.selectors.assessments import GapStep, gap_steps
from assessment.workbook import neutralise
from cities import selectors as city_selectors
from cities.models import City, Region

CACHE_SECONDS = 24 * 3600


def _nothing_to_rank_message() -> str:
    return _(
        "All weights are zero: nothing to rank. Every half, or every dimension under it, weighs 0; "
        "move a slider above 0 or reset to the framework weights."
    )


@dataclass(frozen=True)
class PeriodLink:
    """A period another than the one shown, with how many of its cities are published, and its address."""

    period: int
    published: int
    cities: int
    query: str


@dataclass(frozen=True)
class Periods:
    """Why the page shows its period, and what it says about the periods around it.

    ``shown`` is the region's coverage of the period shown; ``newer`` the later
    periods the default passed over because too few members are published in
    them; ``ranked`` the latest period with enough members published, offered
    when the period shown has too few; ``asked``: the period came from the
    address, so links that reset something else keep it.
    """

    asked: bool
    shown: result_selectors.PeriodCoverage | None
    newer: list[PeriodLink]
    ranked: PeriodLink | None


def _period_link(filters: chart_panels.Filters, item: result_selectors.PeriodCoverage) -> PeriodLink:
    return PeriodLink(item.period, item.published, item.cities, filters.query(period=item.period))


def _filters(request: HttpRequest, region: Region, city: City | None = None) -> tuple[chart_panels.Filters, Periods]:
    """Region, framework version, kind, period and what-if weights from the query string.

    Without a period: for a region, the latest in which enough members are
    published to rank them; for a city, its own latest. A period with results
    that the city lacks is kept, so its page can point to the city's periods.
    """
    problems: list[str] = []
    frameworks = list(Framework.objects.exclude(status=Framework.Status.DRAFT).order_by("code", "-published_at"))
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
    coverage = result_selectors.region_period_coverage(region=region, framework=framework, user=request.user, kind=kind)
    if city is None:
        periods = [item.period for item in coverage]
        period = result_selectors.default_ranked_period(coverage)
    else:
        periods = result_selectors.city_periods(city=city, framework=framework, user=request.user, kind=kind)
        period = periods[0] if periods else None
    with_results = set(periods)
    asked = request.GET.get("period")
    chosen = False
    if asked:
        wanted = int(asked) if asked.isdigit() else None
        if wanted in periods or any(item.period == wanted for item in coverage):
            period, chosen = wanted, True
            periods = sorted({*periods, wanted}, reverse=True)
        else:
            problems.append(
                _("No published results for period %(period)s; showing %(shown)s.")
                % {"period": asked, "shown": period if period is not None else "—"}
            )
    structure = dashboards.Structure.of(result_selectors.framework_scoring_tree(framework))
    requested = {key[2:]: value for key, value in request.GET.items() if key.startswith("w.")}
    weights = dashboards.clean_weights(requested, structure)
    filters = chart_panels.Filters(region, framework, kind, periods, period, frameworks, weights, problems)
    shown = next((item for item in coverage if item.period == period), None)
    ranked = next((item for item in coverage if item.is_ranked and item.period in with_results), None)
    return filters, Periods(
        asked=chosen,
        shown=shown,
        newer=[_period_link(filters, item) for item in coverage if period is not None and item.period > period],
        ranked=_period_link(filters, ranked)
        if ranked is not None and shown is not None and not shown.is_ranked
        else None,
    )


def _unpinned_query(filters: chart_panels.Filters, periods: Periods, **overrides: Any) -> str:
    """The filters without the period unless the reader chose it: a default period follows new publications."""
    return filters.query(**({} if periods.asked else {"period": None}), **overrides)


def _region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("There is no region %(code)s.") % {"code": code}) from None


def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    filters, periods = _filters(request, region)
    # Published results never change in place: a page drawn from them is cached under
    # their version (ids and scoring times), the language and the what-if weights.
    version = (
        result_selectors.snapshot_version(
            region=region, period=filters.period, framework=filters.framework, user=request.user, kind=filters.kind
        )
        if filters.period is not None
        else f"{region.code}|none|{filters.framework.pk}|{filters.kind}"
    )
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
        "reset_query": _unpinned_query(filters, periods, **{f"w.{node}": None for node in filters.weights}),
        "regions": Region.objects.order_by("code"),
        **body,
    }
    return render(request, "dashboards/region.html", context)


def _region_body(request: HttpRequest, region: Region, filters: chart_panels.Filters) -> dict[str, Any]:
    """Everything of the region page that depends only on the published results: cacheable."""
    view = chart_panels.region_view(request.user, region, filters)
    published = view.snapshot is not None and not view.snapshot.is_empty
    nothing_to_rank = published and view.what_if and dashboards.nothing_to_rank(view.ranking)
    panels = chart_panels.region_panels(request.user, view) if published and not nothing_to_rank else []
    framework_weights = result_selectors.framework_scoring_tree(view.filters.framework).weight_of
    # A slider's label has room to wrap: the full name, never a bare code.
    names = chart_panels.node_labels(view.filters.framework)
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
        "published": published,
        "nothing_to_rank": _nothing_to_rank_message() if nothing_to_rank else "",
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
    view = chart_panels.region_view(request.user, region, _filters(request, region)[0])
    if view.snapshot is None or view.snapshot.is_empty:
        return JsonResponse({"detail": _("Nothing is published for this region yet.")}, status=404)
    if dashboards.nothing_to_rank(view.ranking):
        return JsonResponse({"detail": _nothing_to_rank_message(), "weights": view.filters.weights}, status=422)
    labels = chart_panels.city_labels(view.snapshot.cities)
    panels = {panel.slug: panel for panel in chart_panels.region_panels(request.user, view)}
    return JsonResponse(
        {
            "weights": view.filters.weights,
            "query": view.filters.query(),
            "what_if": view.what_if,
            "panels": {
                slug: {
                    "figure": panels[slug].figure,
                    "columns": panels[slug].columns,
                    "rows": panels[slug].rows,
                    "caption": panels[slug].caption,
                }
                for slug in ("ranking", "plane", "stages", "heatmap", "map")
                if slug in panels
            },
            "ranking": [
                {
                    "city": code,
                    "name": labels.get(code, code),
                    "rank": chart_panels.number(row["rank"], 0),
                    "index": chart_panels.number(row["index"]),
                    "stage": row["stage"],
                }
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
    view = chart_panels.region_view(request.user, region, _filters(request, region)[0])
    if view.snapshot is None or view.snapshot.is_empty:
        raise Http404(_("Nothing is published for this region yet."))
    if dashboards.nothing_to_rank(view.ranking):
        raise Http404(_nothing_to_rank_message())
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
    filters, periods = _filters(request, region, city)
    view = chart_panels.region_view(request.user, region, filters)
    context: dict[str, Any] = {
        "city": city,
        "region": region,
        "regions": regions,
        "filters": view.filters,
        "periods": periods,
        # The region opens on its own default unless the reader chose this period.
        "region_query": _unpinned_query(filters, periods, region=None),
        # The city's periods with results, for the page of a period without (filters.periods
        # holds the city's periods and the one asked for).
        "city_periods": [
            {"period": period, "query": filters.query(period=period)}
            for period in filters.periods
            if period != filters.period
        ],
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
            steps=_gap_rows(gap_steps(assessment)),
            assessment=assessment,
            compare_with=chart_panels.nearest_in_rank(view.ranking, city.code, 2),
            **extra,
        )
    return render(request, "dashboards/city.html", context)


def _gap_rows(steps: list[GapStep]) -> list[dict[str, Any]]:
    """The shortest list of improvements with its answers written as the PDF writes them ("level 2", "90 %").

    Targets are computed by inverting a normalisation and carry float noise
    (90.0000488281): two decimals are all a reader can act on.
    """

    def text(step: GapStep, value: float | None) -> str:
        if value is None:
            return "—"
        if step.indicator is None:
            return plain_number_text(round(value, 2))
        return answer_text(step.indicator, round(value, 2))

    return [
        {
            "code": step.code,
            "name": step.name,
            "from": text(step, step.from_raw),
            "to": text(step, step.to_raw),
            "critical_floor": step.critical_floor,
        }
        for step in steps
    ]


def city_data(request: HttpRequest, code: str, chart: str, fmt: str) -> HttpResponse:
    _check_format(fmt)
    city = _city(code)
    region, _regions = _city_region(request, city)
    view = chart_panels.region_view(request.user, region, _filters(request, region, city)[0])
    if view.snapshot is None or city.code not in view.snapshot.scores.index:
        raise Http404(_("%(city)s has no published result for this period.") % {"city": city.name})
    panels = {panel.slug: panel for panel in chart_panels.city_panels(request.user, view, city)[0]}
    if chart not in panels:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return _download(panels[chart], f"{city.code}-{view.filters.period}-{chart}", fmt)


# Cities side by side

MIN_COMPARED, MAX_COMPARED = 2, 6


@dataclass
class CompareRequest:
    """The cities, framework version and period asked for, what was wrong with them, and the periods' coverage."""

    codes: list[str]
    refused: bool  # too few or too many cities: nothing is compared
    framework: Framework
    frameworks: list[Framework]
    period: int | None
    coverage: list[result_selectors.PeriodCoverage]
    problems: list[str]

    @property
    def periods(self) -> list[int]:
        return [item.period for item in self.coverage]

    @property
    def comparable(self) -> bool:
        return not self.refused and len(self.codes) >= MIN_COMPARED and self.period is not None

    def query(self, period: int | None) -> str:
        return urlencode(
            [("cities", code) for code in self.codes]
            + [("framework", self.framework.code), ("version", self.framework.version), ("period", period or "")]
        )


def _compare_request(request: HttpRequest) -> CompareRequest:
    """Without a period: the latest in which every chosen city is published, else the one with the most of them.

    A choice of too few or too many cities is refused, not cut short: the
    page says so and compares nothing, so no city silently drops out.
    """
    problems: list[str] = []
    codes = list(
        dict.fromkeys(
            code.strip() for value in request.GET.getlist("cities") for code in value.split(",") if code.strip()
        )
    )
    known = set(City.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        problems.append(_("Unknown city code: %(codes)s.") % {"codes": ", ".join(unknown)})
    codes = [code for code in codes if code in known]
    refused = bool(codes) and not MIN_COMPARED <= len(codes) <= MAX_COMPARED
    if refused:
        problems.append(
            _("Choose between %(low)d and %(high)d cities; you chose %(count)d.")
            % {"low": MIN_COMPARED, "high": MAX_COMPARED, "count": len(codes)}
        )
    frameworks = list(Framework.objects.exclude(status=Framework.Status.DRAFT).order_by("code", "-published_at"))
    if not frameworks:
        raise Http404(_("No framework is published yet."))
    try:
        framework = result_selectors.framework_for_results(
            code=request.GET.get("framework") or "DSMF", version=request.GET.get("version") or None
        )
    except Framework.DoesNotExist:
        problems.append(
            _("There is no published framework %(code)s %(version)s; showing %(shown)s.")
            % {
                "code": request.GET.get("framework") or "DSMF",
                "version": request.GET.get("version") or "",
                "shown": f"{frameworks[0].code} {frameworks[0].version}",
            }
        )
        framework = frameworks[0]
    coverage = result_selectors.cities_period_coverage(
        city_codes=codes, framework=framework, user=request.user, kind=Assessment.Kind.CONSULTANT
    )
    period = result_selectors.default_compared_period(coverage)
    asked = request.GET.get("period")
    if asked:
        if asked.isdigit() and any(item.period == int(asked) for item in coverage):
            period = int(asked)
        else:
            problems.append(
                _("No published results for period %(period)s; showing %(shown)s.")
                % {"period": asked, "shown": period if period is not None else "—"}
            )
    return CompareRequest(codes, refused, framework, frameworks, period, coverage, problems)


def compare(request: HttpRequest) -> HttpResponse:
    asked = _compare_request(request)
    panels: list[chart_panels.Panel] = []
    missing: list[str] = []
    snapshot = None
    if asked.comparable:
        snapshot = result_selectors.region_snapshot(
            region=None, city_codes=asked.codes, period=asked.period, framework=asked.framework, user=request.user
        )
        labels = chart_panels.city_labels(snapshot.cities)
        missing = [labels.get(code, code) for code in asked.codes if code not in snapshot.scores.index]
        if len(missing) < len(asked.codes):
            panels = chart_panels.compare_panels(snapshot, asked.codes)
    shown = next((item for item in asked.coverage if item.period == asked.period), None)
    context = {
        "all_cities": City.objects.select_related("province").order_by("code"),
        "chosen": asked.codes,
        "framework": asked.framework,
        "frameworks": [item for item in asked.frameworks if item.code == asked.framework.code],
        "period": asked.period,
        "coverage": asked.coverage,
        "problems": asked.problems,
        "panels": panels,
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
    _check_format(fmt)
    asked = _compare_request(request)
    if not asked.comparable:
        raise Http404(_("Choose between %(low)d and %(high)d cities.") % {"low": MIN_COMPARED, "high": MAX_COMPARED})
    snapshot = result_selectors.region_snapshot(
        region=None, city_codes=asked.codes, period=asked.period, framework=asked.framework, user=request.user
    )
    panels = {panel.slug: panel for panel in chart_panels.compare_panels(snapshot, asked.codes)}
    if chart not in panels:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return _download(panels[chart], f"compare-{asked.period}-{chart}", fmt)
