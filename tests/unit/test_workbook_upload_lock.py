"""Every test module that uploads a workbook takes the upload folder's lock (tests/conftest.py).

CI on PostgreSQL failed once because test_audit_events uploaded and applied a workbook while
test_numbers, on another xdist worker, was checking that a refused upload left the folder as it
was. The list of modules that take turns is kept by hand, so this test keeps it complete.
"""

from pathlib import Path

from tests.conftest import WORKBOOK_UPLOAD_MODULES

TESTS = Path(__file__).resolve().parents[1]


def test_every_module_that_applies_a_workbook_takes_the_upload_lock():
    uploading = {
        "/".join(path.relative_to(TESTS).parts)
        for path in TESTS.rglob("test_*.py")
        if path != Path(__file__).resolve() and '"assessment:workbook_apply"' in path.read_text(encoding="utf-8")
    }
    assert uploading, "the search found no module: the view's name has changed"
    assert uploading <= WORKBOOK_UPLOAD_MODULES, sorted(uploading - WORKBOOK_UPLOAD_MODULES)
