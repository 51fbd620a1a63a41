"""The dual-space gap on the region and city dashboards: a figure with units, the table it shows, a caption."""

import json
import re

import pytest
from django.core.management import call_command

from accounts.roles import Role
from cities.dual_space import POPULATION_UNIT
from cities.flow_import import FLOW_COLUMNS, import_flows_file
from cities.models import RegionMembership
from cities.surge import GRAVITY_EXPONENT
from tests.factories import UserFactory

# g60_demo and english_pages: tests/integration/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def reader(client_factory, g60_demo):
    call_command("load_agreements", verbosity=0)
    return client_factory(UserFactory(roles=[Role.STAKEHOLDER]))


def figure_of(html: str, figure_id: str) -> dict:
    return json.loads(html.split(f'id="{figure_id}" type="application/json">')[1].split("</script>")[0])


def test_the_region_page_plots_pairs_by_flow_and_coverage_and_lists_the_priority_pairs(reader):
    html = reader.get("/dashboards/regions/G60/?period=2025").content.decode()
    assert 'data-panel="dual-space"' in html
    figure = figure_of(html, "figure-dual-space")
    layout = figure["layout"]
    assert f"({POPULATION_UNIT:,} people)² per km²" in layout["xaxis"]["title"]["text"]
    assert layout["yaxis"]["title"]["text"] == "Digital coverage (percent of service domains)"
    points = sum(len(trace["x"]) for trace in figure["data"])
    assert points == 36  # every pair of the nine cities
    labelled = [text for trace in figure["data"] for text in trace["text"] if text]
    assert sorted(labelled, key=int) == [str(n) for n in range(1, len(labelled) + 1)]
    table = html.split('data-testid="dual-space-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>", table)
    assert labelled and len(rows) == len(labelled)
    assert "Domains worth signing" in table
    caption = html.split('data-caption="dual-space">')[1].split("</p>")[0]
    assert "gravity model" in caption and "observers do not count" in caption
    assert f"(in units of {POPULATION_UNIT:,} people)" in caption and f"power {GRAVITY_EXPONENT}." in caption
    assert "imported flows" not in caption
    download = reader.get("/dashboards/regions/G60/data/dual-space.csv?period=2025")
    assert download.status_code == 200 and "City A" in download.content.decode("utf-8-sig")


def test_the_city_page_shows_its_partners_by_flow_and_names_the_weakest_strong_pair(reader):
    html = reader.get("/dashboards/cities/310000/?region=G60&period=2025").content.decode()
    assert 'data-panel="dual-space-partners"' in html
    figure = figure_of(html, "figure-dual-space-partners")
    assert len(figure["data"][0]["y"]) == 8
    assert figure["layout"]["xaxis"]["title"]["text"] == "Digital coverage (percent of service domains)"
    caption = html.split('data-caption="dual-space-partners">')[1].split("</p>")[0]
    assert "Weakest strong pair: Shanghai – " in caption
    # Suzhou, the nearest big city, is Shanghai's strongest partner: first bar.
    assert figure["data"][0]["y"][0] == "Suzhou"
    download = reader.get("/dashboards/cities/310000/data/dual-space-partners.csv?region=G60&period=2025")
    assert download.status_code == 200


def import_flows(tmp_path, lines: list[str]) -> None:
    path = tmp_path / "flows.csv"
    path.write_text("\n".join([",".join(FLOW_COLUMNS) + ",is_demo", *lines]) + "\n", encoding="utf-8")
    import_flows_file(path)


def region_caption(reader) -> str:
    html = reader.get("/dashboards/regions/G60/?period=2025").content.decode()
    return html.split('data-caption="dual-space">')[1].split("</p>")[0]


def test_demo_flows_are_marked_and_flows_that_miss_a_pair_are_said_to(reader, tmp_path):
    codes = sorted(RegionMembership.objects.filter(region_id="G60").values_list("city_id", flat=True))
    pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]]
    import_flows(tmp_path, [f"{pairs[0][0]},{pairs[0][1]},2024,commuting,10,people per day,,true"])
    caption = region_caption(reader)
    assert "The imported flows of 2024 list 1 of the 36 pairs of member cities, not every pair" in caption
    assert "gravity model" in caption and "demonstration data" not in caption
    import_flows(tmp_path, [f"{a},{b},2024,commuting,{n + 1},people per day,,true" for n, (a, b) in enumerate(pairs)])
    caption = region_caption(reader)
    assert (
        "The imported flows are demonstration data" in caption and "imported measurements (people per day)" in caption
    )
