"""A framework version's method parameters: stored with the version, frozen with it, read over the defaults."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from assessment.admin import FrameworkAdminForm
from assessment.framework.document import framework_problems
from assessment.framework.methodology import methodology_values
from assessment.models import Framework, FrameworkLockedError
from assessment.scoring.method import DEFAULT_METHOD
from assessment.selectors.framework import framework_document
from assessment.services.framework import framework_clone_as_draft, framework_import, framework_publish
from tests.framework_documents import valid_document

pytestmark = pytest.mark.django_db


def test_a_version_that_sets_nothing_runs_the_defaults():
    framework = framework_import(document=valid_document())
    assert framework.method_parameters() == DEFAULT_METHOD


def test_a_drafts_method_reads_over_the_defaults():
    framework = framework_import(document=valid_document())
    framework.method = {"runs": 500, "rater_move_by_quality": {"A": 0.01}}
    framework.save()
    framework.refresh_from_db()
    parameters = framework.method_parameters()
    assert parameters.runs == 500
    assert parameters.rater_move_by_quality["A"] == 0.01
    assert parameters.rater_move_by_quality["F"] == DEFAULT_METHOD.rater_move_by_quality["F"]


def test_a_published_versions_method_is_frozen():
    framework = framework_publish(framework=framework_import(document=valid_document()))
    framework.method = {"runs": 10}
    with pytest.raises(FrameworkLockedError):
        framework.save()


def test_a_document_with_bad_method_values_is_refused_naming_the_field():
    document = valid_document()
    document["method"] = {"weight_perturbation": 1.5, "rater_move_by_quality": {"A": 2}, "draws": 10}
    text = "\n".join(str(problem) for problem in framework_problems(document))
    assert "method.draws: unknown method parameter" in text
    assert "method.rater_move_by_quality.A: 2 is out of range" in text
    assert "method.weight_perturbation: must be less than 1 (it is 1.5)" in text
    # What the schema cannot say, MethodParameters does, in the same words.
    document["method"] = {"interval_low": 95, "interval_high": 5}
    text = "\n".join(str(problem) for problem in framework_problems(document))
    assert "method.interval_low: the percentiles must satisfy 0 ≤ low < high ≤ 100" in text
    document["method"] = {
        "normalisation_alternatives": ["minmax:0,100", "maxmin"],
        "aggregation_alternatives": ["mean"],
    }
    text = "\n".join(str(problem) for problem in framework_problems(document))
    assert "method.normalisation_alternatives.1: “maxmin” is not a method the scoring engine knows" in text
    assert "method.aggregation_alternatives.0: “mean” is not" in text
    assert "minmax:0,100" not in text


def test_a_methodology_with_an_unknown_placeholder_is_refused():
    document = valid_document()
    document["methodology"]["en"] = "We run {runs} draws with {draws} weights."
    text = "\n".join(str(problem) for problem in framework_problems(document))
    assert "methodology.en: {draws} is not a method placeholder" in text
    assert "{runs} is not" not in text


def test_export_and_clone_carry_the_method():
    document = valid_document()
    document["method"] = {"runs": 300, "normalisation_alternatives": ["minmax:0,100"]}
    framework = framework_publish(framework=framework_import(document=document))
    assert framework_document(framework)["method"] == document["method"]
    draft = framework_clone_as_draft(framework=framework, version="1.1")
    assert draft.method == document["method"]
    assert draft.method_parameters().normalisation_alternatives == ("minmax:0,100",)


def admin_form_data(framework, **changes):
    """The admin form's fields as a browser posts them."""
    data = {name: getattr(framework, name) for name in FrameworkAdminForm.Meta.fields if name != "previous"}
    data["aggregation"] = json.dumps(framework.aggregation)
    data["method"] = json.dumps(framework.method)
    data.update(changes)
    return data


def test_the_admin_refuses_bad_method_values_naming_the_field():
    draft = framework_import(document=valid_document())
    form = FrameworkAdminForm(data=admin_form_data(draft, method='{"weight_perturbation": 1.5}'), instance=draft)
    assert not form.is_valid()
    assert "method.weight_perturbation" in " ".join(form.errors["method"])
    form = FrameworkAdminForm(data=admin_form_data(draft, method="[1, 2]"), instance=draft)
    assert not form.is_valid() and "method" in form.errors
    form = FrameworkAdminForm(data=admin_form_data(draft, methodology_en="{draws} draws"), instance=draft)
    assert not form.is_valid() and "{draws}" in " ".join(form.errors["methodology_en"])


def test_the_admin_saves_a_drafts_method_and_shows_a_published_one_read_only(admin_client):
    draft = framework_import(document=valid_document())
    form = FrameworkAdminForm(data=admin_form_data(draft, method='{"runs": 400}'), instance=draft)
    assert form.is_valid(), form.errors
    form.save()
    draft.refresh_from_db()
    assert draft.method_parameters().runs == 400
    published = framework_publish(framework=draft)
    page = admin_client.get(reverse("admin:assessment_framework_change", args=[published.pk])).content.decode()
    assert 'name="method"' not in page  # shown, not editable


def test_the_methodology_is_rendered_from_the_parameters_in_both_languages():
    document = valid_document()
    document["methodology"] = {
        "zh": "{runs}次抽样，第{interval_low}至第{interval_high}百分位",
        "en": "{runs} draws, {interval_low}",
    }
    document["method"] = {"runs": 2500, "interval_low": 10}
    framework = framework_import(document=document)
    assert framework.methodology_in("zh") == "2500次抽样，第10至第95百分位"
    assert framework.methodology_in("en") == "2,500 draws, 10th"
    with translation.override("en"):
        assert framework.methodology == "2,500 draws, 10th"


