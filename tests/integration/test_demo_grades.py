"""Demo answers are not presented as measured (issue 20, point 5).

The demo gives its answers data-quality grades so the rater model and the
annex work as for real data; the grade's name then says it is demo data, so
a screenshot without the banner cannot show "A · measured, documented method"
for an invented number. Real assessments keep the grades' own names.
"""

import re

import pytest

from assessment.dashboards.labels import quality_labels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def test_the_city_page_names_demo_grades_as_demo(manager, g60_demo):
    html = manager.get("/dashboards/cities/310000/?region=G60&period=2025").content.decode()
    table = re.search(r'data-testid="quality-table">(.*?)</table>', html, re.S).group(1)
    assert "A · demo data, not measured" in table
    assert "measured, documented method" not in table


def test_real_grades_keep_their_names():
    assert quality_labels(False)["A"] == "A · measured, documented method"
    assert quality_labels(True)["F"] == "F · demo data, not measured"
