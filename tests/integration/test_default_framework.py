"""The shipped default framework, DSMF 1.0, as `make setup` loads it."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from assessment.models import Framework, Indicator, LevelDescriptor
from assessment.selectors.framework import framework_tree_rows

pytestmark = pytest.mark.django_db

INDICATOR_CODES = (
    [f"W1.{n}" for n in range(1, 7)]
    + [f"B1.{n}" for n in range(1, 6)]
    + [f"W2.{n}" for n in range(1, 5)]
    + [f"B2.{n}" for n in range(1, 6)]
    + [f"W3.{n}" for n in range(1, 7)]
    + [f"X1.{n}" for n in range(1, 5)]
    + [f"X2.{n}" for n in range(1, 7)]
    + [f"X3.{n}" for n in range(1, 5)]
    + [f"X4.{n}" for n in range(1, 6)]
    + [f"X5.{n}" for n in range(1, 5)]
    + [f"X6.{n}" for n in range(1, 6)]
)


def test_dsmf_is_published_with_every_code_of_the_brief(default_framework):
    assert default_framework.status == Framework.Status.PUBLISHED
    codes = set(Indicator.objects.filter(node__framework=default_framework).values_list("node__code", flat=True))
    assert codes == set(INDICATOR_CODES)
    dimensions = default_framework.nodes.filter(kind="dimension").values_list("code", flat=True)
    assert set(dimensions) == {"W1", "B1", "W2", "B2", "W3", "X1", "X2", "X3", "X4", "X5", "X6"}
    stages = list(default_framework.stages.order_by("order").values_list("code", flat=True))
    assert stages == ["S0", "S1", "S1+", "S2", "S2+", "S3", "S4"]


def test_every_level_indicator_has_six_descriptors_in_both_languages(default_framework):
    level_indicators = Indicator.objects.filter(node__framework=default_framework, type=Indicator.Type.LEVEL)
    assert level_indicators.count() >= 30
    for indicator in level_indicators:
        levels = LevelDescriptor.objects.filter(indicator=indicator).order_by("level")
        assert [level.level for level in levels] == [0, 1, 2, 3, 4, 5], indicator
        for level in levels:
            assert level.text_zh.strip() and level.text_en.strip(), (indicator, level.level)
            assert re.search(r"[\u4e00-\u9fff]", level.text_zh), (indicator, level.level)


def test_descriptors_of_one_indicator_are_all_different(default_framework):
    for indicator in Indicator.objects.filter(node__framework=default_framework, type=Indicator.Type.LEVEL):
        texts = list(indicator.levels.values_list("text_en", flat=True))
        assert len(set(texts)) == 6, indicator


def test_effective_weights_of_all_indicators_sum_to_one(default_framework):
    rows = framework_tree_rows(default_framework)
    total = sum(row.effective_weight for row in rows if row.indicator is not None)
    assert abs(total - 1) < 1e-9


def test_quantitative_and_count_indicators_have_goalposts(default_framework):
    for indicator in Indicator.objects.filter(node__framework=default_framework).exclude(type=Indicator.Type.LEVEL):
        assert indicator.lower is not None and indicator.upper is not None and indicator.lower < indicator.upper


def test_the_shipped_file_exports_back_identically(default_framework, tmp_path):
    out = tmp_path / "dsmf.json"
    call_command("export_framework", "DSMF", "1.0", "--out", str(out), verbosity=0)
    shipped = json.loads(Path("fixtures/frameworks/dsmf-1.0.json").read_text(encoding="utf-8"))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported == shipped


def test_the_dsmf_imeta_export_reads_back_into_the_same_tree_and_weights(default_framework, tmp_path):
    out = tmp_path / "dsmf.csv"
    call_command("export_framework", "DSMF", "1.0", "--format", "imeta", "--out", str(out), verbosity=0)
    call_command("import_framework", str(out), "--code", "DSMFCOPY", "--version", "1.0", verbosity=0)

    def shape(code):
        return {
            node.code: (node.parent.code if node.parent else None, node.weight)
            for node in Framework.objects.get(code=code, version="1.0").nodes.select_related("parent")
        }

    assert shape("DSMFCOPY") == shape("DSMF")


def test_loading_frameworks_twice_keeps_one_version(default_framework):
    call_command("load_frameworks", verbosity=0)
    versions = Framework.objects.filter(code="DSMF").order_by("version").values_list("version", flat=True)
    assert list(versions) == ["1.0", "1.1"]  # one row per shipped version, however often loaded


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_framework_page_shows_tree_descriptors_ladder_and_methodology(
    default_framework, client_factory, user_with_role, language
):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = language
    page = client.get(reverse("assessment:framework_detail", args=["DSMF", "1.0"])).content.decode()
    name = default_framework.name_en if language == "en" else default_framework.name_zh
    assert name in page
    assert page.count('data-testid="level-descriptors-') == 37 or page.count("level-descriptors-") >= 30
    assert 'data-testid="stage-ladder"' in page and "S1+" in page
    assert 'data-testid="methodology"' in page
    level5 = LevelDescriptor.objects.filter(indicator__node__framework=default_framework, level=5).first()
    text = level5.text_en if language == "en" else level5.text_zh
    assert text[:20] in page


def test_a_draft_framework_is_hidden_from_non_administrators(default_framework, client_factory, user_with_role):
    from assessment.services.framework import framework_clone_as_draft

    framework_clone_as_draft(framework=default_framework, version="1.9")
    consultant = client_factory(user_with_role(Role.CONSULTANT))
    assert consultant.get(reverse("assessment:framework_detail", args=["DSMF", "1.9"])).status_code == 404
    assert "1.9" not in consultant.get(reverse("assessment:framework_list")).content.decode()
