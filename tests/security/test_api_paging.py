"""The API's paginated lists answer a `limit` or `offset` out of range with 400 naming the parameter, never 500.

Found by the outside probe: ninja passes any integer on to the database, and
SQLite cannot hold a number past 2**63 - 1 (an offset of 10**20 was a 500).
"""

import pytest

from accounts.roles import Role

pytestmark = pytest.mark.django_db

# Every list endpoint that takes limit and offset (@paginate in assessment/api/endpoints.py).
PAGINATED = ["/api/v1/regions", "/api/v1/cities", "/api/v1/frameworks", "/api/v1/cities/{city}/results"]


@pytest.fixture
def api(world, as_role):
    client = as_role(Role.ADMINISTRATOR)
    client.cookies["django_language"] = "en"

    def get(path: str, **query):
        return client.get(path.format(city=world.city.code), query)

    return get


@pytest.mark.parametrize("path", PAGINATED)
@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("offset", 10**20),
        ("limit", 10**20),
        ("offset", 2**63),
        ("offset", 2**63 - 1),
        ("offset", -1),
        ("limit", -5),
        ("limit", 0),
        ("limit", 10**6),
        ("offset", 10**9),
        ("offset", "many"),
    ],
)
def test_a_limit_or_offset_out_of_range_is_a_400_naming_it(api, path, parameter, value):
    response = api(path, **{parameter: value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == f"Invalid parameter: {parameter}."
    assert [error["parameter"] for error in body["errors"]] == [parameter]


@pytest.mark.parametrize("path", PAGINATED)
def test_limits_in_range_still_page(api, path):
    response = api(path, limit=1, offset=0)
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) <= 1 and body["count"] >= len(body["items"])
    assert api(path, limit=1, offset=body["count"]).json()["items"] == []
