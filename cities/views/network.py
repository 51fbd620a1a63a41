"""The region network page: the agreement matrix or graph of a region's members, and the surge test.

Views parse the query, call selectors and the pure engines, and render.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cities import figures, selectors
from cities.forms import NetworkFilterForm, SurgeForm
from cities.models import Agreement, City, Region
from cities.network import AgreementEdge
from cities.network import region_network as build_region_network
from cities.surge import GRAVITY_EXPONENT, surge_test


def region_network(request: HttpRequest, code: str) -> HttpResponse:
    """A region's agreement network as a matrix or graph, with the surge test."""
    try:
        region = selectors.region_with_members(code=code)
    except Region.DoesNotExist as exc:
        raise Http404 from exc
    cities = [membership.city for membership in region.memberships.all()]
    by_code = {city.code: city for city in cities}
    codes = list(by_code)
    form = NetworkFilterForm(request.GET or None)
    filters = form.filters()
    edges = selectors.agreement_edges(city_codes=codes)
    every_domain_code = [value for value, _label in Agreement.Domain.choices]
    network = build_region_network(edges, codes, **filters, domains=every_domain_code)  # type: ignore[arg-type]
    view = "graph" if request.GET.get("view") == "graph" else "matrix"
    # Namesakes (Suzhou, Taizhou) carry their province in English: City.name_distinct.
    labels = {city.code: city.name_distinct for city in cities}
    figure_cities = figures.figure_cities(
        ((city.code, city.latitude, city.longitude) for city in cities), labels, network.degree
    )
    domain_labels = {value: str(label) for value, label in Agreement.Domain.choices}
    matrix = _domain_matrix(network.agreements, cities, filters["domain"])
    # The domain choice of the graph lists every domain the other filters leave agreements in.
    # The domain coverage counts every domain: a domain filter would cap it at one domain in 16.
    breadth = (
        build_region_network(edges, codes, **{**filters, "domain": None}, domains=every_domain_code)  # type: ignore[arg-type]
        if filters["domain"]
        else network
    )
    every_domain = _domain_matrix(breadth.agreements, cities, None) if filters["domain"] else matrix
    context: dict[str, Any] = {
        "region": region,
        "form": form,
        "filters": filters,
        "view": view,
        "domain_label": Agreement.Domain(filters["domain"]).label if filters["domain"] else "",
        "matrix": matrix,
        # The graph of every domain at once is a hairball: the graph opens on the busiest domain.
        "graph_query": _query(filters, view="graph", domain=filters["domain"] or every_domain["busiest"]),
        "matrix_query": _query(filters, view="matrix", domain=filters["domain"]),
        "domain_choices": [
            {**column, "query": _query(filters, view="graph", domain=column["code"])}
            for column in every_domain["columns"]
        ],
        "network": network,
        "breadth": breadth,
        "domain_coverage_percent": None if breadth.domain_coverage is None else breadth.domain_coverage * 100,
        "mean_domains": None if breadth.domain_coverage is None else breadth.domain_coverage * breadth.domain_count,
        "domain_distribution": [
            {"domains": count, "pairs": pairs} for count, pairs in breadth.domain_distribution.items() if pairs
        ],
        "components": [[by_code[c] for c in component] for component in network.components],
        "islands": [by_code[c] for c in network.islands],
        "degree_rows": [
            {"city": by_code[c], "degree": degree, "weighted": weighted}
            for c, degree, weighted in network.top_degrees(10)
        ],
    }
    if view == "graph":
        # Plotly figures only where they are drawn: the matrix view is plain tables.
        context["network_figure"] = figures.network_figure(
            cities=figure_cities, agreements=network.agreements, domain_labels=domain_labels
        )
        context["coverage_figure"] = figures.coverage_heatmap(matrix=network.matrix, labels=labels)
        context["breadth_figure"] = figures.domain_breadth_figure(breadth.domain_distribution, breadth.domain_count)
    context.update(_surge(request, edges=edges, codes=codes, cities=cities, by_code=by_code, on=filters["on"]))
    context["gravity_exponent"] = GRAVITY_EXPONENT
    return render(request, "cities/region_network.html", context)


