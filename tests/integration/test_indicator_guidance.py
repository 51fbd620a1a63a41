"""Per-indicator guidance (issue 18): lead agency, who acts, and the action that reaches each level.

The model API (`Indicator.action_towards` and its fallbacks), the framework document's new keys (schema,
import, export, refusal of unknown values), the data migration that fills a stored DSMF 1.0, and the
shipped content itself.
"""

import importlib
import json
import re
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from assessment.framework.document import framework_problems, schema
from assessment.models import Indicator, LevelDescriptor
from assessment.selectors.framework import framework_document
from assessment.services.framework import framework_clone_as_draft, framework_import
from tests.framework_documents import node, valid_document

DSMF_PATH = Path("fixtures/frameworks/dsmf-1.0.json")
# Latin letters a Chinese action may contain: technical names and units with no Chinese form in use,
# and region codes. Anything else is an English word inside Chinese text.
LATIN_ALLOWED = re.compile(r"IPv6|10G-PON|5G|G60")


def _guided_document() -> dict:
    document = valid_document()
    level = node(document, "D1.1")["indicator"]
    level.update(
        lead_agency="data_bureau",
        control="region",
        action={"zh": "推进总体工作。", "en": "Do the general work."},
    )
    for entry in level["levels"]:
        if entry["level"] in (1, 2):
            entry["action"] = {"zh": f"完成第{entry['level']}级工作。", "en": f"Do the level {entry['level']} work."}
    node(document, "D1.2")["indicator"].update(
        control="province", action={"zh": "提高比例。", "en": "Raise the share."}
    )
    return document


@pytest.mark.django_db
def test_action_towards_reads_the_level_then_the_general_action_then_nothing():
    framework = framework_import(document=_guided_document())
    indicator = Indicator.objects.get(node__framework=framework, node__code="D1.1")
    with translation.override("zh-hans"):
        assert indicator.action_towards(2) == "完成第2级工作。"
        assert indicator.action_towards(4) == "推进总体工作。"  # no level action: the general one
        assert indicator.action == "推进总体工作。"
    with translation.override("en"):
        assert indicator.action_towards(1) == "Do the level 1 work."
        assert indicator.action_towards(5) == "Do the general work."
    count = Indicator.objects.get(node__framework=framework, node__code="D2.1")
    assert count.action_towards(3) == ""  # no guidance at all
    assert count.control == Indicator.Control.CITY  # absent from the document: the city alone
    assert count.lead_agency == ""


@pytest.mark.django_db
def test_the_guidance_survives_an_import_and_export_round_trip():
    document = _guided_document()
    exported = framework_document(framework_import(document=document))
    for code in ("D1.1", "D1.2"):
        sent, got = node(document, code)["indicator"], node(exported, code)["indicator"]
        assert got["lead_agency"] == sent.get("lead_agency", "")
        assert got["control"] == sent["control"]
        assert got["action"] == sent["action"]
    levels = {entry["level"]: entry["action"] for entry in node(exported, "D1.1")["indicator"]["levels"]}
    assert levels[1] == {"zh": "完成第1级工作。", "en": "Do the level 1 work."}
    assert levels[0] == {"zh": "", "en": ""}
    # The exported document is itself a valid document and imports again unchanged.
    again = framework_document(framework_import(document=exported, code="AGAIN"))
    assert [n.get("indicator") for n in again["nodes"]] == [n.get("indicator") for n in exported["nodes"]]


@pytest.mark.parametrize(("field", "value"), [("lead_agency", "mayor_office"), ("control", "nation")])
def test_an_unknown_lead_agency_or_control_is_refused_naming_the_indicator_and_field(field, value):
    document = _guided_document()
    node(document, "D1.1")["indicator"][field] = value
    with translation.override("en"):
        problems = [str(problem) for problem in framework_problems(document)]
    assert len(problems) == 1
    assert problems[0].startswith(f"node D1.1 · indicator.{field}: ")
    assert f'"{value}" is not one of' in problems[0]
    with translation.override("zh-hans"):
        (problem,) = [str(problem) for problem in framework_problems(document)]
    assert "D1.1" in problem and field in problem


def test_the_schema_allows_exactly_the_model_choices():
    properties = schema()["$defs"]["indicator"]["properties"]
    assert set(properties["lead_agency"]["enum"]) == set(Indicator.LeadAgency.values) | {""}
    assert set(properties["control"]["enum"]) == set(Indicator.Control.values)


def _shipped_indicators() -> dict[str, dict]:
    shipped = json.loads(DSMF_PATH.read_text(encoding="utf-8"))
    return {entry["code"]: entry["indicator"] for entry in shipped["nodes"] if entry.get("indicator")}


