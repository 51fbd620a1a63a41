"""check_framework_content (issue 20): the descriptor rules run on a stored framework version."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from assessment.framework.content_rules import content_findings

pytestmark = pytest.mark.django_db


def test_the_command_lists_the_findings_and_fails(default_framework):
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="descriptors of DSMF 1.0 break"):
        call_command("check_framework_content", "DSMF", "1.0", stdout=out)
    assert "W3.1 level 5 (zh): level 5 of an in-city indicator asks for work with other cities" in out.getvalue()


def test_dsmf_1_1_exports_and_its_descriptors_keep_both_rules(default_framework, tmp_path):
    """Issue 20's first point: DSMF 1.1 ships beside 1.0 and exports; no in-city level 5 needs other cities,
    no descriptor needs a designation, and every level indicator carries a worked example per level."""
    out = tmp_path / "dsmf-1.1.json"
    call_command("export_framework", "DSMF", "1.1", "--format", "json", "--out", str(out))
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["version"] == "1.1" and document["previous"] == {"code": "DSMF", "version": "1.0"}
    assert content_findings(document) == []
    call_command("check_framework_content", "DSMF", "1.1", stdout=io.StringIO())  # does not raise
    indicators = {node["code"]: node["indicator"] for node in document["nodes"] if node.get("indicator")}
    for code, indicator in indicators.items():
        assert indicator["change"]["kind"] in ("same", "reworded", "rescaled", "split", "merged", "new"), code
        assert indicator["change"]["zh"] and indicator["change"]["en"], code
        if indicator["type"] == "level":
            for level in indicator["levels"]:
                assert level["example"]["zh"] and level["example"]["en"], (code, level["level"])
    # The review's structural fixes: cybersecurity gates from S1+, one mutual-recognition indicator is
    # critical, the gap plan is capped per period, and every change is logged in both languages.
    assert next(stage for stage in document["stages"] if stage["code"] == "S1+")["gates"] == ["X6.1"]
    assert [code for code, indicator in indicators.items() if code.startswith("X2.") and indicator["critical"]]
    assert document["method"]["gap_steps_per_period"] == 2
    assert document["change_log"] and all(entry["zh"] and entry["en"] for entry in document["change_log"])
    # Goalposts the review asked for.
    assert (indicators["B2.1"]["lower"], indicators["B2.1"]["upper"]) == (50, 100)
    assert (indicators["B2.2"]["lower"], indicators["B2.2"]["upper"]) == (50, 100)


def test_the_framework_page_shows_what_changed_since_1_0(default_framework, client_factory, user_with_role):
    from django.urls import reverse

    from accounts.roles import Role
    from assessment.models import Framework

    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("assessment:framework_detail", args=["DSMF", "1.1"])).content.decode()
    newer = Framework.objects.get(code="DSMF", version="1.1")
    assert 'data-testid="framework-changes"' in page and 'data-testid="change-log"' in page
    for entry in newer.change_log:
        assert entry["en"][:40].replace("'", "&#x27;") in page
    # Entries name their subject in the reader's words, not the document's keys ("method", "").
    log = page.split('data-testid="change-log"')[1].split("</table>")[0]
    assert ">method parameters<" in log and ">framework-wide<" in log and ">method<" not in log
    crosswalk = page.split('data-testid="crosswalk"')[1].split("</table>")[0]
    assert crosswalk.count('id="change-') == newer.nodes.filter(kind="indicator").count()
    gates = page.split('data-testid="stage-gates-S1+"')[1].split("</td>")[0]
    assert "X6.1" in gates
    assert "Worked example" in page
    # The first version has nothing to compare with.
    first = client.get(reverse("assessment:framework_detail", args=["DSMF", "1.0"])).content.decode()
    assert 'data-testid="framework-changes"' not in first and "Worked example" not in first


def test_the_shipped_dsmf_1_1_is_what_its_sources_build():
    """fixtures/frameworks/dsmf-1.1.json is assembled from docs/dsmf-1.1-draft/: an edit to one alone is caught."""
    script = Path(__file__).resolve().parents[2] / "docs/dsmf-1.1-draft/assemble.py"
    run = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
