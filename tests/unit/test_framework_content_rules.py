"""The descriptor rules of issue 20 (assessment/framework/content_rules.py), on DSMF 1.0 as shipped.

DSMF 1.0 is the counter-example the rules were written from: the review
counted 14 in-city indicators whose level 5 needs other cities and ten
level-5 descriptors that need a designation. The rules must find them all
(and nothing in the levels below 5 of the in-city half about other cities).
"""

import json
from pathlib import Path

from assessment.framework.content_rules import content_findings, in_city_indicators

DSMF_1_0 = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "frameworks" / "dsmf-1.0.json").read_text())
REVIEW_CROSS_CITY = {
    "W1.3", "W1.4", "W1.5", "W1.6", "B1.5", "W2.1", "W2.2", "W2.3", "B2.4", "W3.1", "W3.2", "W3.3", "W3.4", "W3.6",
}  # fmt: skip
REVIEW_RECOGNITION = {"W1.3", "W1.5", "B1.3", "W2.3", "W3.1", "W2.4", "W3.3", "X1.3", "X4.1", "X4.2"}


def test_the_in_city_half_is_read_from_the_tree():
    in_city = in_city_indicators(DSMF_1_0)
    assert "W1.1" in in_city and "B2.5" in in_city and "W3.6" in in_city
    assert not any(code.startswith("X") for code in in_city)


def test_the_rules_find_every_fault_the_review_counted_in_dsmf_1_0():
    findings = content_findings(DSMF_1_0)
    cross = {f.indicator for f in findings if f.rule == "cross_city_in_city_level_5" and f.language == "zh"}
    recognition = {f.indicator for f in findings if f.rule == "outside_recognition" and f.language == "zh"}
    assert cross == REVIEW_CROSS_CITY
    assert recognition == REVIEW_RECOGNITION
    assert {f.indicator for f in findings if f.rule == "outside_recognition" and f.language == "en"} == recognition
    # Measured content that merely uses the words stays out: a zone's name, "talent designations", promotion work.
    assert not [f for f in findings if f.rule == "outside_recognition" and f.level < 5]
    # The English descriptors say the same.
    assert {f.indicator for f in findings if f.rule == "cross_city_in_city_level_5" and f.language == "en"} == cross


def test_a_rewritten_level_5_passes():
    document = json.loads(json.dumps(DSMF_1_0))
    w31 = next(node for node in document["nodes"] if node["code"] == "W3.1")
    w31["indicator"]["levels"][5].update(
        zh="满足4级要求，且至少3类城市运行事件实现自动识别、自动派单，按时闭环率不低于95%。",
        en="Level 4 holds, and at least three kinds of urban events are detected and dispatched automatically, "
        "with at least 95% closed on time.",
    )
    assert not [f for f in content_findings(document) if f.indicator == "W3.1"]
