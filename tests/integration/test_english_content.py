"""English pages and reports say everything in English (issue 16).

Chinese may appear in an English report only where it is meant to stand
beside the English: the product's name 双空间 on the cover, the city's and
region's Chinese names beside their English ones, and the Chinese terms the
framework's own English text quotes in brackets (its indicator names and
methodology). Units, list separators, sources, the admin and the API's
messages are translated.
"""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from assessment.models import Framework, FrameworkNode, Indicator
from assessment.reports import city_content
from assessment.reports.render import render_city_report
from cities.models import City, Region
from cities.templatetags.lists import join_list

pytestmark = pytest.mark.django_db

# Han characters and CJK punctuation (、，（）：…).
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium")


def chinese_units(framework: Framework) -> list[str]:
    units = Indicator.objects.filter(node__framework=framework).values_list("unit_zh", flat=True)
    return sorted({unit for unit in units if CJK.search(unit)}, key=len, reverse=True)


def quoted_chinese(framework: Framework) -> set[str]:
    """The Chinese runs the framework's English text quotes: names, methodology."""
    texts = [framework.name_en, framework.methodology_en]
    texts += FrameworkNode.objects.filter(framework=framework).values_list("name_en", flat=True)
    return {run for text in texts for run in CJK.findall(text)}


@needs_chromium
def test_the_english_city_report_prints_english_units_and_chinese_only_beside_english(
    g60_demo, user_with_role, tmp_path
):
    framework = g60_demo
    city = City.objects.get(code="310000")
    reader = user_with_role(Role.STAKEHOLDER)
    out = tmp_path / "report.pdf"
    out.write_bytes(render_city_report(user=reader, city=city, period=2025, language="en").pdf)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout

    # "51.7 个/万人", "432 个", "30 类", "48 项", "4 个领域": no number carries a Chinese unit.
    units = chinese_units(framework)
    assert {"个/万人", "个", "类", "项", "个领域"} <= set(units)
    for unit in units:
        assert not re.search(rf"\d\s*{re.escape(unit)}", text), unit
    assert "51.7 per 10,000" in text  # "residents" wraps in its cell
    assert "432 datasets and APIs" in text and "30 licence types" in text
    assert "48 service items" in text and "4 service domains" in text

    # Any other Chinese is the cover's bilingual names or the framework's quoted terms
    # (a run may be cut where a table cell wraps, so a part of an allowed run passes).
    region = Region.objects.get(code="G60")
    allowed = {"双空间", city.name_zh, region.name_zh, *quoted_chinese(framework)}
    stray = [run for run in CJK.findall(text) if not any(run in permitted for permitted in allowed)]
    assert stray == []
    assert f"City: {city.name_zh} · Shanghai (310000)" in text


def test_recommendations_are_written_in_the_reports_language(g60_demo, user_with_role):
    reader = user_with_role(Role.STAKEHOLDER)
    with translation.override("en"):
        context = city_content.city_report_context(user=reader, city=City.objects.get(code="341800"), period=2025)
    items = context["recommendations"]
    assert items
    indicators = {i.node.code: i for i in Indicator.objects.filter(node__framework=g60_demo).select_related("node")}
    for item in items:
        indicator = indicators[item.indicator]
        assert not CJK.search(item.why + item.current + item.target + item.action + (item.partner or "")), item
        if indicator.type == Indicator.Type.LEVEL:
            assert item.current.startswith("level ") and item.target.startswith("level "), item
        elif indicator.unit_en and item.current:
            assert item.current.endswith(" " + indicator.unit_en), item


def test_lists_are_joined_as_the_active_language_writes_them():
    with translation.override("zh-hans"):
        assert join_list(["苏州", "无锡", "常州"]) == "苏州、无锡、常州"
    with translation.override("en"):
        assert join_list(["Suzhou", "Wuxi", "Changzhou"]) == "Suzhou, Wuxi and Changzhou"
        assert join_list(["Suzhou", "Wuxi"]) == "Suzhou and Wuxi"
        assert join_list(["a", "b", "c"], last="or") == "a, b or c"
        assert join_list(["Suzhou"]) == "Suzhou" and join_list([]) == ""


@pytest.mark.parametrize(
    ("language", "separator", "suzhou"), [("en", ", ", "Suzhou (Jiangsu)"), ("zh-hans", "、", "苏州")]
)
def test_the_network_pages_connected_cities_are_listed_with_the_languages_separator(
    reference_data, client_factory, user_with_role, language, separator, suzhou
):
    call_command("load_agreements", verbosity=0)
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = language
    page = client.get(reverse("cities:region_network", args=["G60"])).content.decode()
    components = re.search(r'<ol class="small">(.*?)</ol>', page, re.S).group(1)
    assert separator in components and suzhou in components
    if language == "en":
        assert "、" not in components and " and " in components


def test_the_english_city_page_names_the_census_in_english(reference_data, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("cities:city_detail", args=["310000"])).content.decode()
    # The source names its year already: not "(2020, … (2020))".
    assert "24,870,895 (Seventh National Population Census (2020))" in page
    assert "第七次" not in page


@pytest.mark.chinese
def test_the_chinese_city_page_keeps_the_census_as_recorded(reference_data, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    page = client.get(reverse("cities:city_detail", args=["310000"])).content.decode()
    assert "第七次全国人口普查 (2020)" in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_admin_carries_the_products_name_and_a_translated_tasks_app(admin_client, language):
    admin_client.cookies["django_language"] = language
    page = admin_client.get(reverse("admin:index")).content.decode()
    with translation.override(language):
        assert translation.gettext("DualSpace administration") in page
        assert translation.gettext("Background tasks") in page
    assert "Django administration" not in page and "Django 管理" not in page
    assert "tasks database backend" not in page.lower()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=abc", "must be a whole number"),
        ("period=1999", "at least 2000"),
        ("period=2101", "at most 2100"),
        ("period=2025&kind=other", "must be consultant or self"),
        ("", "required"),
    ],
)
def test_the_apis_parameter_messages_are_its_own_and_translated(admin_client, query, message):
    admin_client.cookies["django_language"] = "en"
    body = admin_client.get(f"/api/v1/regions/G60/results?{query}").json()
    assert [error["message"] for error in body["errors"]] == [message]


@pytest.mark.chinese
def test_the_apis_parameter_messages_follow_the_chinese_language(admin_client):
    admin_client.cookies["django_language"] = "zh-hans"
    body = admin_client.get("/api/v1/regions/G60/results?period=abc").json()
    with translation.override("zh-hans"):
        assert body["errors"][0]["message"] == translation.gettext("must be a whole number")
    assert "Input should be" not in body["errors"][0]["message"]


def test_the_apis_detail_lists_the_parameters_as_the_language_writes_a_list(admin_client):
    admin_client.cookies["django_language"] = "en"
    body = admin_client.get("/api/v1/regions/G60/results?period=abc&mc=-1").json()
    assert body["detail"] == "Invalid parameter: period and mc."
    assert [error["message"] for error in body["errors"]] == ["must be a whole number", "at least 0"]


def test_a_wrong_unit_is_refused_naming_the_unit_in_the_readers_language(default_framework):
    from django.core.exceptions import ValidationError

    from assessment.answer_rules import response_clean

    indicator = Indicator.objects.get(node__framework=default_framework, node__code="W1.2")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        response_clean(indicator, {"value": 30, "unit": "bananas"})
    assert refused.value.message_dict["unit"] == ["The unit must be per 10,000 residents."]
