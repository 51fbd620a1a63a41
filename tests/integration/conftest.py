"""Fixtures the integration modules share: the G60 demo published once per module, and who reads it."""

import pytest

from accounts.roles import Role
from tests.factories import UserFactory
from tests.worlds import load_g60_demo, shared_world


@pytest.fixture(scope="module")
def g60_world(django_db_setup, django_db_blocker):
    """The G60 demo (2024 and 2025, published) built once for the module and rolled back at its end."""
    with shared_world(django_db_blocker, load_g60_demo) as framework:
        yield framework


@pytest.fixture
def g60_demo(g60_world, db):
    """The module's published G60 demo, each test in its own savepoint; the version of its 2025 results."""
    return g60_world


@pytest.fixture
def english_pages(settings):
    """Pages default to English for the modules that read English messages; the language cookie still switches."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def manager(client_factory, reference_data):
    """A client signed in as the city manager of Shanghai (310000)."""
    from cities.models import City

    user = UserFactory(roles=[Role.CITY_MANAGER])
    City.objects.get(code="310000").managers.add(user)
    return client_factory(user)
