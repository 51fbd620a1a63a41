"""Report rendering time and memory (issue 8); on demand only.

    .venv/bin/python -m pytest -m benchmark tests/benchmarks/test_report_benchmark.py -s

Times are for a warm worker (Chromium for the figures already started, as in
the long-lived db_worker); the first report of a process also pays about
2-3 s to start Chromium, reported separately.
"""

import os
import resource
import time
from pathlib import Path

import pytest

from assessment.reports.render import render_city_report, render_region_report
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]


def _descendants(pid: int) -> list[int]:
    """Every process started under ``pid`` (kaleido's Chromium and its helpers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _memory_mib(pids: list[int]) -> tuple[float, float]:
    """Sum of the processes' peak resident sets (VmHWM) and of their proportional sets (Pss) now.

    Chromium's processes share most of their pages, which every VmHWM counts
    in full: that sum over-counts. Pss divides each shared page among the
    processes that map it, so its sum is what they really hold together.
    """
    peak_kib = pss_kib = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kib += int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss_kib += int(line.split()[1])
        except OSError:
            continue
    return peak_kib / 1024, pss_kib / 1024


@pytest.fixture
def figures(demo_results):
    reader = UserFactory(is_superuser=True, is_staff=True)
    shanghai, yrd = City.objects.get(code="310000"), Region.objects.get(code="YRD")
    started = time.perf_counter()
    render_city_report(user=reader, city=shanghai, period=2025, language="zh-hans")
    first = time.perf_counter() - started
    # Three warm city reports (different cities, so nothing is reused), each timed.
    cities = []
    for code in ("330100", "320500", "341800"):
        started, cpu = time.perf_counter(), time.process_time()
        render_city_report(user=reader, city=City.objects.get(code=code), period=2025, language="zh-hans")
        cities.append((time.perf_counter() - started, time.process_time() - cpu))
    city = max(wall for wall, _ in cities)
    started = time.perf_counter()
    render_region_report(user=reader, region=yrd, period=2025, language="en")
    region = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chromium_peaks_mib, chromium_mib = _memory_mib(_descendants(os.getpid()))
    warm = "; ".join(f"{wall:.2f} s (CPU of this process {cpu:.2f} s)" for wall, cpu in cities)
    print(
        f"\nfirst city report {first:.1f} s; warm city reports {warm}; YRD regional report (41 cities) {region:.1f} s;"
        f" peak memory of the process {peak_mib:.0f} MiB;"
        f" kaleido's Chromium after the YRD report: {chromium_mib:.0f} MiB"
        f" (Pss; the sum of each process's peak, shared pages counted in each, is {chromium_peaks_mib:.0f} MiB)"
    )
    return {"city": city, "region": region, "peak_mib": peak_mib, "chromium_mib": chromium_mib}


def test_a_city_report_renders_in_under_3_s(figures):
    assert figures["city"] < 3.0


def test_a_41_city_regional_report_renders_in_under_30_s(figures):
    assert figures["region"] < 30.0


def test_peak_memory_stays_under_1_gib(figures):
    assert figures["peak_mib"] < 1024


def test_chromium_for_the_figures_stays_under_1_gib(figures):
    assert 0 < figures["chromium_mib"] < 1024
