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
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment import charts, dashboards
from assessment.models import Assessment, Framework, Response
from assessment.selectors import results as result_selectors
from assessment.selectors.assessments import gap_steps
from assessment.selectors.scoring_input import framework_scoring_options
from assessment.workbook import neutralise
from cities.models import City, Region
from cities.outlines import outlines_around

CACHE_SECONDS = 24 * 3600


@dataclass
class Panel:
    """A chart and the exact table it shows."""

    slug: str
    title: str
    figure: dict[str, Any] | None
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    caption: str = ""

    @property
    def figure_id(self) -> str:
        return f"figure-{self.slug}"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _number(value: Any, digits: int = 1) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return int(round(float(value))) if digits == 0 else round(float(value), digits)


@dataclass
class Filters:
    region: Region
    framework: Framework
    kind: str
    periods: list[int]
    period: int | None
    frameworks: list[Framework]
    weights: dict[str, float]
    problems: list[str]

    def query(self, **overrides: Any) -> str:
        values: dict[str, Any] = {
            "region": self.region.code,
            "framework": self.framework.code,
            "version": self.framework.version,
            "period": self.period or "",
        }
        values.update({f"w.{code}": f"{weight:g}" for code, weight in self.weights.items()})
        values.update(overrides)
        return urlencode({key: value for key, value in values.items() if value not in (None, "")})

    @property
    def published_query(self) -> str:
        """The same filters with the framework's weights: what "reset" links to."""
        return self.query(**{f"w.{code}": None for code in self.weights})


def _filters(request: HttpRequest, region: Region) -> Filters:
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
    return Filters(region, framework, kind, periods, period, frameworks, weights, problems)


def _region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("There is no region %(code)s.") % {"code": code}) from None


def _city_labels(cities: pd.DataFrame) -> dict[str, str]:
    column = "name_en" if _english() else "name_zh"
    return {code: str(name) for code, name in cities[column].items()}


def _node_labels(framework: Framework) -> dict[str, str]:
    position = 1 if _english() else 0
    return {code: names[position] for code, names in result_selectors.node_names(framework).items()}


def _short_node_labels(framework: Framework, codes: list[str]) -> dict[str, str]:
    """Dimension names up to the first separator: short enough for an axis."""
    labels = _node_labels(framework)
    short = {}
    for code in codes:
        name = labels.get(code, code)
        for separator in ("（", " (", "："):
            name = name.split(separator)[0]
        short[code] = f"{code} {name}" if len(name) <= 40 else code
    return short


def _ladder(framework: Framework, stages: pd.Series) -> list[str]:
    """The stage codes from the lowest up; without a ladder, the stages seen."""
    ladder = result_selectors.framework_scoring_tree(framework).ladder
    return list(ladder.stages) if ladder is not None else sorted(set(stages))


def _stage_labels(framework: Framework) -> dict[str, str]:
    return {
        rung.code: f"{rung.code} {rung.name}" for rung in framework.stages.all().order_by("order")
    }


@dataclass
class RegionView:
    filters: Filters
    snapshot: result_selectors.RegionSnapshot | None
    structure: dashboards.Structure
    ranking: pd.DataFrame
    scores: pd.DataFrame
    stages: pd.Series
    what_if: bool


def _region_view(request: HttpRequest, region: Region, filters: Filters | None = None) -> RegionView:
    filters = filters or _filters(request, region)
    framework = filters.framework
    tree = result_selectors.framework_scoring_tree(framework)
    structure = dashboards.Structure.of(tree)
    if filters.period is None:
        empty = pd.DataFrame()
        return RegionView(filters, None, structure, empty, empty, pd.Series(dtype="str"), False)
    snapshot = result_selectors.region_snapshot(
        region=region, period=filters.period, framework=framework, user=request.user, kind=filters.kind
    )
    scores, stages, intervals = snapshot.scores, snapshot.stages, None
    if filters.weights:
        options = framework_scoring_options(framework, tree)
        scenario = dashboards.what_if(snapshot.key, tree, snapshot.raw, options, filters.weights)
        scores, stages = scenario.scores, scenario.stages
    else:
        intervals = result_selectors.monte_carlo_ranks(snapshot)
    ranking = dashboards.ranking(scores, stages, structure.index, intervals)
    return RegionView(filters, snapshot, structure, ranking, scores, stages, bool(filters.weights))


