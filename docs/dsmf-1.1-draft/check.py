"""Check one DSMF 1.1 part: python check.py part-A.json  (run with .venv/bin/python from the project root)

Merges the part's nodes into DSMF 1.0 (replacing nodes of the same code, adding new codes after
their siblings), names 1.0 as previous, and runs the application's own document checks plus:
content rules (no cross-city words at in-city level 5, no outside recognition), every level
indicator has levels 0-5 each with zh/en text, an action (levels 1-5) and an example (all levels),
every indicator has a change {kind, zh, en} and continues.
"""
import json, os, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django
django.setup()
from assessment.framework.document import framework_problems
from assessment.framework.content_rules import content_findings

base = json.load(open(ROOT / "fixtures/frameworks/dsmf-1.0.json"))
raw = json.load(open(sys.argv[1]))
part = raw["nodes"] if isinstance(raw, dict) else raw
previous_codes = {n["code"] for n in base["nodes"]}
doc = dict(base, version="1.1", status="draft", previous={"code": "DSMF", "version": "1.0"})
nodes = list(base["nodes"])
by_code = {n["code"]: i for i, n in enumerate(nodes)}
for node in part:
    if node["code"] in by_code:
        nodes[by_code[node["code"]]] = node
    else:
        nodes.append(node)
doc["nodes"] = nodes
problems = framework_problems(doc, previous_codes=previous_codes)
for p in problems:
    print("PROBLEM", p)
part_codes = {n["code"] for n in part}
for f in content_findings(doc):
    if f.indicator in part_codes:
        print("CONTENT", f)
for node in part:
    ind = node.get("indicator")
    if not ind:
        continue
    code = node["code"]
    if "change" not in ind:
        print("MISSING change", code)
    if ind.get("type") == "level":
        levels = ind.get("levels") or []
        if [l["level"] for l in levels] != list(range(6)):
            print("LEVELS not 0..5", code)
        for l in levels:
            for lang in ("zh", "en"):
                if not l.get(lang):
                    print("EMPTY text", code, l["level"], lang)
                if not (l.get("example") or {}).get(lang):
                    print("MISSING example", code, l["level"], lang)
                if l["level"] > 0 and not (l.get("action") or {}).get(lang):
                    print("MISSING action", code, l["level"], lang)
print("checked", len(part), "nodes;", len(problems), "document problems")
