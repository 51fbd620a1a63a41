"""What a report says, gathered from the selectors and the dashboards' panels; no HTML here.

`city_report_context`, `region_report_context` and `audit_report_context` return template contexts.
Figures are the dashboards' Plotly figures, turned into SVG by
`assessment.reports.svg`; every number comes from stored, published
results. The reader is a user (the one who asked for the report): the same
visibility rules as the pages apply.
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.dashboards import frames, panels
from assessment.dashboards.audit_sections import audit_sections
from assessment.dashboards.filters import Filters
from assessment.dashboards.headline import city_headline, compared_region
from assessment.dashboards.labels import answer_text, city_labels, display_number, node_labels, stage_labels
from assessment.framework.document import plain_number_text
from assessment.framework_cache import framework_scoring_tree
from assessment.models import Assessment, Evidence, Framework, Indicator, Report, Response
from assessment.rank_intervals import method_stated
from assessment.region_audit import region_audit
from assessment.reports import recommendations, svg
from assessment.selectors import audit as audit_selectors
from assessment.selectors import results as result_selectors
from assessment.selectors import scoring_input
from cities import figures as network_figures
from cities import selectors as city_selectors
from cities.models import Agreement, City, Region
from cities.network import region_network

User = AbstractBaseUser | AnonymousUser
PAGE_WIDTH = 680  # px of an SVG figure across the A4 text block
# Heights of the audit annex's figures (px at PAGE_WIDTH): the indicator matrix takes a page.
AUDIT_FIGURE_HEIGHTS = {
    "indicator-correlations": 680,
    "dimension-correlations": 460,
    "sensitivity": 300,
    "influence": 460,
}


class ReportUnavailable(Exception):
    """Nothing published to report on; the message says what is missing."""


def _filters(user: User, region: Region, framework: Framework, period: int) -> Filters:
    periods = result_selectors.result_periods(
        region=region, framework=framework, user=user, kind=Assessment.Kind.CONSULTANT
    )
    if period not in periods:
        raise ReportUnavailable(
            _("%(region)s has no published result for %(period)s.") % {"region": region.name, "period": period}
        )
    return Filters(region, framework, Assessment.Kind.CONSULTANT, periods, period, [framework], {}, [])


def _svg(panel: panels.Panel | None, width: int = PAGE_WIDTH, height: int | None = None) -> str | None:
    if panel is None or panel.figure is None:
        return None
    return svg.figure_url(panel.figure, width, height)


def default_framework() -> Framework:
    """The deployment's default framework, its latest readable version."""
    framework = Framework.objects.latest_readable()
    if framework is None:
        raise ReportUnavailable(_("No framework is published yet."))
    return framework


def city_region(city: City, region_code: str | None = None) -> Region:
    """The region to compare with (see `compared_region`); a region asked for must be one of the city's."""
    region = compared_region(city_selectors.regions_of_city(city), region_code)
    if region_code and (region is None or region.code != region_code):
        raise ReportUnavailable(
            _("%(city)s is not a member of %(region)s.") % {"city": city.name, "region": region_code}
        )
    if region is None:
        raise ReportUnavailable(_("%(city)s belongs to no region.") % {"city": city.name})
    return region


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    dimension: str
    answer: str
    score: float | None
    evidence: int
    evidence_required: bool
    quality: str
    source: str
    comment: str
    evidence_items: tuple[str, ...] = ()


def _answer_text(response: Response) -> str:
    if response.not_applicable:
        return _("not applicable")
    indicator = response.indicator
    return answer_text(indicator, response.level if indicator.type == Indicator.Type.LEVEL else response.value)


