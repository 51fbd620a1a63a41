"""What the reports say about the dual-space gap: the dashboards' panels as SVG, their tables and the method's numbers.

The city report shows the city's partners by flow and coverage and names its
weakest strong pair; the regional report shows every pair by flow and
coverage and lists the priority pairs. The method's numbers come from
`cities.dual_space` and reach `templates/reports/_method_dual_space.html`
through ``dual_space.method``; no HTML here.
"""

from typing import Any

from assessment.dashboards import dual_space_panels
from assessment.dashboards.panels import RegionView
from assessment.reports.content import PAGE_WIDTH, _svg
from cities.dual_space import GRAVITY, POPULATION_UNIT, PRIORITY_PAIRS, WORTH_SIGNING_SHOWN
from cities.flow_import import FLOW_COLUMNS
from cities.models import Agreement
from cities.surge import EARTH_RADIUS_KM, GRAVITY_EXPONENT, MIN_DISTANCE_KM


def method_numbers() -> dict[str, Any]:
    """The method's numbers as the methodology annex prints them."""
    return {
        "exponent": GRAVITY_EXPONENT,
        "population_unit": f"{POPULATION_UNIT:,}",
        "population_unit_name": dual_space_panels.population_unit_text(),
        "earth_radius": EARTH_RADIUS_KM,
        "min_distance": f"{MIN_DISTANCE_KM:g}",
        "priority_pairs": PRIORITY_PAIRS,
        "worth_signing": WORTH_SIGNING_SHOWN,
        "flow_columns": ", ".join(FLOW_COLUMNS),
        "domain_count": len(Agreement.Domain.choices),
    }


def dual_space_content(view: RegionView, city_code: str | None) -> dict[str, Any]:
    """The dual-space chapter of a city report (``city_code``) or of a regional report (None); no panel without data."""
    nothing = {"dual_space": {"panel": None, "method": method_numbers()}}
    space = dual_space_panels.view_dual_space(view)
    if space is None:
        return nothing
    if city_code is None:
        found = dual_space_panels.region_dual_space_panels(view)
        height = 480
    else:
        found = dual_space_panels.city_dual_space_panels(view, city_code)
        height = max(280, 26 * len(found[0].rows) + 110) if found else 0
    if not found:
        return nothing
    panel = found[0]
    return {
        "dual_space": {
            "kind": "region" if city_code is None else "city",
            "panel": panel,
            "svg": _svg(panel, PAGE_WIDTH, height),
            "gravity": space.source == GRAVITY,
            "unit": space.unit,
            "is_demo": space.is_demo,
            "on": space.on,
            "domains": len(space.domains),
            "priority_count": len(space.priority(PRIORITY_PAIRS)),
            "method": method_numbers(),
        }
    }