def test_the_shipped_methodology_leaves_no_placeholder_and_states_the_defaults():
    shipped = json.loads(Path("fixtures/frameworks/dsmf-1.0.json").read_text(encoding="utf-8"))
    framework = framework_import(document=shipped)
    for language in ("zh", "en"):
        text = framework.methodology_in(language)
        assert not re.search(r"\{[A-Za-z_]+\}", text)
        values = methodology_values(framework.method_parameters(), language)
        for name in ("runs", "weight_factor_low", "weight_factor_high", "interval_low", "interval_high"):
            assert values[name] in text
    assert "1,000 draws" in framework.methodology_in("en")
    assert "1000次" in framework.methodology_in("zh")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_framework_page_shows_the_method_parameters_and_the_rendered_text(admin_client, language):
    document = valid_document()
    document["methodology"] = {"zh": "抽样{runs}次。", "en": "We draw {runs} times."}
    document["method"] = {"runs": 1234, "weight_perturbation": 0.1}
    framework = framework_import(document=document)
    admin_client.cookies["django_language"] = language
    page = admin_client.get(framework.get_absolute_url()).content.decode()
    assert 'data-testid="method-parameters"' in page
    assert ("We draw 1,234 times." if language == "en" else "抽样1234次。") in page
    assert "0.9 – 1.1" in page
    assert "{runs}" not in page


OLD_SECTION_9 = {
    "zh": "九、不确定性与排名区间。权重本身是一种判断。（默认1,000次，每个权重乘以0.5—1.5之间均匀分布的随机系数）",
    "en": "9. Uncertainty and rank intervals. Weights are a judgement. (by default 1,000 draws, 0.5 to 1.5)",
}


@pytest.mark.django_db(transaction=True)
def test_a_database_loaded_before_issue_19_gets_the_shipped_section_9_and_method():
    shipped = json.loads(Path("fixtures/frameworks/dsmf-1.0.json").read_text(encoding="utf-8"))
    before, after = ("assessment", "0009_framework_method"), ("assessment", "0010_dsmf_methodology_from_method")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_framework = executor.loader.project_state([before]).apps.get_model("assessment", "Framework")
    texts = {}
    for language in ("zh", "en"):
        paragraphs = shipped["methodology"][language].split("\n\n")
        texts[language] = [OLD_SECTION_9[language] if p.startswith(("九、", "9. ")) else p for p in paragraphs]
    stored = old_framework.objects.create(
        code="DSMF",
        version="1.0",
        status="published",
        published_at=timezone.now(),
        name_zh="双空间",
        name_en="Dual space",
        methodology_zh="\n\n".join(texts["zh"]),
        methodology_en="\n\n".join(texts["en"]),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([after])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    framework = Framework.objects.get(pk=stored.pk)
    assert framework.methodology_zh == shipped["methodology"]["zh"]
    assert framework.methodology_en == shipped["methodology"]["en"]
    assert framework.method == shipped["method"]


@pytest.mark.django_db(transaction=True)
def test_a_database_loaded_before_the_depth_rule_gets_the_shipped_section_8_unless_edited():
    """Migration 0014 replaces section 8 (network density, no depth rule) only where it still reads as shipped."""
    from importlib import import_module

    migration = import_module("assessment.migrations.0014_dsmf_methodology_derived_rule")
    shipped = json.loads(Path("fixtures/frameworks/dsmf-1.0.json").read_text(encoding="utf-8"))
    before, after = ("assessment", "0013_dsmf_guidance"), ("assessment", "0014_dsmf_methodology_derived_rule")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_framework = executor.loader.project_state([before]).apps.get_model("assessment", "Framework")

    def stored_with(section_8: dict[str, str], version: str) -> int:
        texts = {
            language: "\n\n".join(
                section_8[language] if paragraph.startswith(("八、", "8. ")) else paragraph
                for paragraph in shipped["methodology"][language].split("\n\n")
            )
            for language in ("zh", "en")
        }
        return old_framework.objects.create(
            code="DSMF",
            version=version,
            status="published",
            published_at=timezone.now(),
            name_zh="双空间",
            name_en="Dual space",
            methodology_zh=texts["zh"],
            methodology_en=texts["en"],
        ).pk

    as_shipped = stored_with(migration.OLD_SECTION, "1.0")
    executor = MigrationExecutor(connection)
    executor.migrate([after])
    # Read through that state's model: today's would ask for columns later migrations add.
    framework = (
        executor.loader.project_state([after]).apps.get_model("assessment", "Framework").objects.get(pk=as_shipped)
    )
    assert framework.methodology_zh == shipped["methodology"]["zh"]
    assert framework.methodology_en == shipped["methodology"]["en"]
    assert "网络密度、" not in framework.methodology_zh and "{derived_agreements}" in framework.methodology_zh
    # An administrator's own wording of section 8 is kept as written.
    # Deleted through the models of that state: today's would look for columns later migrations add.
    executor.loader.project_state([after]).apps.get_model("assessment", "Framework").objects.filter(
        pk=as_shipped
    ).delete()
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    edited = {language: text + " (edited)" for language, text in migration.OLD_SECTION.items()}
    old_framework = executor.loader.project_state([before]).apps.get_model("assessment", "Framework")
    kept = stored_with(edited, "1.0")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert edited["en"] in Framework.objects.get(pk=kept).methodology_en
