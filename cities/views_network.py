"""Agreement pages and the region network page.

Views parse the query, call selectors and the pure engines, and render.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cities import figures, selectors
from cities.forms import AgreementFilterForm, NetworkFilterForm, SurgeForm
from cities.models import Agreement, Region
from cities.network import region_network as build_region_network
from cities.surge import surge_test


def agreement_list(request: HttpRequest) -> HttpResponse:
    form = AgreementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agreements = selectors.agreement_list(
        domain=filters.get("domain") or None,
        mode=filters.get("mode") or None,
        status=filters.get("status") or None,
        region=filters.get("region") or None,
    )
    return render(request, "cities/agreement_list.html", {"form": form, "agreements": agreements})


def agreement_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        agreement = selectors.agreement_detail(key=key)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "cities/agreement_detail.html", {"agreement": agreement})


def region_network(request: HttpRequest, code: str) -> HttpResponse:
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
    network = build_region_network(edges, codes, **filters)  # type: ignore[arg-type]
    labels = {city.code: city.name for city in cities}
    figure_cities = [
        figures.FigureCity(
            code=city.code,
            label=city.name,
            latitude=float(city.latitude),
            longitude=float(city.longitude),
            degree=network.degree[city.code],
        )
        for city in cities
    ]
    domain_labels = {value: str(label) for value, label in Agreement.Domain.choices}
    context: dict[str, Any] = {
        "region": region,
        "form": form,
        "filters": filters,
        "network": network,
        "density_percent": network.density * 100,
        "components": [[by_code[c] for c in component] for component in network.components],
        "islands": [by_code[c] for c in network.islands],
        "degree_rows": [
            {"city": by_code[c], "degree": degree, "weighted": weighted}
            for c, degree, weighted in network.top_degrees(10)
        ],
        "network_figure": figures.network_figure(
            cities=figure_cities, agreements=network.agreements, domain_labels=domain_labels
        ),
        "coverage_figure": figures.coverage_heatmap(matrix=network.matrix, labels=labels),
    }
    context.update(
        _surge(request, edges=edges, codes=codes, cities=cities, by_code=by_code, on=filters["on"])
    )
    return render(request, "cities/region_network.html", context)


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
                None
                if result.coverage_with_best_new_pair is None
                else result.coverage_with_best_new_pair * 100
            ),
            "total_movers": round(result.total_movers),
            "rows": rows,
            "best": (by_code[best[0]], by_code[best[1]]) if best else None,
        },
    }
