"""What a regional report says: the synthesis first (key messages, stages, plane, interoperability, priorities,
dispersion and convergence, provinces and sub-regions, regional recommendations), then the ranking, network and
one page per city; no HTML here. The synthesis is `assessment.dashboards.synthesis_panels`, as on the dashboard."""

import copy
import dataclasses
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.dashboards import frames, panels, synthesis_panels
from assessment.dashboards.labels import (
    city_labels,
    display_number,
    domain_in_sentence,
    median_gap_text,
    node_labels,
    stage_labels,
)
from assessment.insight import synthesis
from assessment.models import Framework
from assessment.reports import svg
from assessment.reports.content import PAGE_WIDTH, ReportUnavailable, User, _filters, _svg, default_framework
from assessment.reports.dual_space_content import dual_space_content
from assessment.reports.surge_content import surge_content
from assessment.selectors import synthesis as synthesis_selectors
from assessment.selectors.recommendations import city_recommendations
from cities import figures as network_figures
from cities import selectors as city_selectors
from cities.models import Agreement, Region
from cities.network import region_network
from cities.templatetags.lists import join_list

# The regional recommendations name this many actions that many cities' recommendations share.
SHARED_ACTIONS = 5
# The ranking figure's tallest height (px at PAGE_WIDTH): with the chapter's heading, the demo banner and the
# caption it still fits one A4 page (255 mm of text block; 680 px span 174 mm, so 800 px are 205 mm).
RANKING_MAX_HEIGHT = 800
# At that height 41 cities get 17 px a row: names at 11 px, one per row, none left out by Plotly.
RANKING_NAME_SIZE = 11


def ranking_page_figure(panel: panels.Panel | None, cities: int) -> str | None:
    """The ranking chart sized to share its page with the chapter's heading: every city still named."""
    if panel is None or panel.figure is None:
        return None
    figure = copy.deepcopy(panel.figure)
    figure["layout"]["yaxis"] = {
        **figure["layout"].get("yaxis", {}),
        "tickmode": "linear",
        "dtick": 1,
        "tickfont": {"size": RANKING_NAME_SIZE},
    }
    return svg.figure_url(figure, PAGE_WIDTH, min(RANKING_MAX_HEIGHT, 22 * cities + 90))