def test_every_dsmf_indicator_says_who_acts_and_what_to_do():
    for code, indicator in _shipped_indicators().items():
        assert indicator["control"] in Indicator.Control.values, code
        assert indicator["lead_agency"] in Indicator.LeadAgency.values, code
        assert indicator["action"]["zh"].strip() and indicator["action"]["en"].strip(), code


def test_every_dsmf_level_indicator_has_an_action_towards_each_level_in_both_languages():
    for code, indicator in _shipped_indicators().items():
        if indicator["type"] != "level":
            assert indicator["levels"] is None, code
            continue
        actions = {entry["level"]: entry.get("action") or {} for entry in indicator["levels"]}
        for level in range(1, 6):
            assert actions[level].get("zh", "").strip(), f"{code} level {level} zh"
            assert actions[level].get("en", "").strip(), f"{code} level {level} en"
        assert not any(actions[0].values()), f"{code}: level 0 is where a city starts, nothing reaches it"
        texts = [actions[level]["zh"] for level in range(1, 6)]
        assert len(set(texts)) == 5, f"{code}: each level needs its own action"


def test_chinese_actions_hold_no_english_words():
    for code, indicator in _shipped_indicators().items():
        texts = [indicator["action"]["zh"]] + [
            (entry.get("action") or {}).get("zh", "") for entry in indicator["levels"] or []
        ]
        for text in texts:
            latin = re.findall(r"[A-Za-z]", LATIN_ALLOWED.sub("", text))
            assert not latin, f"{code}: {text}"


def _fixture_guidance() -> dict:
    """The guidance keys of today's shipped document, in the shape of the migration's frozen file."""
    shipped = json.loads(DSMF_PATH.read_text(encoding="utf-8"))
    indicators = {}
    for code, indicator in _shipped_indicators().items():
        levels = indicator.get("levels")
        indicators[code] = {
            "lead_agency": indicator.get("lead_agency", ""),
            "control": indicator.get("control", "city"),
            "action": indicator.get("action") or {},
            "levels": None
            if levels is None
            else [{"level": entry["level"], "action": entry.get("action") or {}} for entry in levels],
        }
    return {"code": shipped["code"], "version": shipped["version"], "indicators": indicators}


def test_the_migrations_frozen_guidance_matches_todays_fixture():
    # Documents that they match now; when the fixture's guidance changes later, the frozen file stays as
    # DSMF 1.0 shipped it (edit this test, not the frozen file).
    migration = importlib.import_module("assessment.migrations.0013_dsmf_guidance")
    assert json.loads(migration.GUIDANCE.read_text(encoding="utf-8")) == _fixture_guidance()


@pytest.mark.django_db
def test_the_data_migration_fills_a_stored_dsmf_without_guidance(default_framework, settings, tmp_path):
    # A project root without the fixture: the migration writes its frozen data, never the live fixture.
    settings.BASE_DIR = tmp_path
    indicators = Indicator.objects.filter(node__framework=default_framework)
    # A database loaded before issue 18: the new columns at their defaults (update() skips the publish lock).
    indicators.update(lead_agency="", control=Indicator.Control.CITY, action_zh="", action_en="")
    LevelDescriptor.objects.filter(indicator__node__framework=default_framework).update(action_zh="", action_en="")
    migration = importlib.import_module("assessment.migrations.0013_dsmf_guidance")
    state = MigrationLoader(None, ignore_no_migrations=True).project_state(("assessment", "0013_dsmf_guidance"))
    migration.forwards(state.apps, None)
    shipped = _shipped_indicators()
    for indicator in indicators.select_related("node").prefetch_related("levels"):
        expected = shipped[indicator.node.code]
        assert (indicator.lead_agency, indicator.control) == (expected["lead_agency"], expected["control"])
        assert indicator.action_en == expected["action"]["en"]
        with translation.override("zh-hans"):
            if expected["type"] == "level":
                assert (
                    indicator.action_towards(3)
                    == next(e for e in expected["levels"] if e["level"] == 3)["action"]["zh"]
                )


@pytest.mark.django_db
def test_a_fresh_load_of_the_shipped_framework_carries_the_guidance(default_framework):
    w21 = Indicator.objects.get(node__framework=default_framework, node__code="W2.1")
    assert w21.lead_agency == Indicator.LeadAgency.DATA_BUREAU
    with translation.override("zh-hans"):
        assert "全部市级部门和区县接入电子政务外网" in w21.action_towards(3)
    # The next version starts from this one's guidance.
    draft = framework_clone_as_draft(framework=default_framework, version="1.9")
    cloned = Indicator.objects.get(node__framework=draft, node__code="W2.1")
    assert (cloned.lead_agency, cloned.control, cloned.action_zh) == (w21.lead_agency, w21.control, w21.action_zh)
    assert cloned.action_towards(3) == w21.action_towards(3)