def _indicator_lines(
    assessment_id: int, normalised: dict[str, float | None], order: list[str], *, with_annex: bool
) -> list[IndicatorLine]:
    """The assessment's answers in the framework's order (dimension by dimension).

    Sources, comments and evidence are read only for the full edition: what the
    stakeholder edition never holds, its template cannot print.
    """
    position = {code: i for i, code in enumerate(order)}
    responses = sorted(
        Response.objects.filter(assessment_id=assessment_id)
        .select_related("indicator__node__parent")
        .annotate(evidence_count=Count("evidence")),
        key=lambda response: position.get(response.indicator.node.code, len(position)),
    )
    items: dict[int, list[str]] = {}
    evidence = Evidence.objects.filter(response__assessment_id=assessment_id) if with_annex else Evidence.objects.none()
    for response_id, note, url, name in evidence.values_list("response_id", "note", "url", "original_name"):
        # Links are printed as text, never followed or made clickable: the report is a record.
        items.setdefault(response_id, []).append(" · ".join(part for part in (name, url, note) if part))
    lines = []
    for response in responses:
        node = response.indicator.node
        lines.append(
            IndicatorLine(
                code=node.code,
                name=node.name,
                dimension=node.parent.code if node.parent else "",
                answer=_answer_text(response),
                score=normalised.get(node.code),
                evidence=response.evidence_count,
                evidence_required=response.indicator.evidence_required,
                quality=response.quality,
                source=response.source if with_annex else "",
                comment=response.comment if with_annex else "",
                evidence_items=tuple(items.get(response.pk, ())),
            )
        )
    return lines


def _agreements(city: City) -> tuple[list[dict[str, Any]], list[str]]:
    """The city's agreements, with partners, and the service domains where none is in force."""
    agreements = list(
        Agreement.objects.filter(party_links__city=city)
        .prefetch_related("party_links__city__province")
        .order_by("domain", "key")
        .distinct()
    )
    rows = []
    in_force_domains = set()
    for agreement in agreements:
        partners = [link.city.name_distinct for link in agreement.party_links.all() if link.city_id != city.code]
        rows.append({"agreement": agreement, "partners": partners})
        if agreement.status == Agreement.Status.IN_FORCE:
            in_force_domains.add(agreement.domain)
    islands = [str(label) for value, label in Agreement.Domain.choices if value not in in_force_domains]
    return rows, islands


def prints_annex(audience: str) -> bool:
    """Only the full edition prints the assessment's sources, comments and evidence."""
    return audience == Report.Audience.FULL