def _query(filters: dict[str, Any], **changes: Any) -> str:
    """The page's filters as a query string, with some changed (the views and domain links keep the rest)."""
    values = {**filters, **changes}
    values["on"] = values["on"].isoformat() if values.get("on") else ""
    return urlencode({name: value for name, value in values.items() if value})


def _domain_matrix(agreements: Iterable[AgreementEdge], cities: list[City], domain: str | None) -> dict[str, Any]:
    """Cities × service domains: in each cell the agreements counted and the partner cities they bind.

    The agreements are the network's (already filtered by date, status, mode and
    domain, with at least two member parties); a city's partners in a domain are
    the distinct member cities an agreement of that domain binds it to.
    """
    agreements = list(agreements)
    members = {city.code for city in cities}
    every_domain = [code for code, _label in Agreement.Domain.choices]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    partners: dict[tuple[str, str], set[str]] = defaultdict(set)
    all_partners: dict[str, set[str]] = defaultdict(set)
    all_agreements: dict[str, set[Any]] = defaultdict(set)
    per_domain: dict[str, int] = defaultdict(int)
    for edge in agreements:
        parties = members.intersection(edge.parties)
        per_domain[edge.domain] += 1
        for code in parties:
            counts[code, edge.domain] += 1
            partners[code, edge.domain] |= parties - {code}
            all_partners[code] |= parties - {code}
            all_agreements[code].add(edge.agreement_id)
    labels = dict(Agreement.Domain.choices)
    # A domain without any agreement would be a column of zeros: it is named below the table instead.
    codes = [domain] if domain else [code for code in every_domain if per_domain[code]]
    empty = [] if domain else [str(labels[code]) for code in every_domain if not per_domain[code]]
    columns = [{"code": code, "label": str(labels[code]), "agreements": per_domain[code]} for code in codes]
    rows = [
        {
            "city": city,
            "cells": [
                {"domain": code, "agreements": counts[city.code, code], "partners": len(partners[city.code, code])}
                for code in codes
            ],
            "agreements": len(all_agreements[city.code]),
            "partners": len(all_partners[city.code]),
        }
        for city in sorted(cities, key=lambda city: city.code)
    ]
    busiest = max(codes, key=lambda code: (per_domain[code], -codes.index(code))) if codes else every_domain[0]
    return {"columns": columns, "rows": rows, "busiest": busiest, "empty_domains": empty}


def _surge(request: HttpRequest, *, edges, codes, cities, by_code, on) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The surge form, and its result when it was submitted and valid."""
    submitted = any(name.startswith(f"{SurgeForm.prefix}-") for name in request.GET)
    form = SurgeForm(request.GET if submitted else None, cities=cities)
    if not submitted or not form.is_valid():
        return {"surge_form": form, "surge": None}
    domain = form.cleaned_data["domain"]
    share = float(form.cleaned_data["share"]) / 100
    bound = build_region_network(edges, codes, on=on, domain=domain)
    result = surge_test(
        selectors.surge_cities(city_codes=codes),
        dict.fromkeys(form.cleaned_data["shocked"], share),
        bound.pair_counts,
    )
    rows = [
        {
            "cities": (by_code[flow.pair[0]], by_code[flow.pair[1]]),
            "movers": round(flow.movers),
            "percent": flow.share_of_movers * 100,
            "covered": flow.covered,
        }
        for flow in result.pairs
    ]
    best = result.best_new_pair
    return {
        "surge_form": form,
        "surge": {
            "domain": Agreement.Domain(domain).label,
            "result": result,
            "coverage_percent": None if result.coverage is None else result.coverage * 100,
            "best_percent": (
                None if result.coverage_with_best_new_pair is None else result.coverage_with_best_new_pair * 100
            ),
            "total_movers": round(result.total_movers),
            "rows": rows,
            "best": (by_code[best[0]], by_code[best[1]]) if best else None,
        },
    }
