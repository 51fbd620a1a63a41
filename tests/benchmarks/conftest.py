"""Benchmarks run only when asked for (`-m benchmark`, `make bench`).

Wall-clock limits never fail the ordinary suite.
"""

import pytest
from django.core.management import call_command


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture, so a skipped benchmark never loads its data or measures anything.
    expression = item.config.getoption("markexpr") or ""
    if "benchmark" not in expression or "not benchmark" in expression:
        pytest.skip("benchmarks run only with -m benchmark")


@pytest.fixture
def demo_results(db):
    """The reference data, the default framework and the demo assessments, as `make setup` loads them."""
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("load_demo", quiet=True)