def _ranking_panel(view: RegionView, labels: dict[str, str], highlight: str | None = None) -> Panel:
    frame = view.ranking
    columns = [_("Rank"), _("City"), _("Code"), _("Index"), _("Stage")]
    if not view.what_if:
        columns += [_("Rank, 5th percentile"), _("Median rank"), _("Rank, 95th percentile")]
    rows = []
    for code, row in frame.iterrows():
        values = [_number(row["rank"], 0), labels.get(code, code), code, _number(row["index"]), row["stage"]]
        if not view.what_if:
            values += [_number(row["rank_p05"], 0), _number(row["rank_median"], 1), _number(row["rank_p95"], 0)]
        rows.append(values)
    caption = (
        _("What-if weights: ranks of this scenario, without intervals. Stored results are unchanged.")
        if view.what_if
        else _(
            "Dots: the rank of the published index. Bars: where the rank falls in 90 per cent of 200 "
            "draws of the weights (each weight times 0.75 to 1.25). A long bar means the rank "
            "depends on the weights; overlapping bars mean the order of those cities is not settled."
        )
    )
    return Panel("ranking", _("Ranking with rank intervals"), charts.ranking_figure(frame, labels, highlight), columns, rows, caption)


def _plane_panel(view: RegionView, labels: dict[str, str], highlight: str | None = None) -> Panel | None:
    axes = view.structure.plane_axes
    if axes is None:
        return None
    frame, x_median, y_median = dashboards.plane(view.scores, axes)
    node_labels = _node_labels(view.filters.framework)
    titles = (node_labels.get(axes[0], axes[0]), node_labels.get(axes[1], axes[1]))
    quadrant_names = {
        "leaders": _("Leaders"),
        "inward_looking": _("Inward-looking"),
        "connected_followers": _("Connected followers"),
        "starting_out": _("Starting out"),
    }
    rows = [
        [labels.get(code, code), code, _number(row["x"]), _number(row["y"]), quadrant_names[row["quadrant"]]]
        for code, row in frame.iterrows()
    ]
    caption = _(
        "x: %(x)s; y: %(y)s. The dotted lines are the region's medians (%(x_median)s and %(y_median)s): "
        "the quadrants say where a city stands against its region."
    ) % {"x": titles[0], "y": titles[1], "x_median": _number(x_median), "y_median": _number(y_median)}
    return Panel(
        "plane",
        _("The dual-space plane"),
        charts.plane_figure(frame, (x_median, y_median), labels, titles, highlight),
        [_("City"), _("Code"), titles[0], titles[1], _("Quadrant")],
        rows,
        caption,
    )


def _heatmap_panel(view: RegionView, labels: dict[str, str]) -> Panel:
    dimensions = list(view.structure.dimensions)
    order = list(view.ranking.index)
    matrix = view.scores.loc[order, dimensions]
    short = _short_node_labels(view.filters.framework, dimensions)
    rows = [[labels.get(code, code), *(_number(v) for v in matrix.loc[code])] for code in order]
    return Panel(
        "heatmap",
        _("Cities × dimensions"),
        charts.heatmap_figure(matrix, labels, {code: code for code in dimensions}, _("Score")),
        [_("City"), *(short[code] for code in dimensions)],
        rows,
        _("Scores 0–100 per dimension; cities in ranking order."),
    )


def _stage_panel(view: RegionView) -> Panel:
    ladder = _ladder(view.filters.framework, view.stages)
    counts = dashboards.stage_distribution(view.stages, ladder)
    stage_labels = _stage_labels(view.filters.framework)
    colours = charts.stage_colours(ladder)
    return Panel(
        "stages",
        _("Cities per stage"),
        charts.bar_figure(
            [stage_labels.get(stage, stage) for stage in ladder], counts.tolist(), _("Cities"),
            [colours[stage] for stage in ladder],
        ),
        [_("Stage"), _("Cities")],
        [[stage_labels.get(stage, stage), int(count)] for stage, count in counts.items()],
    )


def _map_panel(view: RegionView, labels: dict[str, str]) -> Panel:
    snapshot = view.snapshot
    assert snapshot is not None
    cities = snapshot.cities
    ladder = _ladder(view.filters.framework, view.stages)
    stage_labels = _stage_labels(view.filters.framework)
    outlines = outlines_around(zip(cities["longitude"], cities["latitude"], strict=True))
    rows = [
        [
            labels.get(code, code),
            code,
            _number(row["latitude"], 4),
            _number(row["longitude"], 4),
            stage_labels.get(view.stages.get(code, ""), "") if code in view.stages.index else _("No published result"),
        ]
        for code, row in cities.iterrows()
    ]
    return Panel(
        "map",
        _("Map of stages"),
        charts.map_figure(outlines, cities, view.stages, labels, stage_labels, ladder),
        [_("City"), _("Code"), _("Latitude"), _("Longitude"), _("Stage")],
        rows,
        _("Cities at their coordinates over province outlines (background only, not an official map)."),
    )


