"""Issue 18 item 6: numbers, scores and rank intervals read as a Chinese report writes them."""

import dataclasses
import re
from pathlib import Path

import polib
from django.utils import translation

from assessment.dashboards.headline import CityHeadline
from assessment.dashboards.labels import answer_text, answer_with_score_text, median_gap_text, points_text
from assessment.models import Indicator

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _indicator(kind: str, unit_zh: str = "", unit_en: str = "") -> Indicator:
    return Indicator(type=kind, unit_zh=unit_zh, unit_en=unit_en)


def test_answers_and_scores_in_chinese():
    with translation.override("zh-hans"):
        level = answer_text(_indicator(Indicator.Type.LEVEL), 0)
        assert level == "0级"
        assert answer_with_score_text(level, 0, answer_text(_indicator(Indicator.Type.LEVEL), 5)) == (
            "现为0级（0分），区域最优为5级"
        )
        assert answer_text(_indicator(Indicator.Type.QUANTITATIVE, "%", "%"), 90.0) == "90%"
        assert answer_text(_indicator(Indicator.Type.QUANTITATIVE, "个/万人", "per 10,000"), 41.7) == "41.7个/万人"
        assert median_gap_text(-34.8) == "低于区域中位数34.8分"
        assert median_gap_text(2.04) == "高于区域中位数2分"
        assert median_gap_text(0.01) == "与区域中位数持平"
        assert points_text(61.26) == "61.3分"


def test_answers_and_scores_in_english():
    with translation.override("en"):
        assert answer_text(_indicator(Indicator.Type.QUANTITATIVE, "个/万人", "per 10,000"), 41.7) == "41.7 per 10,000"
        assert median_gap_text(-34.8) == "34.8 points below the regional median"
        assert answer_with_score_text("level 0", 0, "level 5") == "now level 0 (0 points); the region's best is level 5"


def _headline(low, high) -> CityHeadline:
    values = {field.name: None for field in dataclasses.fields(CityHeadline)}
    return CityHeadline(**{**values, "interval": (low, high), "interval_coverage": "90"})


def test_the_rank_interval_reads_as_a_chinese_report_writes_it():
    with translation.override("zh-hans"):
        assert _headline(1, 1).interval_text == "排名区间：第1—1名"
        assert _headline(1, 3).interval_share_text == "（90%的权重与评定抽样落在此区间）"
        assert _headline("", "").interval_text == "" and _headline("", "").interval_share_text == ""
    with translation.override("en"):
        assert _headline(1, 3).interval_text == "Rank interval: 1–3"


LATIN_WORD = re.compile(r"[a-z]{2,}")


def test_no_english_words_in_the_chinese_of_column_headers_and_report_phrases():
    # Messages without a context: the same msgid in a context (the form's own "Answer") is a different message.
    entries = {
        entry.msgid: entry.msgstr for entry in polib.pofile(str(CATALOG)) if not entry.obsolete and not entry.msgctxt
    }
    assert entries["Answer"] == "当前水平/数值"
    for msgid in ("Confidence (high/medium/low)", "Not applicable (yes/no)"):
        assert not LATIN_WORD.search(entries[msgid]), entries[msgid]
    assert (
        "排名区间：第%(low)s—%(high)s名"
        in entries["between %(low)s and %(high)s in %(coverage)s %% of draws of the weights and the raters' judgements"]
    )
