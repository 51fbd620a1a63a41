"""What the reports say about the surge test: per agreement domain, how many movers find an agreement in force.

A fixed, stated scenario (the network page lets a reader choose one): in the
regional report every member city sends the same share of its residents, in
the city report the city alone sends them. The share cancels out of the
coverage (`cities.surge.surge_by_domain`), so none is printed. Agreements count
on the dual-space chapter's reference date (`RegionView.reference_date`).
The method's numbers reach `templates/reports/_method_surge.html` through
``surge.method``; no HTML here.
"""

from typing import Any

from assessment.dashboards.labels import city_labels, display_number
from assessment.dashboards.panels import RegionView
from cities import selectors as city_selectors
from cities.models import Agreement
from cities.surge import EARTH_RADIUS_KM, GRAVITY_EXPONENT, MIN_DISTANCE_KM, surge_by_domain


def method_numbers() -> dict[str, Any]:
    """The method's numbers as the methodology annex prints them."""
    return {
        "exponent": GRAVITY_EXPONENT,
        "earth_radius": EARTH_RADIUS_KM,
        "min_distance": f"{MIN_DISTANCE_KM:g}",
        "domain_count": len(Agreement.Domain.choices),
    }


def percent_text(share: float | None) -> str:
    """A share 0–1 as "45.2%"; "—" without one."""
    shown = display_number(None if share is None else share * 100, 1)
    return "—" if shown == "" else f"{shown:.1f}%"


def surge_content(view: RegionView, city_code: str | None) -> dict[str, Any]:
    """The surge test of a city report (``city_code``: the city is the origin) or a regional report (None)."""
    nothing: dict[str, Any] = {"surge": {"rows": [], "method": method_numbers()}}
    snapshot = view.snapshot
    if snapshot is None or snapshot.is_empty or len(snapshot.cities) < 2:
        return nothing
    codes = list(snapshot.cities.index)
    if city_code is not None and city_code not in codes:
        return nothing
    on = view.reference_date
    labels = city_labels(snapshot.cities)
    domain_labels = dict(Agreement.Domain.choices)
    results = surge_by_domain(
        city_selectors.surge_cities(city_codes=codes),
        codes if city_code is None else [city_code],
        city_selectors.agreement_edges(city_codes=codes),
        list(domain_labels),
        on,
    )
    rows = []
    for result in results:
        if result.coverage is None:
            continue  # nobody moves: no population recorded
        best = result.best_new_pair
        if best is None:
            partner = "—"
        elif city_code is None:
            partner = f"{labels.get(best[0], best[0])}—{labels.get(best[1], best[1])}"
        else:
            other = best[1] if best[0] == city_code else best[0]
            partner = labels.get(other, other)
        rows.append(
            {
                "domain": str(domain_labels.get(result.domain, result.domain)),
                "coverage": percent_text(result.coverage),
                "best": partner,
                "coverage_with_best": percent_text(result.coverage_with_best_new_pair),
            }
        )
    return {
        "surge": {
            "kind": "region" if city_code is None else "city",
            "rows": rows,
            "on": on,
            "city": labels.get(city_code, city_code) if city_code else "",
            "method": method_numbers(),
        }
    }
