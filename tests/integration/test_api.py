"""The read API at /api/v1/: reference data, results, permissions, errors, query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from assessment.services import assessments as workflow
from assessment.services.framework import framework_import
from tests.assessment_builders import (
    answer_everything,
    assessment_with_team,
    published_test_framework,
)
from tests.factories import (
    CityFactory,
    ProvinceFactory,
    RegionFactory,
    RegionMembershipFactory,
    UserFactory,
)
from tests.framework_documents import valid_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(settings):
    """These tests read English messages; the language cookie still switches."""
    settings.LANGUAGE_CODE = "en"


# (level of the level indicator, share of the range of the others): index falls down the list.
ANSWERS = [(5, 0.9), (4, 0.8), (3, 0.6), (2, 0.4), (1, 0.2), (1, 0.1)]


def publish(city, *, level, share, period=2025, framework=None):
    assessment = assessment_with_team(city=city, period=period, framework=framework or published_test_framework())
    answer_everything(assessment, level=level, share=share)
    workflow.assessment_submit(assessment=assessment, user=assessment.consultants.first())
    workflow.assessment_approve(assessment=assessment, user=assessment.reviewer)
    return workflow.assessment_publish(assessment=assessment, user=assessment.reviewer)


@pytest.fixture
def shanghai():
    province = ProvinceFactory(code="310000", name_zh="上海市", name_en="Shanghai")
    return CityFactory(code="310000", name_zh="上海", name_en="Shanghai", province=province, level="municipality")


@pytest.fixture
def regions(shanghai):
    """LARGE: Shanghai + 5 cities, all published for 2025 (Shanghai first); SMALL: 3 of them."""
    cities = [shanghai] + [CityFactory() for _ in range(5)]
    large, small = RegionFactory(code="LARGE"), RegionFactory(code="SMALL")
    for position, city in enumerate(cities):
        RegionMembershipFactory(region=large, city=city)
        if position >= 3:
            RegionMembershipFactory(region=small, city=city)
    assessments = [
        publish(city, level=level, share=share) for city, (level, share) in zip(cities, ANSWERS, strict=True)
    ]
    return {"large": large, "small": small, "cities": cities, "assessments": assessments}


@pytest.fixture
def admin_client(client_factory):
    return client_factory(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True))


def results_url(region="LARGE", **params):
    query = {"period": 2025, "framework": "TEST", "mc": 50, **params}
    return f"/api/v1/regions/{region}/results?" + "&".join(f"{key}={value}" for key, value in query.items())


# Authentication and schema


def test_anonymous_requests_get_401_json_not_a_login_redirect(client, regions):
    for url in ["/api/v1/regions", "/api/v1/cities/310000", results_url()]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"] == "Sign in to use the API."
    client.cookies["django_language"] = "zh-hans"
    assert client.get("/api/v1/regions").json()["detail"] == "请先登录再使用 API。"


def test_the_openapi_schema_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "DualSpace API"
    assert {
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/cities",
        "/api/v1/cities/{code}",
        "/api/v1/frameworks",
        "/api/v1/regions/{code}/results",
        "/api/v1/cities/{code}/results",
    } <= set(schema["paths"])
    from openapi_spec_validator import validate

    validate(schema)  # raises on any departure from OpenAPI 3


# Reference data


def test_regions_are_paginated_with_member_counts(admin_client, regions):
    body = admin_client.get("/api/v1/regions?limit=1").json()
    assert body["count"] == 2
    assert body["items"] == [
        {
            "code": "LARGE",
            "name_zh": regions["large"].name_zh,
            "name_en": regions["large"].name_en,
            "kind": "custom",
            "member_count": 6,
        }
    ]
    second = admin_client.get("/api/v1/regions?limit=1&offset=1").json()
    assert second["items"][0]["code"] == "SMALL" and second["items"][0]["member_count"] == 3


def test_a_region_lists_its_members(admin_client, regions):
    body = admin_client.get("/api/v1/regions/SMALL").json()
    assert [member["code"] for member in body["members"]] == sorted(city.code for city in regions["cities"][3:])


def test_an_unknown_region_is_a_404_with_a_message(admin_client):
    for url in ["/api/v1/regions/NOPE", "/api/v1/cities?region=NOPE", results_url("NOPE")]:
        response = admin_client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "There is no region NOPE."}


def test_cities_filter_by_region_and_show_one_city(admin_client, regions, shanghai):
    body = admin_client.get("/api/v1/cities?region=SMALL").json()
    assert body["count"] == 3
    assert all(item["regions"] == ["LARGE", "SMALL"] for item in body["items"])
    city = admin_client.get("/api/v1/cities/310000").json()
    assert city["name_en"] == "Shanghai" and city["province_name_zh"] == "上海市" and city["regions"] == ["LARGE"]
    assert admin_client.get("/api/v1/cities/999999").json() == {"detail": "There is no city 999999."}


def test_drafts_of_frameworks_are_for_administrators_only(client_factory, admin_client):
    published_test_framework()
    framework_import(document=valid_document(), code="DRAFTY")
    stakeholder = client_factory(UserFactory(roles=[Role.STAKEHOLDER]))
    seen = {(item["code"], item["status"]) for item in stakeholder.get("/api/v1/frameworks").json()["items"]}
    assert seen == {("TEST", "published")}
    seen_by_admin = {item["code"] for item in admin_client.get("/api/v1/frameworks").json()["items"]}
    assert seen_by_admin == {"TEST", "DRAFTY"}


# Region results


def test_region_results_rank_every_city_with_an_interval_around_the_rank(admin_client, regions):
    response = admin_client.get(results_url())
    assert response.status_code == 200
    body = response.json()
    assert body["ranked_cities"] == 6 and body["framework_version"] == "1.0" and body["monte_carlo_runs"] == 50
    rows = body["rows"]
    assert [row["city_code"] for row in rows] == [city.code for city in regions["cities"]]
    assert [row["rank"] for row in rows] == [1, 2, 3, 4, 5, 6]
    for row in rows:
        assert {"ROOT", "D1", "D2"} <= set(row["scores"])
        assert row["index_score"] == row["scores"]["ROOT"]
        assert row["stage"] in {"S0", "S1"}
        interval = row["rank_interval"]
        assert interval["p05"] <= row["rank"] <= interval["p95"]
        assert interval["p05"] <= interval["median"] <= interval["p95"]


def test_a_seed_reproduces_the_intervals_and_mc_0_leaves_them_out(admin_client, regions):
    first = admin_client.get(results_url(seed=7)).json()["rows"]
    again = admin_client.get(results_url(seed=7)).json()["rows"]
    assert [row["rank_interval"] for row in first] == [row["rank_interval"] for row in again]
    without = admin_client.get(results_url(mc=0)).json()
    assert all(row["rank_interval"] is None for row in without["rows"]) and without["monte_carlo_runs"] == 0


@pytest.mark.parametrize("role", [Role.CITY_MANAGER, Role.STAKEHOLDER, Role.CONSULTANT, Role.REVIEWER])
def test_published_results_are_shared_with_every_signed_in_role(client_factory, regions, role):
    """A city manager compares their city with its region; publishing shares the results."""
    body = client_factory(UserFactory(roles=[role])).get(results_url(region="LARGE")).json()
    assert [row["rank"] for row in body["rows"]] == [1, 2, 3, 4, 5, 6]
    assert body["ranked_cities"] == 6


def test_unpublished_assessments_stay_out_of_the_results(client_factory, regions):
    draft_city = CityFactory()
    RegionMembershipFactory(region=regions["large"], city=draft_city)
    draft = assessment_with_team(city=draft_city, period=2025)
    answer_everything(draft, level=5, share=1.0)
    body = client_factory(draft.consultants.first()).get(results_url()).json()
    assert draft_city.code not in [row["city_code"] for row in body["rows"]]
    assert body["ranked_cities"] == 6


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"period": "abc"}, "period"),
        ({"period": 1999}, "period"),
        ({"period": 2101}, "period"),
        ({"mc": -1}, "mc"),
        ({"mc": 2001}, "mc"),
        ({"kind": "other"}, "kind"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(admin_client, regions, params, parameter):
    response = admin_client.get(results_url(**params))
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == f"Invalid parameter: {parameter}."
    assert [error["parameter"] for error in body["errors"]] == [parameter]


def test_a_missing_period_is_refused(admin_client, regions):
    response = admin_client.get("/api/v1/regions/LARGE/results?framework=TEST")
    assert response.status_code == 400 and response.json()["detail"] == "Invalid parameter: period."


def test_an_unknown_framework_version_is_a_404(admin_client, regions):
    response = admin_client.get(results_url(version="9.9"))
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no published framework TEST 9.9."}


def test_region_results_take_as_many_queries_for_six_cities_as_for_three(admin_client, regions):
    # Warms the framework tree cache, the session and both regions' rank intervals (a cache miss
    # reads the answers' confidence and grade for the rater model: one query, whatever the size).
    admin_client.get(results_url("SMALL"))
    admin_client.get(results_url("LARGE"))
    counts = {}
    for region in ("SMALL", "LARGE"):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(results_url(region))
        assert response.status_code == 200 and len(response.json()["rows"]) == (3 if region == "SMALL" else 6)
        counts[region] = len(queries)
    assert counts["SMALL"] == counts["LARGE"]


def test_a_correction_in_progress_keeps_the_published_result_and_a_published_one_replaces_it(admin_client, regions):
    original = regions["assessments"][0]
    before = admin_client.get(results_url(mc=0)).json()["rows"][0]
    revision = workflow.assessment_revise(assessment=original, user=original.reviewer)
    assert admin_client.get(results_url(mc=0)).json()["rows"][0] == before
    answer_everything(revision, level=0, share=0.0)
    workflow.assessment_submit(assessment=revision, user=revision.consultants.first())
    workflow.assessment_approve(assessment=revision, user=revision.reviewer)
    workflow.assessment_publish(assessment=revision, user=revision.reviewer)
    rows = admin_client.get(results_url(mc=0)).json()["rows"]
    assert len(rows) == 6
    assert rows[-1]["city_code"] == "310000" and rows[-1]["rank"] == 6


# One city over time


def test_a_city_results_over_time_are_its_published_results_oldest_first(client_factory, regions, shanghai):
    publish(shanghai, level=2, share=0.5, period=2024)
    unpublished = assessment_with_team(city=shanghai, period=2026)
    manager = UserFactory(roles=[Role.CITY_MANAGER])
    shanghai.managers.add(manager)
    body = client_factory(manager).get("/api/v1/cities/310000/results").json()
    assert body["count"] == 2
    assert [item["period"] for item in body["items"]] == [2024, 2025]
    assert all(
        item["framework_code"] == "TEST" and set(item["scores"]) == {"ROOT", "D1", "D2"} for item in body["items"]
    )
    assert unpublished.period not in [item["period"] for item in body["items"]]
    stakeholder = UserFactory(roles=[Role.STAKEHOLDER])
    assert client_factory(stakeholder).get("/api/v1/cities/310000/results").json()["count"] == 2
