"""Assemble fixtures/frameworks/dsmf-1.1.json from DSMF 1.0 and the parts (part-*.json) next to this file.

Run from anywhere: .venv/bin/python docs/dsmf-1.1-draft/assemble.py
With --check it writes nothing and fails when the shipped file differs from what the parts build (a test runs it).
"""

import copy
import json
import sys
from pathlib import Path

import topline

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BASE = ROOT / "fixtures/frameworks/dsmf-1.0.json"
OUT = ROOT / "fixtures/frameworks/dsmf-1.1.json"
PREVIOUS = {"code": "DSMF", "version": "1.0"}
UNCHANGED = {
    "kind": "same",
    "zh": "口径、阈值和等级描述均未改变。",
    "en": "Definition, goalposts and level descriptors unchanged.",
}


def merged(base, parts, *, status="published"):
    """1.1 as 1.0 with the parts' nodes in place (new ones after their parent's last node), and the retired list.

    A 1.0 indicator no part rewrote continues itself unchanged. The parts are not modified.
    """
    replaced = {node["code"]: copy.deepcopy(node) for part in parts for node in part["nodes"]}
    retired = [entry for part in parts for entry in part.get("retired", [])]
    retired_codes = {entry["item"] for entry in retired}
    nodes = []
    for earlier in base["nodes"]:
        code = earlier["code"]
        if code in retired_codes:
            continue
        node = replaced.pop(code, None) or copy.deepcopy(earlier)
        indicator = node.get("indicator")
        if indicator is not None and "change" not in indicator:
            indicator["continues"] = [code]
            indicator["change"] = dict(UNCHANGED)
        nodes.append(node)
    for node in replaced.values():
        last = max(i for i, n in enumerate(nodes) if node["parent"] in (n["parent"], n["code"]))
        nodes.insert(last + 1, node)
    doc = dict(copy.deepcopy(base), version="1.1", previous=PREVIOUS, status=status, nodes=nodes)
    return doc, retired


def main():
    base = json.loads(BASE.read_text(encoding="utf-8"))
    parts = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(HERE.glob("part-*.json"))]
    doc, retired = merged(base, parts)
    texts = {"goalposts": topline.goalpost_texts(doc)}
    but = topline.but_texts(doc)
    if but:
        texts["but"] = but
    topline.apply(doc, retired, texts=texts)
    print("but convention dropped" if but else "but convention kept")
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if "--check" in sys.argv[1:]:
        if OUT.read_text(encoding="utf-8") != text:
            sys.exit(f"{OUT} differs from what the parts build: run assemble.py and commit the result")
        print(OUT, "matches the parts")
        return
    OUT.write_text(text, encoding="utf-8")
    codes = sorted(entry["item"] for entry in retired)
    print("wrote", OUT, len(doc["nodes"]), "nodes; parts:", len(parts), "; retired:", codes)


if __name__ == "__main__":
    main()
