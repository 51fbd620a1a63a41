"""Issue 16's rough edges on the dashboards: a refused compare, zero what-if weights, bare codes, the gap list."""

import re

import pytest

from accounts.roles import Role
from assessment.models import Assessment
from tests.factories import UserFactory
from tests.worlds import G60

# g60_demo and english_pages: tests/integration/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def reader(client_factory, reference_data):
    return client_factory(UserFactory(roles=[Role.STAKEHOLDER]))


def test_seven_cities_on_compare_are_refused_and_nothing_is_compared(reader, g60_demo):
    query = "cities=310000,330400,330100,330700,320500,330500,341800&period=2025"
    html = reader.get(f"/dashboards/compare/?{query}").content.decode()
    assert "Choose between 2 and 6 cities; you chose 7." in html
    assert 'data-testid="dimensions-chart"' not in html and 'data-testid="indicators-table"' not in html
    # All seven stay chosen in the form, so the reader can drop one.
    assert len(re.findall(r'<option value="\d{6}" selected>', html)) == 7
    assert reader.get(f"/dashboards/compare/data/indicators.csv?{query}").status_code == 404


def test_zero_what_if_weights_say_there_is_nothing_to_rank(reader, g60_demo):
    html = reader.get("/dashboards/regions/G60/?period=2025&w.IC=0&w.XB=0").content.decode()
    assert "All weights are zero: nothing to rank." in html
    assert 'data-testid="ranking-chart"' not in html and 'data-testid="plane-chart"' not in html
    assert 'data-testid="weight-IC"' in html  # the sliders stay, to move one above 0
    scenario = reader.get("/dashboards/regions/G60/what-if.json?period=2025&w.IC=0&w.XB=0")
    assert scenario.status_code == 422
    assert scenario.json()["detail"].startswith("All weights are zero: nothing to rank.")
    # Every dimension of both halves at 0 leaves nothing either.
    dimensions = "&".join(f"w.{code}=0" for code in ("W1", "B1", "W2", "B2", "W3", "X1", "X2", "X3", "X4", "X5", "X6"))
    assert reader.get(f"/dashboards/regions/G60/what-if.json?period=2025&{dimensions}").status_code == 422
    # One half left at 0 still ranks on the other.
    assert reader.get("/dashboards/regions/G60/what-if.json?period=2025&w.IC=0").status_code == 200


@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "en",
            [
                "B2 Breakthrough 2 · Collaboration and service aggregation",
                "X2 Mutual recognition and cross-region services",
                "X3 Shared digital resources and open interfaces",
            ],
        ),
        (
            "zh-hans",
            ["B2 第二次突破·业务协同与服务聚合", "X2 互认与跨域服务（互认/通办）", "X3 共享数字资源与开放标准接口"],
        ),
    ],
)
def test_sliders_and_the_compare_caption_name_every_dimension(reader, g60_demo, language, names):
    reader.cookies["django_language"] = language
    html = reader.get("/dashboards/regions/G60/?period=2025").content.decode()
    labels = {
        code: re.sub(r"\s+", " ", text).strip()
        for code, text in re.findall(r'<label[^>]*for="weight-(\w+)">(.*?): <output', html, re.S)
    }
    assert len(labels) == 13
    for name in names:
        assert name in labels.values(), labels
    for code, label in labels.items():
        assert label != code and label.startswith(f"{code} "), label
    compare = reader.get("/dashboards/compare/?cities=310000&cities=330100&period=2025").content.decode()
    caption = re.search(r'data-caption="dimensions">(.*?)</p>', compare, re.S).group(1)
    for name in names:
        assert name in caption, caption


def gap_cells(html: str) -> list[tuple[str, str, str]]:
    """(indicator, from, to) of the shortest list of improvements."""
    table = re.search(r'<table[^>]*data-testid="next-steps">(.*?)</table>', html, re.S)
    if table is None:
        return []
    return [
        cells[:3] for cells in (re.findall(r"<td>(.*?)</td>", row) for row in table.group(1).split("</tr>")) if cells
    ]


def test_the_gap_list_writes_answers_as_the_report_does(reader, g60_demo):
    rows = []
    for code in G60:
        rows += gap_cells(reader.get(f"/dashboards/cities/{code}/?region=G60&period=2025").content.decode())
    assert rows, "no city of the demo has a list of improvements"
    levels = [row for row in rows if row[1].startswith("level ") or row[2].startswith("level ")]
    values = [row for row in rows if row not in levels]
    assert levels and values
    for indicator, before, after in rows:
        for text in (before, after):
            assert not re.search(r"\d\.\d{3,}", text), (indicator, text)  # no float noise (90.0000488281)
            assert not re.fullmatch(r"\d+\.0( .*)?", text), (indicator, text)  # no "2.0", "5.0 items"
    for _indicator, before, after in levels:
        assert re.fullmatch(r"level \d|—", before) and re.fullmatch(r"level \d", after), (before, after)
    # Quantities carry their unit in English, never the stored Chinese one.
    assert not any(re.search(r"[\u4e00-\u9fff]", before + after) for _indicator, before, after in values), values


def test_the_gap_list_reads_as_levels_in_chinese(reader, g60_demo):
    reader.cookies["django_language"] = "zh-hans"
    assessment = Assessment.objects.filter(period=2025, city_id__in=G60).exclude(result__gap__next_stage=None).first()
    rows = gap_cells(reader.get(f"/dashboards/cities/{assessment.city_id}/?region=G60&period=2025").content.decode())
    assert rows
    assert not any(re.search(r"\d\.\d{3,}|^\d+\.0\b", before + " " + after) for _code, before, after in rows), rows