def city_report_context(
    *,
    user: User,
    city: City,
    period: int,
    region_code: str | None = None,
    framework: Framework | None = None,
    audience: str = Report.Audience.STAKEHOLDER,
) -> dict[str, Any]:
    """The city report's context; only the full edition carries the annex of sources, comments and evidence.

    Who may get which edition is the caller's decision (services.reports);
    the safe edition is the default.
    """
    with_annex = prints_annex(audience)
    framework = framework or default_framework()
    region = city_region(city, region_code)
    filters = _filters(user, region, framework, period)
    view = panels.region_view(user, region, filters)
    snapshot = view.snapshot
    if snapshot is None or city.code not in snapshot.scores.index:
        raise ReportUnavailable(_("%(city)s has no published result for this period.") % {"city": city.name})
    city_panels, extra = panels.city_panels(user, view, city)
    by_slug = {panel.slug: panel for panel in city_panels}
    # Chromium starts drawing now, on the other core, while the rest of the context is read.
    plane_svg = _svg(by_slug.get("plane"), PAGE_WIDTH, 400)
    radar_svg = _svg(by_slug.get("radar"), PAGE_WIDTH, 380)
    structure = view.structure
    names = node_labels(framework)
    peers = frames.peers(view.scores, city.code, list(structure.dimensions))
    standing = city_headline(view, city)
    assessment = standing.assessment
    order = [code for dimension in structure.dimensions for code in structure.indicators_of[dimension]]
    lines = _indicator_lines(
        assessment.pk, dict(snapshot.normalised.loc[city.code].items()), order, with_annex=with_annex
    )
    steps = standing.steps
    best_rows = snapshot.normalised.idxmax()
    dimension_rows = [
        recommendations.DimensionStanding(
            code=code,
            name=names.get(code, code),
            score=display_number(peers.at[code, "city"], blank=None),
            median=display_number(peers.at[code, "median"], blank=None),
            best=display_number(peers.at[code, "best"], blank=None),
        )
        for code in structure.dimensions
    ]
    indicators = {
        indicator.node.code: indicator
        for indicator in Indicator.objects.filter(node__framework=framework).select_related("node")
    }
    indicator_standings = []
    for line in lines:
        best_city = best_rows.get(line.code)
        best_answer = ""
        if isinstance(best_city, str) and line.code in indicators:
            best_answer = answer_text(indicators[line.code], float(snapshot.raw.at[best_city, line.code]))
        indicator_standings.append(
            recommendations.IndicatorStanding(
                code=line.code,
                dimension=line.dimension,
                name=line.name,
                score=line.score,
                answer=line.answer,
                best_answer=best_answer,
            )
        )
    advice = recommendations.advice_by_lever(dimension_rows, indicator_standings)
    headline = recommendations.headline([{"code": step.code} for step in steps], advice)
    agreements, islands = _agreements(city)
    quality_counts = {
        grade: sum(1 for line in lines if line.quality == grade) for grade, _label in Response.Quality.choices
    }
    tree = framework_scoring_tree(framework)
    return {
        "kind": "city",
        "full_edition": with_annex,
        "city": city,
        "region": region,
        "period": period,
        "framework": framework,
        "assessment": assessment,
        "is_demo": snapshot.is_demo,
        "generated": timezone.localtime(),
        "stage": standing.stage_label,
        "stage_code": standing.stage,
        "next_stage": standing.next_stage_label,
        "ladder": standing.ladder,
        "index_score": standing.index_score,
        "ic_score": standing.halves[0][2] if standing.halves else "",
        "xb_score": standing.halves[1][2] if len(standing.halves) > 1 else "",
        "rank": standing.rank,
        "interval_coverage": standing.interval_coverage,
        "stage_share": standing.stage_share,
        "ranked": standing.ranked,
        "interval": standing.interval,
        "strengths": extra.get("strengths", []),
        "weaknesses": extra.get("weaknesses", []),
        "headline": _headline_text(headline, steps, names),
        "plane_svg": plane_svg,
        "radar_svg": radar_svg,
        "dimensions": dimension_rows,
        "halves": standing.halves,
        "indicators": lines,
        "steps": steps,
        "advice": advice,
        "lever_names": lever_names(),
        "agreements": agreements,
        "islands": islands,
        "coverage": extra.get("coverage"),
        "quality_counts": quality_counts,
        "quality_labels": dict(Response.Quality.choices),
        "weights": [
            (code, names.get(code, code), tree.weight_of[code]) for code in (*structure.halves, *structure.dimensions)
        ],
        "normalisation": framework.get_normalisation_display(),
        "aggregation": framework.aggregation,
        "threshold": framework.stage_threshold,
        "critical_floor": framework.critical_floor,
        # The version's draws, weight factor range and percentiles, as the annex states them.
        "method": method_stated(framework.method_parameters()),
    }


def _headline_text(headline: tuple[str, str] | None, steps: list, names: dict[str, str]) -> str:
    if headline is None:
        return _("Hold the position: every dimension is at or above the region's median.")
    kind, code = headline
    if kind == "step":
        step = steps[0]
        return _(
            "First, raise %(indicator)s from %(from)s to %(to)s: "
            "the single step that most closes the gap to the next stage."
        ) % {
            "indicator": f"{step.code} {step.name}",
            "from": "—"
            if step.from_raw is None
            else f"{plain_number_text(round(step.from_raw, 2))} {step.unit}".strip(),
            "to": f"{plain_number_text(round(step.to_raw, 2))} {step.unit}".strip(),
        }
    return _("First, strengthen %(dimension)s, the dimension furthest below the region's median.") % {
        "dimension": f"{code} {names.get(code, code)}"
    }


def lever_names() -> dict[str, str]:
    return {
        "concept": _("Development concept and top-level design"),
        "resources": _("Key digital resources"),
        "governance": _("Digital-space governance"),
    }


