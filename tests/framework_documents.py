"""A small valid framework document for tests to break one invariant at a time."""

import copy
from typing import Any


def _text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _indicator(kind: str, **overrides: Any) -> dict[str, Any]:
    indicator = {
        "type": kind,
        "unit": _text("%", "%")
        if kind == "quantitative"
        else _text("项", "items")
        if kind == "count"
        else _text("", ""),
        "direction": 1,
        "lower": 0,
        "upper": 5 if kind == "level" else 100,
        "target": None,
        "critical": False,
        "evidence": _text("政策文件", "Policy document"),
        "evidence_required": True,
        "references": {"gbt33356_2022": "", "u4ssc": "", "iso37122": ""},
        "levels": [{"level": level, "zh": f"第{level}级描述", "en": f"Level {level} descriptor"} for level in range(6)]
        if kind == "level"
        else None,
        "continues": [],
        "derived_from": None,
    }
    indicator.update(overrides)
    return indicator


def _node(code: str, parent: str | None, kind: str, order: int, weight: float = 1, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "parent": parent,
        "kind": kind,
        "order": order,
        "weight": weight,
        "name": _text(f"节点{code}", f"Node {code}"),
        "description": _text("", ""),
        **extra,
    }


BASE_DOCUMENT: dict[str, Any] = {
    "format": "dualspace-framework",
    "format_version": 1,
    "code": "TEST",
    "version": "1.0",
    "status": "draft",
    "previous": None,
    "name": _text("测试框架", "Test framework"),
    "description": _text("说明", "Description"),
    "methodology": _text("方法", "Method"),
    "normalisation": "goalposts",
    "aggregation": {"dimension": "arithmetic", "index": "arithmetic"},
    "stage_threshold": 60,
    "critical_floor": 40,
    "stages": [
        {"code": "S0", "order": 0, "requires": [], "name": _text("起步", "Start"), "description": _text("无", "None")},
        {"code": "S1", "order": 1, "requires": ["D1"], "name": _text("一阶", "One"), "description": _text("D1", "D1")},
    ],
    "nodes": [
        _node("ROOT", None, "index", 1),
        _node("D1", "ROOT", "dimension", 1, 2),
        _node("D1.1", "D1", "indicator", 1, 1, indicator=_indicator("level", critical=True)),
        _node("D1.2", "D1", "indicator", 2, 3, indicator=_indicator("quantitative")),
        _node("D2", "ROOT", "dimension", 2, 1),
        _node("D2.1", "D2", "indicator", 1, 1, indicator=_indicator("count", upper=50)),
    ],
}


def valid_document() -> dict[str, Any]:
    return copy.deepcopy(BASE_DOCUMENT)


def node(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(entry for entry in document["nodes"] if entry["code"] == code)
