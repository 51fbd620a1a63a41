import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment.models import Response
from assessment.services.assessments import response_save
from assessment.services.framework import framework_import, framework_publish
from cities.models import Agreement, AgreementParty
from tests.assessment_builders import assessment_with_team
from tests.factories import CityFactory
from tests.framework_documents import node, valid_document

pytestmark = pytest.mark.django_db
RULE = {"source": "agreements", "domains": ["transport", "education"], "modes": []}


@pytest.fixture
def derived_assessment():
    document = valid_document()
    document["code"] = "DERIVED"
    node(document, "D2.1")["indicator"]["derived_from"] = RULE
    framework = framework_publish(framework=framework_import(document=document))
    return assessment_with_team(framework=framework, period=2025)


def agreement(key, domain, cities, *, status="in_force", expires_on=None, title_zh=None, title_en=None):
    item = Agreement.objects.create(
        key=key,
        title_zh=title_zh or key,
        title_en=title_en or key,
        domain=domain,
        mode="mutual_recognition",
        status=status,
        expires_on=expires_on,
    )
    for city in cities:
        AgreementParty.objects.create(agreement=item, city=city)
    return item


def save(assessment, value, **extra):
    response = assessment.responses.get(indicator__node__code="D2.1")
    return response_save(
        response=response,
        user=assessment.consultants.first(),
        values={"value": value, **extra},
        base_version=response.version,
    )


def test_the_derived_value_follows_in_force_agreements_only(derived_assessment):
    city = derived_assessment.city
    partner = CityFactory()
    agreement("bus", "transport", [city, partner])
    agreement("old-school", "education", [city, partner], expires_on=dt.date(2020, 1, 1))
    saved = save(derived_assessment, 1.0)
    assert saved.derived_value == 1.0 and saved.derived_agreements == ["bus"]
    agreement("school", "education", [city, partner])
    with pytest.raises(ValidationError) as raised:
        save(derived_assessment, 1.0)
    assert "derived_override_reason" in raised.value.message_dict
    assert save(derived_assessment, 2.0).derived_value == 2.0


def test_an_override_keeps_its_justification(derived_assessment):
    agreement("bus", "transport", [derived_assessment.city, CityFactory()])
    with pytest.raises(ValidationError):
        save(derived_assessment, 3.0)
    saved = save(derived_assessment, 3.0, derived_override_reason="Two more services run under a 2025 memorandum.")
    assert saved.value == 3.0 and saved.derived_value == 1.0
    assert Response.history.filter(id=saved.pk, derived_override_reason__startswith="Two more").exists()


def test_the_form_shows_the_proposal_and_can_use_it(derived_assessment, client_factory):
    agreement("bus", "transport", [derived_assessment.city, CityFactory()])
    client = client_factory(derived_assessment.consultants.first())
    page = client.get(reverse("assessment:dimension_form", args=[derived_assessment.pk, "D2"])).content.decode()
    assert 'data-testid="derived-D2.1"' in page and "bus" in page
    response = derived_assessment.responses.get(indicator__node__code="D2.1")
    prefix = f"r{response.pk}-"
    reply = client.post(
        reverse("assessment:response_save", args=[derived_assessment.pk, response.pk]),
        {prefix + "base_version": response.version, "use_derived": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert reply.status_code == 200 and reply.json()["reload"] is True
    response.refresh_from_db()
    assert response.value == 1.0


def test_the_proposal_names_its_agreements_by_title_in_the_page_language(derived_assessment, client_factory, settings):
    agreement(
        "g60-bus-pass",
        "transport",
        [derived_assessment.city, CityFactory()],
        title_zh="公交一卡通互认",
        title_en="Bus pass mutual recognition",
    )
    client = client_factory(derived_assessment.consultants.first())
    url = reverse("assessment:dimension_form", args=[derived_assessment.pk, "D2"])
    chinese = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    link = reverse("cities:agreement_detail", args=["g60-bus-pass"])
    assert f'<a href="{link}">公交一卡通互认</a>' in chinese
    assert f'<a href="{link}">Bus pass mutual recognition</a>' in english
    assert ">g60-bus-pass<" not in chinese + english
