import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from assessment.framework.document import FrameworkDocumentError, framework_problems
from assessment.models import Framework, FrameworkLockedError, FrameworkNode, LevelDescriptor
from assessment.selectors.framework import framework_document, framework_tree_rows
from assessment.services.framework import framework_clone_as_draft, framework_import, framework_publish
from tests.framework_documents import node, valid_document

pytestmark = pytest.mark.django_db


def problems_of(document) -> str:
    return "\n".join(str(problem) for problem in framework_problems(document))


def test_the_valid_test_document_has_no_problems():
    assert framework_problems(valid_document()) == []


def test_duplicate_codes_are_refused():
    document = valid_document()
    document["nodes"].append({**node(document, "D2.1"), "order": 2})
    assert "node D2.1: the code appears more than once" in problems_of(document)


def test_an_unknown_parent_is_refused():
    document = valid_document()
    node(document, "D2.1")["parent"] = "D9"
    assert "node D2.1: unknown parent D9" in problems_of(document)


def test_a_cycle_is_refused_and_named():
    document = valid_document()
    node(document, "D1")["parent"] = "D2"
    node(document, "D2")["parent"] = "D1"
    assert "the parents form a cycle: D1 → D2 → D1" in problems_of(document)


@pytest.mark.parametrize("weight", [0, -1])
def test_a_weight_that_is_not_positive_is_refused(weight):
    document = valid_document()
    node(document, "D1.2")["weight"] = weight
    assert "node D1.2" in problems_of(document)


def test_goalposts_out_of_order_are_refused():
    document = valid_document()
    node(document, "D1.2")["indicator"].update(lower=100, upper=0)
    assert "indicator D1.2: the lower goalpost (100) must be below the upper one (0)" in problems_of(document)


def test_a_missing_level_descriptor_is_refused():
    document = valid_document()
    node(document, "D1.1")["indicator"]["levels"].pop(3)
    assert "indicator D1.1: the descriptor for level 3 is missing" in problems_of(document)


def test_an_empty_english_descriptor_is_refused():
    document = valid_document()
    node(document, "D1.1")["indicator"]["levels"][2]["en"] = " "
    assert "indicator D1.1: the en descriptor for level 2 is empty" in problems_of(document)


def test_a_stage_requiring_an_unknown_node_is_refused():
    document = valid_document()
    document["stages"][1]["requires"] = ["D7"]
    assert "stage S1: requires unknown node D7" in problems_of(document)


def test_every_problem_is_listed_not_just_the_first():
    document = valid_document()
    node(document, "D1.2")["weight"] = 0
    node(document, "D2.1")["parent"] = "NOPE"
    document["stages"][1]["requires"] = ["ZZ"]
    assert len(framework_problems(document)) >= 3


def test_import_writes_nothing_when_the_document_is_bad():
    document = valid_document()
    node(document, "D2.1")["parent"] = "NOPE"
    with pytest.raises(FrameworkDocumentError):
        framework_import(document=document)
    assert Framework.objects.count() == 0
    assert FrameworkNode.objects.count() == 0


def test_effective_weights_multiply_down_the_tree_and_sum_to_one():
    framework = framework_import(document=valid_document())
    rows = {row.node.code: row for row in framework_tree_rows(framework)}
    assert rows["D1"].effective_weight == pytest.approx(2 / 3)
    assert rows["D1.2"].effective_weight == pytest.approx(2 / 3 * 3 / 4)
    assert sum(row.effective_weight for row in rows.values() if row.indicator) == pytest.approx(1, abs=1e-12)


def test_a_published_version_can_no_longer_change():
    framework = framework_publish(framework=framework_import(document=valid_document()))
    node_row = FrameworkNode.objects.get(framework=framework, code="D1")
    node_row.weight = 5
    with pytest.raises(FrameworkLockedError):
        node_row.save()
    with pytest.raises(FrameworkLockedError):
        LevelDescriptor.objects.filter(indicator__node__framework=framework).first().delete()
    framework.name_en = "Renamed"
    with pytest.raises(FrameworkLockedError):
        framework.save()


def test_publishing_checks_the_stored_rows_again():
    framework = framework_import(document=valid_document())
    LevelDescriptor.objects.filter(indicator__node__code="D1.1", level=5).delete()
    with pytest.raises(FrameworkDocumentError) as raised:
        framework_publish(framework=framework)
    assert "the descriptor for level 5 is missing" in str(raised.value)
    framework.refresh_from_db()
    assert framework.status == Framework.Status.DRAFT


