"""Assemble fixtures/frameworks/dsmf-1.1.json from DSMF 1.0 and the parts (part-*.json) next to this file."""
import copy, json, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BASE = ROOT / "fixtures/frameworks/dsmf-1.0.json"
OUT = ROOT / "fixtures/frameworks/dsmf-1.1.json"
base = json.loads(BASE.read_text())
doc = copy.deepcopy(base)
doc["version"] = "1.1"
doc["previous"] = {"code": "DSMF", "version": "1.0"}
doc["status"] = "published"

parts = [json.loads(p.read_text()) for p in sorted(HERE.glob("part-*.json"))]
nodes = [copy.deepcopy(n) for n in base["nodes"]]
replaced = {}
retired = []
for part in parts:
    for node in part["nodes"]:
        replaced[node["code"]] = node
    retired += part.get("retired", [])
retired_codes = {r["item"] for r in retired}
out_nodes = []
for node in nodes:
    code = node["code"]
    if code in retired_codes:
        continue
    node = replaced.pop(code, node)
    ind = node.get("indicator")
    if ind is not None and "change" not in ind:
        ind["continues"] = [code]
        ind["change"] = {"kind": "same", "zh": "口径、阈值和等级描述均未改变。", "en": "Definition, goalposts and level descriptors unchanged."}
    out_nodes.append(node)
# New nodes: after the last node of their parent.
for code, node in replaced.items():
    last = max(i for i, n in enumerate(out_nodes) if n["parent"] == node["parent"] or n["code"] == node["parent"])
    out_nodes.insert(last + 1, node)
doc["nodes"] = out_nodes

# Top-level changes (see topline.py for the texts).
sys.path.insert(0, str(HERE))
import topline
texts = {'goalposts': topline.goalpost_texts(doc)}
but = topline.but_texts(doc)
if but:
    texts['but'] = but
topline.apply(doc, retired, texts=texts)
print('but convention kept' if not but else 'but convention dropped')
OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
print("wrote", OUT, len(out_nodes), "nodes; parts:", len(parts), "; retired:", sorted(retired_codes))
