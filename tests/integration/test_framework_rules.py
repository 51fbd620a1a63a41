"""A framework's weights are > 0 and its parents form no cycle, wherever a framework is checked."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from assessment.framework.document import SCHEMA_PATH, framework_problems
from assessment.models import FrameworkNode
from assessment.scoring.tree import is_weight
from tests.framework_documents import valid_document

pytestmark = pytest.mark.django_db


def test_the_framework_weight_rule_is_the_same_in_the_schema_and_the_database_and_wider_in_the_engine():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$defs"]["node"]["properties"]["weight"]["exclusiveMinimum"] == 0
    constraint = next(c for c in FrameworkNode._meta.constraints if c.name == "node_weight_positive")
    assert constraint.condition == Q(weight__gt=0)
    # The engine's what-if exception: 0 leaves a node out of its parent's mean.
    assert is_weight(0)
    document = valid_document()
    document["nodes"][-1]["weight"] = 0
    assert any("must be greater than 0" in problem.reason for problem in framework_problems(document))


def test_the_admin_refuses_a_parent_that_makes_a_cycle(default_framework):
    root = FrameworkNode.objects.get(framework=default_framework, parent=None)
    child = FrameworkNode.objects.filter(framework=default_framework, parent=root).first()
    root.parent = child
    with pytest.raises(ValidationError) as error:
        root.clean()
    assert error.value.message_dict == {"parent": ["This parent would make the tree a cycle."]}
    child.clean()  # its own parent is fine
