"""Speed and memory limits of the scoring engine (issue 4); on demand only.

    .venv/bin/python -m pytest -m benchmark tests/benchmarks

The limits are asserted only when the benchmark marker is selected
explicitly; any other run skips them, so wall-clock times never fail the
ordinary suite.
"""

import pytest

from tests.benchmarks.scoring_benchmark import measure_speed

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def figures():
    return measure_speed()


def test_scoring_1000_units_by_200_indicators_takes_under_50_ms(figures):
    assert figures.score_seconds < 0.05


def test_scoring_stays_within_3x_of_bare_numpy(figures):
    assert figures.max_difference < 1e-9
    assert figures.ratio < 3.0


def test_monte_carlo_of_1000_weight_runs_takes_under_5_s(figures):
    assert figures.monte_carlo_seconds < 5.0


def test_monte_carlo_peak_memory_stays_under_1_gib(figures):
    assert figures.peak_rss_mib < 1024
