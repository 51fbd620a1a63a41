"""A framework version's method parameters: stored with the version, frozen with it, read over the defaults."""

import pytest

from assessment.models import FrameworkLockedError
from assessment.scoring.method import DEFAULT_METHOD
from assessment.services.framework import framework_import, framework_publish
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
