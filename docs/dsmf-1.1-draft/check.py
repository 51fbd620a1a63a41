"""Check one DSMF 1.1 part: .venv/bin/python docs/dsmf-1.1-draft/check.py docs/dsmf-1.1-draft/part-A.json

Merges the part into DSMF 1.0 (assemble.merged) and runs the application's own document checks plus:
content rules (no cross-city words at in-city level 5, no outside recognition), every level
indicator has levels 0-5 each with zh/en text, an action (levels 1-5) and an example (all levels),
every indicator has a change {kind, zh, en} and continues.
"""

import json
import os
import sys

from assemble import BASE, ROOT, merged


def part_gaps(part):
    """What the part's own indicators lack: a change, six levels, texts, examples, actions."""
    for node in part:
        indicator = node.get("indicator")
        if not indicator:
            continue
        code = node["code"]
        if "change" not in indicator:
            yield f"MISSING change {code}"
        if indicator.get("type") != "level":
            continue
        levels = indicator.get("levels") or []
        if [level["level"] for level in levels] != list(range(6)):
            yield f"LEVELS not 0..5 {code}"
        for level in levels:
            for lang in ("zh", "en"):
                if not level.get(lang):
                    yield f"EMPTY text {code} {level['level']} {lang}"
                if not (level.get("example") or {}).get(lang):
                    yield f"MISSING example {code} {level['level']} {lang}"
                if level["level"] > 0 and not (level.get("action") or {}).get(lang):
                    yield f"MISSING action {code} {level['level']} {lang}"


def main(path):
    # The application's checks need Django configured first, with the project on the path.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from assessment.framework.content_rules import content_findings
    from assessment.framework.document import framework_problems

    base = json.loads(BASE.read_text())
    raw = json.loads(open(path, encoding="utf-8").read())
    part = raw["nodes"] if isinstance(raw, dict) else raw
    doc, _retired = merged(base, [{"nodes": part}], status="draft")
    problems = framework_problems(doc, previous_codes={node["code"] for node in base["nodes"]})
    for problem in problems:
        print("PROBLEM", problem)
    codes = {node["code"] for node in part}
    for finding in content_findings(doc):
        if finding.indicator in codes:
            print("CONTENT", finding)
    for gap in part_gaps(part):
        print(gap)
    print("checked", len(part), "nodes;", len(problems), "document problems")


if __name__ == "__main__":
    main(sys.argv[1])