def _movers_panel(request: HttpRequest, view: RegionView, labels: dict[str, str]) -> Panel | None:
    filters = view.filters
    earlier = [period for period in filters.periods if filters.period and period < filters.period]
    if not earlier or view.snapshot is None:
        return None
    previous = result_selectors.region_snapshot(
        region=filters.region, period=earlier[0], framework=filters.framework, user=request.user, kind=filters.kind
    )
    frame = dashboards.movers(view.snapshot.scores, previous.scores, view.structure.index, view.snapshot.stages, previous.stages)
    shown = pd.concat([frame.head(5), frame.tail(5)]).drop_duplicates() if len(frame) > 10 else frame
    rows = [
        [labels.get(code, code), code, _number(row["before"]), _number(row["now"]), _number(row["change"]), row["stage_before"], row["stage_now"]]
        for code, row in shown.iterrows()
    ]
    return Panel(
        "movers",
        _("Biggest movers since %(period)s") % {"period": earlier[0]},
        charts.bar_figure([labels.get(code, code) for code in shown.index], shown["change"].tolist(), _("Change of the index (points)"), horizontal=True),
        [_("City"), _("Code"), str(earlier[0]), str(filters.period), _("Change"), _("Stage before"), _("Stage now")],
        rows,
        _("Published index scores; the five biggest rises and falls."),
    )


def _region_panels(request: HttpRequest, view: RegionView) -> list[Panel]:
    assert view.snapshot is not None
    labels = _city_labels(view.snapshot.cities)
    panels = [_ranking_panel(view, labels)]
    plane = _plane_panel(view, labels)
    if plane:
        panels.append(plane)
    panels += [_heatmap_panel(view, labels), _map_panel(view, labels), _stage_panel(view)]
    movers = _movers_panel(request, view, labels) if not view.what_if else None
    if movers:
        panels.append(movers)
    return panels


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


def _region_body(request: HttpRequest, region: Region, filters: Filters) -> dict[str, Any]:
    """Everything of the region page that depends only on the published results: cacheable."""
    view = _region_view(request, region, filters)
    panels = _region_panels(request, view) if view.snapshot is not None and not view.snapshot.is_empty else []
    framework_weights = result_selectors.framework_scoring_tree(view.filters.framework).weight_of
    short = _short_node_labels(view.filters.framework, list(view.structure.adjustable))
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
    view = _region_view(request, region)
    if view.snapshot is None or view.snapshot.is_empty:
        return JsonResponse({"detail": _("Nothing is published for this region yet.")}, status=404)
    labels = _city_labels(view.snapshot.cities)
    panels = {panel.slug: panel for panel in _region_panels(request, view)}
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
                {"city": code, "name": labels.get(code, code), "rank": _number(row["rank"], 0), "index": _number(row["index"]), "stage": row["stage"]}
                for code, row in view.ranking.iterrows()
            ],
        }
    )


def _check_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Downloads are CSV or XLSX."))


def _download(panel: Panel, filename: str, fmt: str) -> HttpResponse:
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
    view = _region_view(request, region)
    if view.snapshot is None or view.snapshot.is_empty:
        raise Http404(_("Nothing is published for this region yet."))
    panels = {panel.slug: panel for panel in _region_panels(request, view)}
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
    regions = list(Region.objects.filter(memberships__city=city).order_by("code"))
    if not regions:
        raise Http404(_("%(city)s belongs to no region.") % {"city": city.name})
    asked = request.GET.get("region")
    chosen = next((region for region in regions if region.code == asked), None)
    if chosen is None:
        # The smallest region holds the closest peers (G60 before the whole delta).
        sizes = {region.code: region.memberships.count() for region in regions}
        chosen = min(regions, key=lambda region: (sizes[region.code], region.code))
    return chosen, regions


