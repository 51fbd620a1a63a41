"""The one list of pure modules, and the check that none of them imports Django, even through another module.

A pure module (numpy and pandas at most) can be tested, benchmarked and reused without a
database or settings; its docstring says "Pure Python: no Django." and it is listed here.
"""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import assessment.scoring

ROOT = Path(__file__).resolve().parents[2]
PURE_DOCSTRING = "Pure Python: no Django."
# Every module of the scoring package is pure, including the ones added later.
SCORING = [
    "assessment.scoring",
    *(f"assessment.scoring.{m.name}" for m in pkgutil.iter_modules(assessment.scoring.__path__)),
]
PURE_MODULES = [
    *SCORING,
    "assessment.dashboards.frames",
    "assessment.dashboards.what_if",
    "assessment.demo.latents",
    "assessment.framework.content_rules",
    "assessment.framework.methodology",
    "assessment.insight.synthesis",
    "assessment.derived_indicators",
    "assessment.insight",
    "assessment.insight.recommendations",
    "cities.dual_space",
    "cities.network",
    "cities.peer_groups",
    "cities.surge",
]
# Imports each module in turn in a fresh interpreter; the first whose import loads Django is named.
PROGRAM = """
import importlib, json, sys
found = {}
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    found[name] = sorted(m for m in sys.modules if m.split(".")[0] == "django")
    if found[name]:
        break
print(json.dumps(found))
"""


def django_loaded_by(modules: list[str]) -> dict[str, list[str]]:
    """The Django modules loaded after importing each module, in a fresh interpreter without settings."""
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(modules)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_no_pure_module_imports_django():
    found = django_loaded_by(PURE_MODULES)
    leaking = {name: modules[:5] for name, modules in found.items() if modules}
    assert leaking == {}, f"a pure module imports Django (directly or through a project module): {leaking}"
    assert list(found) == PURE_MODULES


def test_every_module_that_says_it_is_pure_is_on_the_list():
    said = set()
    for package in ("accounts", "assessment", "cities", "config"):
        for path in (ROOT / package).rglob("*.py"):
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if PURE_DOCSTRING in docstring:
                parts = path.relative_to(ROOT).with_suffix("").parts
                said.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert "assessment.scoring.stage_ladder" in said
    assert sorted(said - set(PURE_MODULES)) == []


def test_the_check_sees_a_django_import():
    """The check can fail: a module that imports Django is caught."""
    found = django_loaded_by(["assessment.scoring", "cities.bilingual"])
    assert found["assessment.scoring"] == [] and "django" in found["cities.bilingual"]
