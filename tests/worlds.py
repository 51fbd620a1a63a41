"""Data sets that a module's tests share: built once, then read by every test of the module.

Loading the G60 demo takes seconds; loading it before each of a module's tests
was most of the suite's time. A module-scoped fixture builds its data set once
through ``shared_world`` (inside a transaction rolled back when the module
ends, as Django's TestCase.setUpClass does and tests/security/world.py does for
its package), and each test still runs in its own savepoint, so what a test
writes is gone before the next one starts.

Browser tests cannot share an open transaction with the live server's thread:
``committed_world`` commits the data set instead and empties the database when
the module ends, which is what the live server's per-test flush did anyway.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command

# The module-scoped fixtures that hold a shared data set; each loads the reference data and DSMF 1.0.
# A module's tests that use one run after its tests that do not (tests/conftest.py), so no test sees a
# data set it did not ask for: a shared world stays until its module ends.
SHARED_WORLDS = ("g60_world", "suzhou_world", "g60_committed_world")
G60 = ["310000", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100"]


def in_shared_world(request: Any) -> bool:
    """Whether the test (of this fixture request) reads one of the shared data sets."""
    return any(name in request.fixturenames for name in SHARED_WORLDS)


@contextmanager
def shared_world(django_db_blocker: Any, build: Callable[[], Any]) -> Iterator[Any]:
    """Build a data set inside a transaction that is rolled back when the block ends."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@contextmanager
def committed_world(django_db_blocker: Any, build: Callable[[], Any]) -> Iterator[Any]:
    """Build a data set committed for a live server's threads; the database is emptied when the block ends."""
    with django_db_blocker.unblock():
        try:
            yield build()
        finally:
            from django.db import connections

            for alias in connections:
                call_command("flush", database=alias, interactive=False, verbosity=0)


def load_reference_and_framework() -> Any:
    """The shipped reference cities and regions and DSMF 1.0, as `make setup` loads them; the framework."""
    from assessment.models import Framework

    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    return Framework.objects.get(code="DSMF", version="1.0")


def demo_framework_of(period: int) -> Any:
    """The framework version the demo published ``period`` under (assessment.demo.load.VERSION_BY_PERIOD)."""
    from assessment.demo.load import FRAMEWORK_CODE, VERSION_BY_PERIOD
    from assessment.models import Framework

    return Framework.objects.get(code=FRAMEWORK_CODE, version=VERSION_BY_PERIOD[period])


def load_g60_demo() -> Any:
    """The demo's 2024 and 2025 results of the nine G60 cities (and Shanghai's 2026), published; 2025's framework."""
    load_reference_and_framework()
    call_command("load_demo", cities=",".join(G60), quiet=True)
    return demo_framework_of(2025)


def load_g60_demo_and_accounts(password: str) -> Any:
    """One demo account per role (password), then the G60 demo (`make setup`'s order); 2025's framework."""
    from django.test import override_settings

    with override_settings(DEMO_PASSWORD=password):
        load_reference_and_framework()
        call_command("create_demo_accounts", verbosity=0)
        call_command("load_demo", cities=",".join(G60), quiet=True)
    return demo_framework_of(2025)
