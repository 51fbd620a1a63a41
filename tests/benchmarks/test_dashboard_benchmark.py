"""Server time of the YRD region dashboard as a ratio to a trivial signed-in page (issue 7); on demand only.

    .venv/bin/python -m pytest -m benchmark tests/benchmarks/test_dashboard_benchmark.py -s

Both pages are requested alternately in one run through Django's test
client (the full middleware stack, SQLite), so the machine's speed cancels
out of the ratio. The what-if answer for 41 cities is timed too. The limits
are asserted only when the benchmark marker is selected explicitly.
"""

import statistics
import time

import pytest
from django.core.cache import cache

from accounts.roles import Role
from cities.models import City
from tests.factories import UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ROUNDS = 40


def _median_ms(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


@pytest.fixture
def figures(demo_results, client_factory):
    user = UserFactory(roles=[Role.CITY_MANAGER])
    City.objects.get(code="310000").managers.add(user)
    client = client_factory(user)
    dashboard, trivial, what_if = "/dashboards/regions/YRD/", "/", "/dashboards/regions/YRD/what-if.json"
    cache.clear()
    started = time.perf_counter()
    assert client.get(dashboard).status_code == 200
    cold = time.perf_counter() - started
    timings: dict[str, list[float]] = {"dashboard": [], "trivial": [], "what_if": []}
    for round_ in range(ROUNDS):
        for name, url in (("dashboard", dashboard), ("trivial", trivial)):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            timings[name].append(time.perf_counter() - started)
        weight = 0.5 + (round_ % 20) / 10  # a new scenario each time, as a slider drag
        started = time.perf_counter()
        assert client.get(f"{what_if}?w.XB={weight:g}").status_code == 200
        timings["what_if"].append(time.perf_counter() - started)
    result = {name: _median_ms(values) for name, values in timings.items()}
    result["cold"] = cold * 1000
    result["ratio"] = result["dashboard"] / result["trivial"]
    print(
        "\nYRD dashboard {dashboard:.1f} ms, trivial page {trivial:.1f} ms, ratio {ratio:.2f}x; "
        "first request after publishing {cold:.0f} ms; what-if for 41 cities {what_if:.1f} ms".format(**result)
    )
    return result


def test_the_region_dashboard_stays_within_3x_of_a_trivial_page(figures):
    assert figures["ratio"] < 3.0


def test_a_what_if_answer_for_41_cities_takes_under_300_ms(figures):
    assert figures["what_if"] < 300
