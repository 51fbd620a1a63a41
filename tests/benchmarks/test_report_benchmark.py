"""Report rendering time and memory (issue 8); on demand only.

    .venv/bin/python -m pytest -m benchmark tests/benchmarks/test_report_benchmark.py -s

Times are for a warm worker (Chromium for the figures already started, as in
the long-lived db_worker); the first report of a process also pays about
2-3 s to start Chromium, reported separately.
"""

import resource
import time

import pytest
from django.core.management import call_command

from assessment.reports.render import render_city_report, render_region_report
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


@pytest.fixture
def figures(request):
    expression = request.config.getoption("markexpr") or ""
    if "benchmark" not in expression or "not benchmark" in expression:
        pytest.skip("benchmarks run only with -m benchmark")
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("load_demo", quiet=True)
    reader = UserFactory(is_superuser=True, is_staff=True)
    shanghai, yrd = City.objects.get(code="310000"), Region.objects.get(code="YRD")
    started = time.perf_counter()
    render_city_report(user=reader, city=shanghai, period=2025, language="zh-hans")
    first = time.perf_counter() - started
    started = time.perf_counter()
    render_city_report(user=reader, city=City.objects.get(code="330100"), period=2025, language="zh-hans")
    city = time.perf_counter() - started
    started = time.perf_counter()
    render_region_report(user=reader, region=yrd, period=2025, language="en")
    region = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nfirst city report {first:.1f} s; warm city report {city:.1f} s; YRD regional report (41 cities) {region:.1f} s; peak memory of the process {peak_mib:.0f} MiB")
    return {"city": city, "region": region, "peak_mib": peak_mib}


def test_a_city_report_renders_in_under_3_s(figures):
    assert figures["city"] < 3.0


def test_a_41_city_regional_report_renders_in_under_30_s(figures):
    assert figures["region"] < 30.0


def test_peak_memory_stays_under_1_gib(figures):
    assert figures["peak_mib"] < 1024