def region_report_context(
    *, user: User, region: Region, period: int, framework: Framework | None = None
) -> dict[str, Any]:
    framework = framework or default_framework(period)
    filters = _filters(user, region, framework, period)
    view = panels.region_view(user, region, filters)
    snapshot = view.snapshot
    if snapshot is None or snapshot.is_empty:
        raise ReportUnavailable(_("Nothing is published for this region yet."))
    # The report draws these as SVG; the map is the page's alone.
    region_panels = {
        panel.slug: panel
        for panel in panels.region_panels(user, view, only=("ranking", "heatmap", "plane", "stages", "movers"))
    }
    labels = city_labels(snapshot.cities)
    names = node_labels(framework)
    structure = view.structure
    stage_names = stage_labels(framework)
    found = synthesis_panels.region_synthesis(user, view)
    # The network of agreements in force on the synthesis' date (the period's reference date), as its
    # matrix, the dual-space gap and the surge test count them: one date for the whole report.
    codes = list(snapshot.cities.index)
    network = region_network(
        city_selectors.agreement_edges(city_codes=codes),
        codes,
        on=found.on,
        domains=[value for value, _label in Agreement.Domain.choices],
    )
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
    notes = city_selectors.member_notes(region)
    city_pages = []
    for code, row in view.ranking.iterrows():
        peers = frames.peers(view.scores, code, list(structure.dimensions))
        strengths, weaknesses = frames.strengths_and_weaknesses(peers)
        low, high = display_number(row["rank_p05"], 0), display_number(row["rank_p95"], 0)
        city_pages.append(
            {
                "code": code,
                "name": labels.get(code, code),
                "note": notes.get(code, ""),
                "rank": display_number(row["rank"], 0),
                # The headline's wording: "排名区间：第1—3名" / "Rank interval: 1–3".
                "interval_text": (
                    "" if low == "" or high == "" else _("Rank interval: %(low)s–%(high)s") % {"low": low, "high": high}
                ),
                "index": display_number(row["index"]),
                "stage": stage_names.get(row["stage"], row["stage"]),
                "halves": [(names.get(h, h), display_number(view.scores.at[code, h])) for h in structure.halves],
                "dimensions": [
                    (d, names.get(d, d), display_number(peers.at[d, "city"]), display_number(peers.at[d, "median"]))
                    for d in structure.dimensions
                ],
                "strengths": [(names.get(d, d), median_gap_text(r["versus_median"])) for d, r in strengths.iterrows()],
                "weaknesses": [
                    (names.get(d, d), median_gap_text(r["versus_median"])) for d, r in weaknesses.iterrows()
                ],
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
        "ranking_svg": ranking_page_figure(region_panels.get("ranking"), len(view.ranking)),
        "heatmap_svg": _svg(region_panels.get("heatmap"), PAGE_WIDTH, min(880, 22 * len(view.ranking) + 140)),
        "plane": region_panels.get("plane"),
        "plane_svg": _svg(region_panels.get("plane"), PAGE_WIDTH, 460),
        "stages_svg": _svg(region_panels.get("stages"), PAGE_WIDTH, 300),
        "stages": region_panels.get("stages"),
        "movers": region_panels.get("movers"),
        "movers_svg": _svg(region_panels.get("movers"), PAGE_WIDTH),
        "network_svg": network_svg,
        "network": network,
        # Not the density: region-wide agreements bind every pair and make it 100 %.
        "domain_coverage_percent": None if network.domain_coverage is None else network.domain_coverage * 100,
        "domain_count": network.domain_count,
        "islands": [labels.get(code, code) for code in network.islands],
        "city_pages": city_pages,
        "normalisation": framework.get_normalisation_display(),
        "threshold": framework.stage_threshold,
        **_synthesis_context(found, snapshot, notes, labels),
        "shared_actions": _shared_actions(user, view, found),
        **dual_space_content(view, None),
        **surge_content(view, None),
    }


def _synthesis_context(
    found: synthesis_panels.RegionSynthesis,
    snapshot: Any,
    notes: dict[str, str],
    labels: dict[str, str],
) -> dict[str, Any]:
    """The executive summary and the synthesis chapters, as the template prints them."""
    published = synthesis_selectors.last_published(snapshot)
    matrix_rows = len(found.matrix.index)
    fewest = synthesis.fewest_covered_domains(found.matrix)
    weakest = [*found.weakest, *(domain for domain in fewest if domain not in found.weakest)]
    dispersion = synthesis_panels.dispersion_panel(found)
    return {
        "synthesis": found,
        "key_messages": found.texts,
        "last_published": timezone.localtime(published) if published else None,
        "agreements_on": found.on,
        "dispersion": dispersion,
        "dispersion_svg": _svg(dispersion, PAGE_WIDTH, 24 * len(dispersion.rows) + 90),
        "convergence": synthesis_panels.convergence_panel(found),
        "convergence_sentence": next(
            (
                synthesis_panels.message_text(found, message)
                for message in found.messages
                if message.key in ("converging", "diverging")
            ),
            "",
        ),
        "group_columns": synthesis_panels.group_columns(found),
        "province_rows": synthesis_panels.group_rows(found, found.provinces),
        "subregion_rows": synthesis_panels.group_rows(found, found.subregions),
        "matrix": synthesis_panels.matrix_panel(found),
        # 16 px a row keeps 41 cities × 16 domains on one A4 page, each count still readable.
        "matrix_svg": svg.figure_url(
            synthesis_panels.matrix_figure(found, row_height=16), PAGE_WIDTH, 16 * matrix_rows + 180
        ),
        # The weakest domains, and every other domain tied with the last of them: the table and the
        # recommendation below name the same domains.
        "weakest_domains": [
            (found.domain_names.get(domain, domain), int(covered))
            for domain, covered in synthesis.pairs_covered(found.matrix)[weakest].items()
        ],
        # Every domain tied at the fewest covered pairs, named inside the recommendation's sentence.
        "fewest_domains": join_list(domain_in_sentence(found.domain_names.get(domain, domain)) for domain in fewest),
        "no_agreements": not fewest and not synthesis.pairs_covered(found.matrix).any(),
        "possible_pairs": matrix_rows * (matrix_rows - 1) // 2,
        # The regional recommendations name the first; the dual-space chapter lists them all.
        "priority_pairs": [
            {"pair": f"{labels.get(pair.pair[0], pair.pair[0])}—{labels.get(pair.pair[1], pair.pair[1])}"}
            for pair in found.priority_pairs
        ],
        "notes": [(labels.get(code, code), note) for code, note in notes.items() if note and code in labels],
    }


def _shared_actions(
    user: User, view: panels.RegionView, found: synthesis_panels.RegionSynthesis
) -> list[dict[str, Any]]:
    """The actions many cities' recommendations share, most cities first, under the framework's weights.

    Only the report prints them: every scored city's recommendations are read here, never on a page render.
    Like the rest of the synthesis they ignore a what-if scenario: the view is read again without one.
    """
    if view.filters.weights:
        view = panels.region_view(user, view.filters.region, dataclasses.replace(view.filters, weights={}))
    assert view.snapshot is not None
    shared = synthesis.shared_actions(
        {code: city_recommendations(view, code) for code in view.snapshot.scores.index}, SHARED_ACTIONS
    )
    return [
        {
            "indicator": item.indicator,
            "name": found.node_names.get(item.indicator, ""),
            "action": item.action,
            "lead_agency": item.lead_agency,
            "cities": len(item.cities),
            "blocking": len(item.blocking),
        }
        for item in shared
    ]
