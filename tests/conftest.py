import fcntl
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.roles import Role
from tests.factories import UserFactory
from tests.worlds import SHARED_WORLDS, in_shared_world

PASSWORD = "test-password-123"
# The load tests' one-line results (tests/load/conftest.py records them as "load result"), printed at the end.
LOAD_RESULTS: list[str] = []


@pytest.fixture
def reference_data(request, db):
    """The shipped reference cities and regions (fixtures/*.csv), loaded as setup loads them."""
    if not in_shared_world(request):  # every shared world loaded them already
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def default_framework(request, db):
    """DSMF 1.0 loaded and published from fixtures/frameworks/, as setup loads it."""
    from assessment.models import Framework

    if not in_shared_world(request):  # every shared world loaded it already
        call_command("load_frameworks", verbosity=0)
    return Framework.objects.get(code="DSMF", version="1.0")


@pytest.fixture
def user_with_role(db):
    def make(role: str, **kwargs):
        return UserFactory(roles=[role], **kwargs)

    return make


@pytest.fixture
def role_clients(db, client_factory):
    clients = {}
    for role in Role.values:
        is_admin = role == Role.ADMINISTRATOR
        user = UserFactory(username=f"{role}-user", roles=[role], is_staff=is_admin, is_superuser=is_admin)
        clients[role] = client_factory(user)
    return clients


@pytest.fixture
def client_factory():
    from django.test import Client

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def english_messages(request):
    """Service and command messages are asserted against their English msgids.

    Pages still follow the language middleware (Chinese unless the language
    cookie says otherwise); tests marked `chinese` keep the default language.
    """
    from django.utils import translation

    if request.node.get_closest_marker("chinese"):
        yield
        return
    with translation.override("en"):
        yield


# A test with any of these reaches the test database, and so the database cache (config/services.py).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Pages cached under the version of published results must not leak between tests.

    The cache is a table of the test database (as in a deployment without Redis): a test
    that never opens the database has nothing cached to clear, and may not open it.
    """
    if not (request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames)):
        yield
        return
    from django.core.cache import cache

    # An autouse fixture is set up before the test's own `db` (reached through a fixture such as
    # reference_data) and torn down after it: the table is emptied outside the test's transaction.
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        cache.clear()
    yield
    with blocker.unblock():
        cache.clear()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each module, the tests of a shared data set run last (a stable sort: modules keep their order)."""
    first_of_module: dict[object, int] = {}
    for index, item in enumerate(items):
        first_of_module.setdefault(item.path, index)
    items.sort(key=lambda item: (first_of_module[item.path], any(name in item.fixturenames for name in SHARED_WORLDS)))


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Benchmarks measure speed: they run alone in this process (`make bench`), not beside another xdist worker."""
    expression = config.getoption("markexpr") or ""
    if "benchmark" in expression and "not benchmark" not in expression:
        config.option.numprocesses = 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect the load tests' results; under xdist the reports reach the main process with them."""
    if report.when == "teardown":
        LOAD_RESULTS.extend(value for name, value in report.user_properties if name == "load result")


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The load tests' results at the end of the run, with or without -s, so the CI log shows them (.ci/run)."""
    if LOAD_RESULTS:
        terminalreporter.section("load and fault tests")
        for line in LOAD_RESULTS:
            terminalreporter.write_line(line)


# The workbook upload view keeps uploads in BASE_DIR/var/workbook-uploads, one folder for every xdist
# worker, and test_uploads checks that a refused upload leaves no file there: the modules that post
# workbooks take turns (an exclusive lock per test), so no other worker's upload lands in that check.
WORKBOOK_UPLOAD_MODULES = {
    "integration/test_audit_events.py",
    "integration/test_workbook.py",
    "integration/test_workbook_derived.py",
    "security/test_numbers.py",
    "security/test_uploads.py",
    "security/test_workbook_limits.py",
}


@pytest.fixture(autouse=True)
def workbook_uploads_in_turn(request):
    """Hold the workbook-upload folder's lock for the tests of WORKBOOK_UPLOAD_MODULES."""
    if "/".join(request.node.path.parts[-2:]) not in WORKBOOK_UPLOAD_MODULES:
        yield
        return
    from django.conf import settings

    lock = Path(settings.BASE_DIR) / "var" / "workbook-uploads.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield
