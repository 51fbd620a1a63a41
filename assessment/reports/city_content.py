"""What a city report says: its standing, recommendations, agreements and the annex of answers; no HTML here.

Every number comes from stored, published results, read with the same visibility rules as the pages.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.dashboards import frames, panels
from assessment.dashboards.headline import city_headline
from assessment.dashboards.labels import (
    answer_text,
    display_number,
    median_gap_text,
    node_labels,
    quality_labels,
    sentences,
)
from assessment.framework_cache import framework_scoring_tree
from assessment.insight.recommendations import Recommendation
from assessment.insight.recommendations import by_lever as recommendations_by_lever
from assessment.models import Assessment, Evidence, FlagAcceptance, Framework, Indicator, Report, Response
from assessment.rank_intervals import method_stated
from assessment.reports.content import (
    PAGE_WIDTH,
    ReportUnavailable,
    User,
    _filters,
    _svg,
    city_region,
    default_framework,
)
from assessment.reports.dual_space_content import dual_space_content
from assessment.reports.surge_content import surge_content
from assessment.selectors.assessments import GapStep
from assessment.selectors.derived import reference_date
from assessment.selectors.recommendations import city_recommendations, quantity_shown
from cities.models import Agreement, AgreementParty, City, Region
from cities.network import select_agreements
from cities.selectors import agreement_edges, member_notes, regions_of_city


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


def _agreements(city: City, on: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The agreements the city is a party of (lead or member), with its partners; those it only observes;
    and the service domains where none binds it in force on ``on``.

    Observers are not partners: an observer city is listed beside the agreement, never
    as a party of it, and an agreement the city only observes covers none of its domains.
    An agreement covers a domain on the dates it is in force (`cities.network.select_agreements`):
    one that expired before ``on``, or was signed after it, leaves the domain an island.
    """
    agreements = list(
        Agreement.objects.filter(party_links__city=city)
        .prefetch_related("party_links__city__province")
        .order_by("domain", "key")
        .distinct()
    )
    rows, observed = [], []
    observer = AgreementParty.Role.OBSERVER
    for agreement in agreements:
        links = list(agreement.party_links.all())
        partners = [link.city.name_distinct for link in links if link.city_id != city.code and link.role != observer]
        observers = [link.city.name_distinct for link in links if link.city_id != city.code and link.role == observer]
        row = {
            "agreement": agreement,
            "partners": partners,
            "observers": observers,
            "status": agreement.status_label_on(on),
        }
        if any(link.city_id == city.code and link.role == observer for link in links):
            observed.append(row)
            continue
        rows.append(row)
    # agreement_edges leaves observers out of the parties: an observed agreement covers nothing.
    in_force_domains = {
        edge.domain
        for edge in select_agreements(agreement_edges(city_codes=[city.code]), on=on)
        if city.code in edge.parties
    }
    islands = [str(label) for value, label in Agreement.Domain.choices if value not in in_force_domains]
    return rows, observed, islands


def _step_rows(steps: list[GapStep]) -> list[dict[str, Any]]:
    """The plan's steps with answers at the indicator's display precision, as the recommendations print them."""

    def text(step: GapStep, value: float | None, *, target: bool) -> str:
        if value is None:
            return "—"
        if step.indicator is None:
            return str(display_number(value, 2))
        return answer_text(step.indicator, quantity_shown(step.indicator, value, target=target)) or "—"

    return [
        {
            "code": step.code,
            "name": step.name,
            "from": text(step, step.from_raw, target=False),
            "to": text(step, step.to_raw, target=True),
            "critical_floor": step.critical_floor,
        }
        for step in steps
    ]


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
    framework = framework or default_framework(period)
    region = city_region(city, region_code)
    filters = _filters(user, region, framework, period)
    view = panels.region_view(user, region, filters)
    snapshot = view.snapshot
    if snapshot is None or city.code not in snapshot.scores.index:
        raise ReportUnavailable(_("%(city)s has no published result for this period.") % {"city": city.name})
    city_panels, extra = panels.city_panels(user, view, city)
    by_slug = {panel.slug: panel for panel in city_panels}
    # A period in which too few members are published (the dashboard's rule, PeriodCoverage.is_ranked): the
    # rank is among those alone and a median of one or two cities is no yardstick, so the report says so
    # and draws no comparison with it (no strengths and gaps, no radar, no median or best per dimension).
    thin_region = extra["thin_region"]
    # Chromium starts drawing now, on the other core, while the rest of the context is read.
    plane_svg = _svg(by_slug.get("plane"), PAGE_WIDTH, 400)
    radar_svg = None if thin_region else _svg(by_slug.get("radar"), PAGE_WIDTH, 380)
    trend_svg = _svg(by_slug.get("trend"), PAGE_WIDTH, 300)
    peer_groups = by_slug.get("peer_groups")
    peer_groups_svg = _svg(peer_groups, PAGE_WIDTH, None)
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
    dimension_rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "score": display_number(peers.at[code, "city"], blank=None),
            "median": None if thin_region else display_number(peers.at[code, "median"], blank=None),
            "best": None if thin_region else display_number(peers.at[code, "best"], blank=None),
        }
        for code in structure.dimensions
    ]
    recommendations = city_recommendations(view, city.code)
    agreements_on = reference_date(period)
    agreements, observed, islands = _agreements(city, agreements_on)
    quality_counts = {
        grade: sum(1 for line in lines if line.quality == grade) for grade, _label in Response.Quality.choices
    }
    tree = framework_scoring_tree(framework)
    regions = region_standings(user, city, framework, period, region)
    return {
        "kind": "city",
        "thin_region": thin_region,
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
        # The sign said in words, as the regional report's city pages say it: "低于区域中位数34.8分".
        "strengths": [(name, median_gap_text(delta)) for name, delta in extra.get("strengths", [])],
        "weaknesses": [(name, median_gap_text(delta)) for name, delta in extra.get("weaknesses", [])],
        "headline": _headline_text(recommendations),
        "plane_svg": plane_svg,
        # The plane's own caption: it names the medians and the stage threshold the figure draws.
        "plane_caption": by_slug["plane"].caption_in_print if "plane" in by_slug else "",
        "radar_svg": radar_svg,
        # The trend across periods (and framework versions, with the break marked) and the peer groups:
        # the dashboard's panels, as they are on the page.
        "trend": by_slug.get("trend"),
        "trend_svg": trend_svg,
        "peer_groups": peer_groups,
        "peer_groups_svg": peer_groups_svg,
        "dimensions": dimension_rows,
        "halves": standing.halves,
        "indicators": lines,
        "steps": steps,
        "step_rows": _step_rows(steps),
        "recommendations": recommendations,
        "recommendation_blocks": [
            (lever_names()[lever], items) for lever, items in recommendations_by_lever(recommendations)
        ],
        "horizon_names": horizon_names(),
        "control_names": dict(Indicator.Control.choices),
        "regions": regions,
        "regions_note": _regions_note(regions, standing.index_score),
        "member_notes": member_notes(region),
        "data_as_of": period,
        "agreements": agreements,
        "observed": observed,
        "islands": islands,
        "agreements_on": agreements_on,
        "coverage": extra.get("coverage"),
        "quality_counts": quality_counts,
        # The verifier's accepted flags are working notes: the full edition's annex only.
        "accepted_flags": _accepted_flags(assessment) if with_annex else [],
        "quality_labels": quality_labels(snapshot.is_demo),
        "weights": [
            (code, names.get(code, code), tree.weight_of[code]) for code in (*structure.halves, *structure.dimensions)
        ],
        "normalisation": framework.get_normalisation_display(),
        "aggregation": framework.aggregation,
        "threshold": framework.stage_threshold,
        "critical_floor": framework.critical_floor,
        # The version's draws, weight factor range and percentiles, as the annex states them.
        "method": method_stated(framework.method_parameters()),
        **dual_space_content(view, city.code),
        **surge_content(view, city.code),
    }