def test_the_database_refuses_a_non_positive_weight_even_without_the_service():
    framework = framework_import(document=valid_document())
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkNode.objects.filter(framework=framework, code="D1").update(weight=0)


def test_a_clone_is_a_draft_whose_indicators_continue_the_previous_version():
    framework = framework_publish(framework=framework_import(document=valid_document()))
    draft = framework_clone_as_draft(framework=framework, version="1.1")
    assert draft.status == Framework.Status.DRAFT
    assert draft.previous == framework
    document = framework_document(draft)
    assert node(document, "D1.2")["indicator"]["continues"] == ["D1.2"]
    assert document["previous"] == {"code": "TEST", "version": "1.0"}


def test_continuing_an_indicator_the_previous_version_lacks_is_refused():
    first = framework_publish(framework=framework_import(document=valid_document()))
    document = valid_document()
    document["version"] = "2.0"
    document["previous"] = {"code": first.code, "version": first.version}
    node(document, "D1.2")["indicator"]["continues"] = ["GONE"]
    with pytest.raises(FrameworkDocumentError) as raised:
        framework_import(document=document)
    assert "continues GONE, which the previous version does not have" in str(raised.value)


def test_json_round_trip_gives_identical_content(tmp_path):
    framework_publish(framework=framework_import(document=valid_document()))
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    call_command("export_framework", "TEST", "1.0", "--format", "json", "--out", str(first), verbosity=0)
    call_command("import_framework", str(first), "--code", "COPY", verbosity=0)
    call_command("export_framework", "COPY", "1.0", "--format", "json", "--out", str(second), verbosity=0)
    one, two = json.loads(first.read_text()), json.loads(second.read_text())
    for document in (one, two):
        document.pop("code")
        document.pop("status")
    assert one == two


def test_imeta_export_reads_back_into_the_same_tree_and_weights(tmp_path):
    framework_publish(framework=framework_import(document=valid_document()))
    path = tmp_path / "meta.csv"
    call_command("export_framework", "TEST", "1.0", "--format", "imeta", "--out", str(path), verbosity=0)
    assert path.read_text().splitlines()[0] == "Level,iCode,iName,Direction,Weight,Parent,Type"
    call_command("import_framework", str(path), "--code", "META", "--version", "1.0", verbosity=0)
    original = {
        n.code: (n.parent.code if n.parent else None, n.weight)
        for n in FrameworkNode.objects.filter(framework__code="TEST")
    }
    reread = {
        n.code: (n.parent.code if n.parent else None, n.weight)
        for n in FrameworkNode.objects.filter(framework__code="META")
    }
    assert reread == original


def write(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", b"{not json", "not valid JSON"),
        ("latin.json", json.dumps(valid_document(), ensure_ascii=False).encode("gbk"), "not UTF-8"),
        ("meta.csv", b"Level,iCode,Weight\n1,A,1\n", "missing columns: iName, Direction, Parent, Type"),
        (
            "meta.csv",
            b"Level,iCode,iName,Direction,Weight,Parent,Type\n1,A,A,1,x,R,Indicator\n2,R,R,1,1,,Aggregate\n",
            "line 2: Level, Weight and Direction must be numbers",
        ),
        (
            "meta.csv",
            b"Level,iCode,iName,Direction,Weight,Parent,Type\n1,A,A,1,0,R,Indicator\n2,R,R,1,1,,Aggregate\n",
            "node A · weight: must be greater than 0",
        ),
        (
            "meta.csv",
            b"Level,iCode,iName,Direction,Weight,Parent,Type\n1,A,A,1,1,Q,Indicator\n2,R,R,1,1,,Aggregate\n",
            "node A: unknown parent Q",
        ),
    ],
)
def test_a_bad_framework_file_is_refused_with_its_problems_and_nothing_written(tmp_path, name, content, expected):
    path = write(tmp_path, name, content)
    with pytest.raises(CommandError) as raised:
        call_command("import_framework", path, "--code", "BAD", "--version", "1.0")
    assert expected in str(raised.value)
    assert "nothing was written" in str(raised.value)
    assert Framework.objects.count() == 0
