"""The region network page opens on the cities × service domains matrix; the graph shows one domain at a time."""

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from cities.models import Agreement, RegionMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_agreements(reference_data):
    call_command("load_agreements", verbosity=0)


@pytest.fixture
def reader(client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = "en"
    return client


def page_of(client, code: str, query: str = "") -> str:
    response = client.get(reverse("cities:region_network", args=[code]) + query)
    assert response.status_code == 200
    return response.content.decode()


def matrix_rows(page: str) -> dict[str, dict[str, str]]:
    table = page.split('data-testid="domain-matrix"')[1].split("</table>")[0]
    rows = {}
    for code, body in re.findall(r'<tr data-city="(\d{6})">(.*?)</tr>', table, re.S):
        rows[code] = dict(re.findall(r'data-domain="([a-z_]+)">([^<]*)</td>', body))
        rows[code]["total"] = re.search(r'data-testid="city-total">([^<]*)<', body).group(1)
    return rows


def test_the_yrd_page_opens_on_the_domain_matrix_without_the_hairball(demo_agreements, reader):
    page = page_of(reader, "YRD")
    rows = matrix_rows(page)
    assert set(rows) == set(RegionMembership.objects.filter(region_id="YRD").values_list("city_id", flat=True))
    assert len(rows) == 41
    # The matrix view is plain tables: no graph, no Plotly.
    assert 'data-testid="network-chart"' not in page and "plotly" not in page.split("</head>")[1]
    # A cell: the agreements binding the city in the domain / its partners through them.
    transport = Agreement.objects.filter(domain=Agreement.Domain.TRANSPORT, status=Agreement.Status.IN_FORCE)
    shanghai = [a for a in transport if a.party_links.filter(city_id="310000").exists()]
    assert shanghai, "the shipped agreements bind Shanghai in transport"
    agreements, partners = (int(part) for part in rows["310000"]["transport"].split(" / "))
    assert agreements == len(shanghai) and partners >= 1
    assert rows["310000"]["total"].endswith("/ 40")  # the delta-wide agreements bind every member


def test_namesakes_are_told_apart_in_the_network_tables(demo_agreements, reader):
    page = page_of(reader, "YRD")
    for name in ("Suzhou (Jiangsu)", "Suzhou (Anhui)", "Taizhou (Jiangsu)", "Taizhou (Zhejiang)"):
        assert f">{name}</a></th>" in page, name  # the matrix rows
    measures = page.split('data-testid="degree-table"')[1].split('id="surge"')[0]  # partners, islands, components
    assert "Suzhou (Anhui)" in measures and "Taizhou (Zhejiang)" in measures


def test_the_graph_shows_one_domain_and_opens_on_the_busiest(demo_agreements, reader):
    matrix = page_of(reader, "YRD")
    graph_link = re.search(r'href="\?([^"]+)" data-testid="view-graph"', matrix).group(1).replace("&amp;", "&")
    assert "view=graph" in graph_link and re.search(r"domain=[a-z_]+", graph_link)
    page = page_of(reader, "YRD", "?view=graph&domain=transport")
    figure = json.loads(
        re.search(r'<script id="network-figure" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    edge_traces = {trace["name"] for trace in figure["data"][:-1]}
    assert edge_traces == {str(Agreement.Domain.TRANSPORT.label)}
    # Every other domain with agreements is one click away, and the filters stay.
    choices = page.split('data-testid="graph-domains"')[1].split("</nav>")[0]
    assert "domain=talent" in choices and "view=graph" in choices and "status=in_force" in choices


def test_the_filters_still_narrow_both_views(demo_agreements, reader):
    rows = matrix_rows(page_of(reader, "G60", "?domain=talent&mode=mutual_recognition"))
    assert all(set(cells) == {"talent", "total"} for cells in rows.values())
    assert rows["341800"]["talent"] == "·"  # Xuancheng: no talent agreement (an island of that network)
    page = page_of(reader, "G60", "?view=graph&status=signed")  # no G60 agreement is merely signed
    assert re.search(r'data-testid="domain-coverage">[^<]*[(（]0\.0%[)）]', page)
    assert "No agreement is counted with these filters." in page


def test_pairs_bound_are_counted_only_for_one_domain(demo_agreements, reader):
    """Every pair bound by something reads 100 % under a region-wide agreement: the count shows per domain only."""
    every_domain = page_of(reader, "YRD")
    assert 'data-testid="domain-pairs"' not in every_domain and "Connected pairs" not in every_domain
    one_domain = page_of(reader, "YRD", "?domain=health_code_identity")
    bound, possible = re.search(r'data-testid="domain-pairs">(\d+) / (\d+)<', one_domain).groups()
    members = RegionMembership.objects.filter(region_id="YRD").count()
    assert int(possible) == members * (members - 1) // 2 and int(bound) < int(possible)