def region_report_context(
    *, user: User, region: Region, period: int, framework: Framework | None = None
) -> dict[str, Any]:
    framework = framework or default_framework()
    filters = _filters(user, region, framework, period)
    view = panels.region_view(user, region, filters)
    snapshot = view.snapshot
    if snapshot is None or snapshot.is_empty:
        raise ReportUnavailable(_("Nothing is published for this region yet."))
    region_panels = {panel.slug: panel for panel in panels.region_panels(user, view)}
    labels = city_labels(snapshot.cities)
    names = node_labels(framework)
    structure = view.structure
    stage_names = stage_labels(framework)
    # The network of agreements in force today, as on the network page.
    codes = list(snapshot.cities.index)
    network = region_network(city_selectors.agreement_edges(city_codes=codes), codes, on=timezone.localdate())
    network_svg = svg.figure_url(
        network_figures.network_figure(
            cities=network_figures.figure_cities(
                zip(snapshot.cities.index, snapshot.cities["latitude"], snapshot.cities["longitude"], strict=True),
                labels,
                network.degree,
            ),
            agreements=network.agreements,
            domain_labels={value: str(label) for value, label in Agreement.Domain.choices},
        ),
        PAGE_WIDTH,
        520,
    )
    city_pages = []
    for code, row in view.ranking.iterrows():
        peers = frames.peers(view.scores, code, list(structure.dimensions))
        strengths, weaknesses = frames.strengths_and_weaknesses(peers)
        city_pages.append(
            {
                "code": code,
                "name": labels.get(code, code),
                "rank": display_number(row["rank"], 0),
                "interval": (display_number(row["rank_p05"], 0), display_number(row["rank_p95"], 0)),
                "index": display_number(row["index"]),
                "stage": stage_names.get(row["stage"], row["stage"]),
                "halves": [(names.get(h, h), display_number(view.scores.at[code, h])) for h in structure.halves],
                "dimensions": [
                    (d, names.get(d, d), display_number(peers.at[d, "city"]), display_number(peers.at[d, "median"]))
                    for d in structure.dimensions
                ],
                "strengths": [(names.get(d, d), display_number(r["versus_median"])) for d, r in strengths.iterrows()],
                "weaknesses": [(names.get(d, d), display_number(r["versus_median"])) for d, r in weaknesses.iterrows()],
            }
        )
    return {
        "kind": "region",
        "region": region,
        "period": period,
        "framework": framework,
        "is_demo": snapshot.is_demo,
        "generated": timezone.localtime(),
        "scored": len(snapshot.scores),
        "members": len(snapshot.cities),
        "ranking": region_panels["ranking"],
        "ranking_svg": _svg(region_panels.get("ranking"), PAGE_WIDTH, min(880, 22 * len(view.ranking) + 90)),
        "heatmap_svg": _svg(region_panels.get("heatmap"), PAGE_WIDTH, min(880, 22 * len(view.ranking) + 140)),
        "plane_svg": _svg(region_panels.get("plane"), PAGE_WIDTH, 460),
        "stages_svg": _svg(region_panels.get("stages"), PAGE_WIDTH, 300),
        "stages": region_panels.get("stages"),
        "movers": region_panels.get("movers"),
        "movers_svg": _svg(region_panels.get("movers"), PAGE_WIDTH),
        "network_svg": network_svg,
        "network": network,
        "density_percent": network.density * 100,
        "islands": [labels.get(code, code) for code in network.islands],
        "city_pages": city_pages,
        "normalisation": framework.get_normalisation_display(),
        "threshold": framework.stage_threshold,
    }


def audit_report_context(
    *, user: User, region: Region, period: int, framework: Framework | None = None
) -> dict[str, Any]:
    """The statistical audit annex: the audit page's sections, each chart drawn as SVG (`assessment.region_audit`)."""
    framework = framework or default_framework()
    scope = audit_selectors.audit_scope(
        user=user, framework_code=framework.code, version=framework.version, region_code=region.code, period=period
    )
    snapshot = scope.snapshot
    computed = (
        None
        if snapshot is None or scope.period != period
        else region_audit(snapshot, scope.method, partial(scoring_input.move_probability, snapshot, scope.method))
    )
    if snapshot is None or computed is None:
        raise ReportUnavailable(
            _("%(region)s has no published result for %(period)s.") % {"region": region.name, "period": period}
        )
    sections = audit_sections(computed, scope.method, node_labels(framework), snapshot.tree)
    return {
        "kind": "audit",
        "region": region,
        "period": period,
        "framework": framework,
        "is_demo": snapshot.is_demo,
        "generated": timezone.localtime(),
        "units": computed.units,
        "sections": [
            {
                "section": section,
                "panels": [
                    {"panel": panel, "svg": _svg(panel, PAGE_WIDTH, AUDIT_FIGURE_HEIGHTS.get(panel.slug))}
                    for panel in section.panels
                ],
            }
            for section in sections
        ],
    }
