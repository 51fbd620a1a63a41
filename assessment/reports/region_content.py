"""What a regional report says: the ranking, stages, plane, network and one page per city; no HTML here."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.dashboards import frames, panels
from assessment.dashboards.labels import city_labels, display_number, node_labels, stage_labels
from assessment.models import Framework
from assessment.reports import svg
from assessment.reports.content import PAGE_WIDTH, ReportUnavailable, User, _filters, _svg, default_framework
from cities import figures as network_figures
from cities import selectors as city_selectors
from cities.models import Agreement, Region
from cities.network import region_network


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
