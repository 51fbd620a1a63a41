"""What a city report says: its standing, recommendations, agreements and the annex of answers; no HTML here.

Every number comes from stored, published results, read with the same visibility rules as the pages.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.dashboards import frames, panels
from assessment.dashboards.headline import city_headline
from assessment.dashboards.labels import answer_text, display_number, node_labels
from assessment.framework.document import plain_number_text
from assessment.framework_cache import framework_scoring_tree
from assessment.models import Evidence, Framework, Indicator, Report, Response
from assessment.rank_intervals import method_stated
from assessment.reports import recommendations
from assessment.reports.content import (
    PAGE_WIDTH,
    ReportUnavailable,
    User,
    _filters,
    _svg,
    city_region,
    default_framework,
)
from cities.models import Agreement, City


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
