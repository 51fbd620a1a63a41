"""Rules on what a framework's level descriptors may ask for (issue 20), read from its JSON document.

Pure Python: no Django.

Two faults the December 2026 domain review found in DSMF 1.0, both about
what a level rewards rather than how it is scored:

- **Cross-boundary work in the in-city half.** Level 5 of an in-city
  indicator (under the index's first half, IC in DSMF) must describe in-city
  excellence. When it asks for work with other cities it counts the
  cross-boundary half twice, ties the plane's two axes together by
  construction, and caps a city without neighbours at level 4.
- **Outside recognition.** No level may depend on a designation, a model
  case, a pilot status or adoption by others: that rewards visibility and
  central selection, not capability.

The wording is matched in both languages (the Chinese descriptor is
authoritative; the English one must say the same). A match is a finding for
a person to read, named by indicator, level and language, with the words
that matched.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CROSS_CITY = {
    "zh": re.compile(r"相邻城市|其他城市|合作城市|外地|兄弟城市|城市群|跨城|跨域|区域(?!内)|异地|长三角|京津冀"),
    "en": re.compile(r"neighbou?ring cit|other cit|partner cit|cross-(?:city|boundary|region)|regional|cluster", re.I),
}
RECOGNITION = {
    # 示范区 is a place (长三角生态绿色一体化发展示范区), 列为要求 a requirement: neither is recognition.
    "zh": re.compile(
        r"典型案例|典型推广|发文推广|被[^，。；]{0,15}(?:采用|推广)|获评|称号|试点城市|列为(?:典型|示范|试点)|范例|示范(?!区)"
    ),
    # "Talent designations" and "investment promotion" are what a level measures, not a reward for it.
    "en": re.compile(
        r"model case|as a model|adopted by|promotes? the (?:city's )?(?:approach|mechanism)"
        r"|holds? a [^.;]{0,50}designation|designated [^.;]{0,30}pilot|award",
        re.I,
    ),
}


@dataclass(frozen=True)
class ContentFinding:
    indicator: str
    level: int
    language: str
    rule: str  # "cross_city_in_city_level_5" or "outside_recognition"
    words: str


def in_city_indicators(document: Mapping[str, Any]) -> set[str]:
    """Indicator codes under the index's first half (the in-city half), by the document's parents."""
    nodes = {node["code"]: node for node in document["nodes"]}
    root = next(code for code, node in nodes.items() if node["parent"] is None)
    halves = sorted((node for node in nodes.values() if node["parent"] == root), key=lambda node: node["order"])
    if not halves:
        return set()
    first = halves[0]["code"]

    def under(code: str) -> bool:
        parent = nodes[code]["parent"]
        while parent is not None:
            if parent == first:
                return True
            parent = nodes[parent]["parent"]
        return False

    return {code for code, node in nodes.items() if node.get("indicator") and under(code)}


def content_findings(document: Mapping[str, Any]) -> list[ContentFinding]:
    """Every level descriptor that breaks one of the two rules, in document order."""
    in_city = in_city_indicators(document)
    found: list[ContentFinding] = []
    for node in document["nodes"]:
        indicator = node.get("indicator") or {}
        for level in indicator.get("levels") or []:
            for language in ("zh", "en"):
                text = level.get(language, "")
                if level["level"] == 5 and node["code"] in in_city:
                    match = CROSS_CITY[language].search(text)
                    if match:
                        found.append(
                            ContentFinding(node["code"], 5, language, "cross_city_in_city_level_5", match.group(0))
                        )
                match = RECOGNITION[language].search(text)
                if match:
                    found.append(
                        ContentFinding(node["code"], level["level"], language, "outside_recognition", match.group(0))
                    )
    return found
