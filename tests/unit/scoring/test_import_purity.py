"""The scoring engine must never import Django, not even indirectly."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import assessment.scoring

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_importing_every_scoring_module_loads_no_django_module():
    modules = [f"assessment.scoring.{info.name}" for info in pkgutil.iter_modules(assessment.scoring.__path__)]
    assert "assessment.scoring.engine" in modules
    imports = "; ".join(f"import {name}" for name in ["assessment.scoring", *modules])
    program = (
        f"import sys; {imports}; "
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(leaked); sys.exit(1 if leaked else 0)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
