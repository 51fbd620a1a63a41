"""Charts that cannot mislead (issue 18): every axis titled, the plane's threshold and names, movers that moved.

Over the G60 demo (2024 and 2025 published), through the panels the region
and city dashboards and the reports draw.
"""

from typing import Any

import pytest

from accounts.roles import Role
from assessment.dashboards import frames, panels
from assessment.dashboards.filters import Filters
from assessment.models import Assessment, AssessmentResult
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def _view(period: int = 2025) -> tuple[Any, panels.RegionView]:
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    region = Region.objects.get(code="G60")
    framework = g60_framework()
    filters = Filters(region, framework, Assessment.Kind.CONSULTANT, [2025, 2024], period, [framework], {}, [])
    return user, panels.region_view(user, region, filters)


def g60_framework() -> Any:
    return Assessment.objects.filter(result__isnull=False).select_related("framework").first().framework


def _cartesian_axes(figure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every x/y axis the figure's traces draw on, with its layout (polar and shapes-only figures have none)."""
    layout = figure["layout"]
    used: set[str] = set()
    for trace in figure["data"]:
        if trace.get("type", "scatter") in {"scatterpolar", "barpolar"}:
            continue
        for letter in ("x", "y"):
            anchor = trace.get(f"{letter}axis", letter)
            used.add(f"{letter}axis{anchor[1:]}")
    return {name: layout.get(name, {}) for name in used}


def test_every_cartesian_axis_of_the_region_and_city_panels_has_a_title(g60_demo):
    user, view = _view()
    shown = panels.region_panels(user, view)
    shown += panels.city_panels(user, view, City.objects.get(code="310000"))[0]
    checked = 0
    for panel in shown:
        if panel.figure is None:
            continue
        for name, axis in _cartesian_axes(panel.figure).items():
            title = (axis.get("title") or {}).get("text", "")
            assert title.strip(), f"{panel.slug}: {name} has no title"
            checked += 1
    assert checked >= 12


def test_the_plane_draws_the_stage_threshold_and_names_every_city_of_a_small_region(g60_demo):
    _user, view = _view()
    plane = panels._plane_panel(view, {code: code for code in view.scores.index})
    figure = plane.figure
    threshold = float(g60_framework().stage_threshold)
    lines = [shape for shape in figure["layout"]["shapes"] if shape.get("legendgroup") == "threshold"]
    # In-city: a vertical line at the threshold; cross-boundary: a horizontal one.
    assert {(line["x0"], line["x1"]) for line in lines if line["x0"] == line["x1"]} == {(threshold, threshold)}
    assert {(line["y0"], line["y1"]) for line in lines if line["y0"] == line["y1"]} == {(threshold, threshold)}
    labels = " ".join(annotation["text"] for annotation in figure["layout"]["annotations"])
    assert "S1–S3" in labels and "S4" in labels
    cities = figure["data"][0]
    assert all(cities["text"]) and len(cities["text"]) == 9
    assert all(stage for _code, stage in cities["customdata"])
    assert "median" in plane.caption and "threshold" in plane.caption
    # Axis titles carry the unit.
    assert "0–100" in figure["layout"]["xaxis"]["title"]["text"]
    # No quadrant calls a city a starter for being below a median.
    assert "Starting out" not in str(figure) and "Starting out" not in str(plane.rows)


def test_the_city_dashboard_plane_is_the_region_s_with_the_city_highlighted(g60_demo):
    user, view = _view()
    panel = next(p for p in panels.city_panels(user, view, City.objects.get(code="310000"))[0] if p.slug == "plane")
    cities = panel.figure["data"][0]
    position = [code for code, _stage in cities["customdata"]].index("310000")
    assert cities["marker"]["symbol"][position] == "diamond"
    assert cities["text"][position]


def test_the_movers_never_list_an_unchanged_city(g60_demo):
    user, view = _view()
    movers = panels._movers_panel(user, view, {code: code for code in view.scores.index})
    assert movers is not None
    for row in movers.rows:
        assert float(row[4]) != 0.0, row


def test_a_region_where_nothing_moved_says_so_in_words(g60_demo):
    user, view = _view()
    # Republish 2024's index as 2025's: nothing moved.
    before = {
        result.assessment.city_id: result.scores
        for result in AssessmentResult.objects.filter(assessment__period=2024).select_related("assessment")
    }
    for result in AssessmentResult.objects.filter(assessment__period=2025).select_related("assessment"):
        if result.assessment.city_id in before:
            scores = before[result.assessment.city_id]
            AssessmentResult.objects.filter(pk=result.pk).update(
                scores=scores, index_score=scores.get(view.structure.index)
            )
    user, view = _view()
    movers = panels._movers_panel(user, view, {code: code for code in view.scores.index})
    assert movers is not None
    assert movers.figure is None
    assert movers.rows == []
    assert movers.caption.startswith("No city rose or fell between 2024 and 2025.")


def test_the_movers_figure_shows_changes_at_the_table_s_precision(g60_demo):
    user, view = _view()
    movers = panels._movers_panel(user, view, {code: code for code in view.scores.index})
    if movers.figure is not None:
        values = movers.figure["data"][0]["x"]
        assert all(round(value, frames.MOVE_DIGITS) == value for value in values)
        assert movers.figure["layout"]["xaxis"]["title"]["text"] == "Change (points)"


def test_a_chart_drawn_alone_is_the_chart_the_page_draws(g60_demo):
    """A download or the what-if answer draws only the charts it returns, and each is the page's own."""
    user, view = _view(2025)
    page = {panel.slug: panel for panel in panels.region_panels(user, view)}
    assert list(page) == [slug for slug in panels.REGION_PANELS if slug in page]
    assert {"ranking", "heatmap", "map", "stages", "movers"} <= set(page)
    for slug in page:
        alone = panels.region_panels(user, view, only=(slug,))
        assert [panel.slug for panel in alone] == [slug]
        assert alone[0] == page[slug]
    assert panels.region_panels(user, view, only=()) == []