def _headline_text(recommendations: list[Recommendation]) -> str:
    """The one thing to do first: the first recommendation."""
    if not recommendations:
        return _("No recommendation: every indicator is at the framework's top value.")
    first = recommendations[0]
    return _("First: %(indicator)s, from %(current)s to %(target)s. %(action)s") % {
        "indicator": f"{first.indicator} {first.name}",
        "current": first.current,
        "target": first.target,
        "action": first.action,
    }


def lever_names() -> dict[str, str]:
    """The source article's three levers, after the city's own foundations."""
    return {
        "foundations": _("In-city foundations"),
        "concept": _("Development concept and top-level design"),
        "resources": _("Key digital resources"),
        "governance": _("Digital-space governance"),
    }


def horizon_names() -> dict[str, str]:
    return {"this_year": _("This year"), "plan_period": _("Within the plan period")}


def region_standings(user: User, city: City, framework: Framework, period: int, shown: Region) -> list[dict[str, Any]]:
    """The city in every region it belongs to (smallest first): rank, interval, the index's median and best, stage."""
    standings = []
    for region in regions_of_city(city):
        view = panels.region_view(user, region, _filters(user, region, framework, period))
        if view.snapshot is None or city.code not in view.ranking.index:
            continue
        row = view.ranking.loc[city.code]
        index = view.scores[view.structure.index]
        # Too few members published (PeriodCoverage.is_ranked): their median and best are the city's own again.
        coverage = view.snapshot.coverage
        thin = not coverage.is_ranked
        standings.append(
            {
                "region": region,
                "shown": region.code == shown.code,
                "rank": display_number(row["rank"], 0),
                "ranked": int(view.ranking["rank"].notna().sum()),
                "interval": (display_number(row.get("rank_p05"), 0), display_number(row.get("rank_p95"), 0)),
                "median": "—" if thin else display_number(index.median()),
                "best": "—" if thin else display_number(index.max()),
                "thin": coverage if thin else None,
                "index": display_number(row["index"]),
                "stage": row["stage"],
                "notes": member_notes(region),
            }
        )
    return standings


def _regions_note(standings: list[dict[str, Any]], index_score: str) -> str:
    """What the regions table's median and best are, and which regions have too few cities published for them."""
    note = _(
        "The city's index is %(index)s; median and best are those of the index among each region's published cities."
    ) % {"index": index_score}
    for row in standings:
        if row["thin"]:
            note = sentences(
                note,
                _(
                    "%(region)s: only %(published)s of %(cities)s member cities are published for %(period)s, "
                    "too few for a median or best."
                )
                % {
                    "region": row["region"].name,
                    "published": row["thin"].published,
                    "cities": row["thin"].cities,
                    "period": row["thin"].period,
                },
            )
    return note


def _accepted_flags(assessment: Assessment) -> list[dict[str, object]]:
    """The flags the reviewer accepted, with why: indicator, flag, the value kept, the reason, who."""
    return [
        {
            "code": acceptance.response.indicator.node.code,
            "flag": acceptance.get_kind_display(),
            "value": display_number(acceptance.value, blank="—"),
            "reason": acceptance.reason,
            "by": acceptance.accepted_by.get_username(),
        }
        for acceptance in FlagAcceptance.objects.filter(response__assessment=assessment)
        .select_related("response__indicator__node", "accepted_by")
        .order_by("response__indicator__node__order", "kind")
    ]
