"""No region reads a meaningless 100 %: the network page shows the pair × domain coverage instead of the density."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(reference_data, client_factory, user_with_role):
    call_command("load_agreements", verbosity=0)
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("region", ["YRD", "G60", "JJJ"])
def test_the_network_page_shows_domain_coverage_below_100_percent_and_no_density(reader, region):
    for view in ("matrix", "graph"):
        page = reader.get(reverse("cities:region_network", args=[region]) + f"?view={view}").content.decode()
        assert 'data-testid="density"' not in page and '<th scope="row">Density' not in page
        found = re.search(r'data-testid="domain-coverage">([\d.]+) of 16 \(([\d.]+)%\)', page)
        assert found, page.split('data-testid="network-measures"')[1][:800]
        mean, percent = float(found.group(1)), float(found.group(2))
        # Region-wide agreements bind every pair, in a few domains only.
        assert 0 < percent < 100 and 0 < mean < 16
        assert 'data-testid="domain-distribution"' in page
    # The graph view draws the distribution, its axes named with their units.
    figure = page.split('id="breadth-figure" type="application/json">')[1].split("</script>")[0]
    assert "Service domains shared (of 16)" in figure and "Pairs of cities" in figure


def test_a_domain_filter_does_not_cap_the_coverage_at_one_domain(reader):
    url = reverse("cities:region_network", args=["YRD"])
    unfiltered = re.search(
        r"\(([\d.]+)%\)", reader.get(url).content.decode().split('data-testid="domain-coverage">')[1]
    )
    filtered = re.search(
        r"\(([\d.]+)%\)",
        reader.get(url + "?domain=transport").content.decode().split('data-testid="domain-coverage">')[1],
    )
    assert unfiltered.group(1) == filtered.group(1)
