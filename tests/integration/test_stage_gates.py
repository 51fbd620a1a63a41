"""A rung's gates (issue 20): a critical indicator outside the rung's nodes that blocks it from there up.

DSMF 1.1 gates S1+ on cybersecurity (X6.1), which DSMF 1.0 checked only for
S4. The gate travels with the framework document (import, export, refused
when it names an indicator that is not critical) and the engine reads it
from the stored version.
"""

import copy

import pytest
from django.utils import translation

from assessment.framework.document import FrameworkDocumentError
from assessment.framework_cache import framework_scoring_tree
from assessment.selectors.framework import framework_document
from assessment.services.framework import framework_import

pytestmark = pytest.mark.django_db


def gated_copy(framework, gate: str) -> dict:
    document = copy.deepcopy(framework_document(framework))
    document.update(code="GATED", status="draft", previous=None)
    for node in document["nodes"]:
        if node.get("indicator"):
            node["indicator"]["continues"] = []
    next(stage for stage in document["stages"] if stage["code"] == "S1+")["gates"] = [gate]
    return document


def test_a_gate_round_trips_and_reaches_the_engine(default_framework):
    assert all("gates" not in stage for stage in framework_document(default_framework)["stages"])
    document = gated_copy(default_framework, "X6.1")
    framework = framework_import(document=document)
    assert framework_document(framework)["stages"] == document["stages"]
    rungs = {rung.code: rung for rung in framework_scoring_tree(framework).ladder.rungs}
    assert rungs["S1+"].gates == ("X6.1",) and rungs["S1"].gates == ()


@translation.override("en")
def test_a_gate_that_is_not_a_critical_indicator_is_refused(default_framework):
    with pytest.raises(FrameworkDocumentError) as refused:
        framework_import(document=gated_copy(default_framework, "X6.2"))
    assert "X6.2" in str(refused.value) and "critical" in str(refused.value)
    with pytest.raises(FrameworkDocumentError) as refused:
        framework_import(document=gated_copy(default_framework, "X6"))
    assert "not an indicator" in str(refused.value)