def _city_panels(request: HttpRequest, view: RegionView, city: City) -> tuple[list[Panel], dict[str, Any]]:
    snapshot = view.snapshot
    assert snapshot is not None
    labels = _city_labels(snapshot.cities)
    framework = view.filters.framework
    structure = view.structure
    panels: list[Panel] = []
    extra: dict[str, Any] = {}
    city_label = labels.get(city.code, city.name)
    ranking = _ranking_panel(view, labels, highlight=city.code)
    panels.append(ranking)
    plane = _plane_panel(view, labels, highlight=city.code)
    if plane:
        panels.append(plane)
    dimensions = list(structure.dimensions)
    short = _short_node_labels(framework, dimensions)
    peers = dashboards.peers(view.scores, city.code, dimensions)
    panels.append(
        Panel(
            "radar",
            _("Dimensions against the region"),
            charts.radar_figure(peers, {code: code for code in dimensions}, city_label),
            [_("Dimension"), city_label, _("Region median"), _("Region best"), _("Against the median")],
            [[short[code], _number(row["city"]), _number(row["median"]), _number(row["best"]), _number(row["versus_median"])] for code, row in peers.iterrows()],
        )
    )
    strengths, weaknesses = dashboards.strengths_and_weaknesses(peers)
    extra["strengths"] = [(short[code], _number(row["versus_median"])) for code, row in strengths.iterrows()]
    extra["weaknesses"] = [(short[code], _number(row["versus_median"])) for code, row in weaknesses.iterrows()]
    # Indicators: dimensions as rows, the n-th indicator of each as columns.
    names = _node_labels(framework)
    width = max((len(structure.indicators_of[d]) for d in dimensions), default=0)
    matrix = pd.DataFrame(index=dimensions, columns=[str(i + 1) for i in range(width)], dtype=float)
    indicator_rows = []
    for dimension in dimensions:
        for position, indicator in enumerate(structure.indicators_of[dimension]):
            value = snapshot.normalised.at[city.code, indicator] if indicator in snapshot.normalised else float("nan")
            matrix.loc[dimension, str(position + 1)] = value
            indicator_rows.append([indicator, names.get(indicator, indicator), _number(snapshot.raw.at[city.code, indicator], 2), _number(value)])
    panels.append(
        Panel(
            "indicators",
            _("Indicator scores"),
            charts.heatmap_figure(matrix, {code: code for code in dimensions}, {}, _("Score")),
            [_("Indicator"), _("Name"), _("Answer"), _("Score")],
            indicator_rows,
            _("One row per dimension; cell n is the dimension's n-th indicator, normalised 0–100. Blank: not answered or not applicable."),
        )
    )
    # Trend over the periods, from the stored results of every framework version.
    history = result_selectors.city_results(city=city, user=request.user)
    history = [item for item in history if item.kind == view.filters.kind]
    trend_codes = [structure.index, *structure.halves]
    trend = pd.DataFrame(
        [[item.scores.get(code) if item.scores.get(code) is not None else float("nan") for code in trend_codes] for item in history],
        index=[item.period for item in history],
        columns=trend_codes,
        dtype=float,
    )
    trend = trend[~trend.index.duplicated(keep="last")]
    panels.append(
        Panel(
            "trend",
            _("Trend"),
            charts.trend_figure(trend, names),
            [_("Period"), _("Framework"), _("Stage"), *(names.get(code, code) for code in trend_codes)],
            [
                [item.period, f"{item.framework_code} {item.framework_version}", item.stage, *(_number(item.scores.get(code)) for code in trend_codes)]
                for item in history
            ],
            _("Published results of every period; the framework version is in the table."),
        )
    )
    # Evidence and data quality of the city's assessment of this period.
    assessment_id = snapshot.assessment_ids.get(city.code)
    if assessment_id:
        coverage = result_selectors.data_coverage(assessment_id)
        grades = list(coverage.by_quality)
        quality_labels = dict(Response.Quality.choices)
        panels.append(
            Panel(
                "quality",
                _("Data quality of the answers"),
                charts.bar_figure(grades, [coverage.by_quality[g] for g in grades], _("Answers")),
                [_("Grade"), _("Answers")],
                [[str(quality_labels[g]), coverage.by_quality[g]] for g in grades],
                _("Grades from A (measured, documented method) to F (unknown method)."),
            )
        )
        extra["coverage"] = coverage
    return panels, extra


def city_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    city = _city(code)
    region, regions = _city_region(request, city)
    view = _region_view(request, region)
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
        panels, extra = _city_panels(request, view, city)
        row = view.ranking.loc[city.code]
        assessment = Assessment.objects.select_related("result").get(pk=snapshot.assessment_ids[city.code])
        stage_labels = _stage_labels(view.filters.framework)
        ladder = _ladder(view.filters.framework, view.stages)
        current = str(view.stages[city.code])
        context.update(
            published=True,
            panels=panels,
            rank=_number(row["rank"], 0),
            interval=(_number(row["rank_p05"], 0), _number(row["rank_p95"], 0)),
            ranked=int(view.ranking["rank"].notna().sum()),
            index_score=_number(row["index"]),
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
            **extra,
        )
    return render(request, "dashboards/city.html", context)


def city_data(request: HttpRequest, code: str, chart: str, fmt: str) -> HttpResponse:
    _check_format(fmt)
    city = _city(code)
    region, _regions = _city_region(request, city)
    view = _region_view(request, region)
    if view.snapshot is None or city.code not in view.snapshot.scores.index:
        raise Http404(_("%(city)s has no published result for this period.") % {"city": city.name})
    panels = {panel.slug: panel for panel in _city_panels(request, view, city)[0]}
    if chart not in panels:
        raise Http404(_("There is no chart %(chart)s.") % {"chart": chart})
    return _download(panels[chart], f"{city.code}-{view.filters.period}-{chart}", fmt)
