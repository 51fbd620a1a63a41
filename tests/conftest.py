import pytest
from django.core.management import call_command

from accounts.roles import Role
from tests.factories import UserFactory

PASSWORD = "test-password-123"


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


@pytest.fixture(autouse=True)
def empty_cache():
    """Pages cached under the version of published results must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Module-scoped data sets (tests/worlds.py) stay until their module ends: within a module, the tests
# that use one run after the tests that do not, so no test sees a data set it did not ask for.
SHARED_WORLDS = ("g60_world", "suzhou_world", "g60_committed_world", "yrd_committed_world")


def in_shared_world(request: pytest.FixtureRequest) -> bool:
    """Whether the test reads one of the shared data sets."""
    return any(name in request.fixturenames for name in SHARED_WORLDS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within each module, the tests of a shared data set run last (a stable sort: modules keep their order)."""
    first_of_module: dict[object, int] = {}
    for index, item in enumerate(items):
        first_of_module.setdefault(item.path, index)
    items.sort(key=lambda item: (first_of_module[item.path], any(name in item.fixturenames for name in SHARED_WORLDS)))
