"""check_framework_content (issue 20): the descriptor rules run on a stored framework version."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_the_command_lists_the_findings_and_fails(default_framework):
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="descriptors of DSMF 1.0 break"):
        call_command("check_framework_content", "DSMF", "1.0", stdout=out)
    assert "W3.1 level 5 (zh): level 5 of an in-city indicator asks for work with other cities" in out.getvalue()
