import pytest
from django.core.management import call_command

from accounts.roles import Role
from tests.factories import UserFactory

PASSWORD = "test-password-123"


@pytest.fixture
def reference_data(db):
    """The shipped reference cities and regions (fixtures/*.csv), loaded as setup loads them."""
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def default_framework(db):
    """DSMF 1.0 loaded and published from fixtures/frameworks/, as setup loads it."""
    from assessment.models import Framework

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
