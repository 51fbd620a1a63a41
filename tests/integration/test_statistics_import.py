"""Bulk statistics import (issue 21, point 3): one file fills a campaign's quantitative answers, all or nothing.

Through `manage.py import_statistics` and the service under it: a good file
fills every listed answer of the nine G60 assessments with its source, year
and provenance; one bad cell writes nothing and is named by line and column;
an answer someone else entered is a conflict that is shown, never silently
overwritten, until the user chooses.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.roles import Role
from assessment.models import Campaign, Response
from assessment.services.assessments import response_save
from assessment.services.statistics_import import statistics_apply, statistics_check
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

G60 = ["310000", "320500", "330100", "330400", "330500", "330700", "340100", "340200", "341800"]
COLUMNS = ["W1.1", "W1.2", "B2.1"]


@pytest.fixture
def campaign(reference_data, default_framework):
    UserFactory(username="reviewer", roles=[Role.REVIEWER])
    UserFactory(username="consultant", roles=[Role.CONSULTANT])
    call_command(
        "open_campaign",
        "--region=G60",
        "--period=2026",
        "--framework=DSMF:1.0",
        "--reviewer=reviewer",
        "--consultants=consultant",
        stdout=io.StringIO(),
    )
    return Campaign.objects.get()


def csv_file(tmp_path, rows: list[list[str]], name: str = "yearbook-2025.csv"):
    path = tmp_path / name
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def good_rows() -> list[list[str]]:
    header = ["city_code", "城市", "source", "year", *COLUMNS, "W1.2 year"]
    body = [
        [code, "x", "2025年统计年鉴", "2025", f"{50 + n}", f"{10 + n / 10}", f"{60 + n}", "2024"]
        for n, code in enumerate(G60)
    ]
    return [header, *body]


def run(path, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "import_statistics", str(path), "--region=G60", "--period=2026", "--user=consultant", *extra, stdout=out
    )
    return out.getvalue()


def answered(campaign) -> int:
    return Response.objects.filter(assessment__campaign=campaign, value__isnull=False).count()


def test_a_good_file_fills_every_listed_answer_with_its_source_year_and_provenance(campaign, tmp_path):
    out = run(csv_file(tmp_path, good_rows()))
    assert "27 answers written from yearbook-2025.csv." in out
    assert answered(campaign) == 27
    hangzhou = Response.objects.get(
        assessment__campaign=campaign, assessment__city_id="330100", indicator__node__code="W1.2"
    )
    assert (hangzhou.value, hangzhou.value_year, hangzhou.source) == (10.2, 2024, "2025年统计年鉴")
    assert hangzhou.imported_from == "yearbook-2025.csv" and hangzhou.imported_at is not None
    assert hangzhou.updated_by.username == "consultant" and hangzhou.unit == "个/万人"
    last = hangzhou.history.latest()
    assert (
        last.history_change_reason == "statistics import: yearbook-2025.csv"
        and last.history_user.username == "consultant"
    )
    # Again: nothing left to fill.
    assert "0 answers to fill, 0 conflicts, 27 already as in the file." in run(csv_file(tmp_path, good_rows()))


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda rows: rows[4].__setitem__(5, "n/a"), "line 5, column “W1.2”: “n/a” is not a number."),
        (lambda rows: rows[3].__setitem__(4, "150"), "line 4, column “W1.1”: 150 is outside the plausible range"),
        (
            lambda rows: rows[2].__setitem__(0, "110000"),
            "line 3, column “city_code”: “110000” is not a city of this campaign.",
        ),
        (lambda rows: rows[0].__setitem__(6, "W9.9"), "line 1, column “W9.9”: not an indicator of DSMF 1.0"),
        (lambda rows: rows[0].__setitem__(6, "W1.3"), "line 1, column “W1.3”: a level indicator"),
        (
            lambda rows: rows[6].__setitem__(3, "2027"),
            "line 7, column “W1.1”: the year “2027” is not a year from 2000 to the period 2026.",
        ),
        (lambda rows: rows[9].__setitem__(0, "310000"), "line 10, column “city_code”: 310000 is on line 2 already."),
    ],
)
def test_one_bad_cell_writes_nothing_and_is_named_by_line_and_column(campaign, tmp_path, edit, where):
    rows = good_rows()
    edit(rows)
    with pytest.raises(CommandError) as refused:
        run(csv_file(tmp_path, rows))
    assert where in str(refused.value) and "nothing was written" in str(refused.value)
    assert answered(campaign) == 0


def test_an_answer_someone_else_entered_is_a_conflict_until_the_user_chooses(campaign, tmp_path):
    colleague = UserFactory(username="colleague", roles=[Role.CONSULTANT])
    hangzhou = campaign.assessments.get(city_id="330100")
    hangzhou.consultants.add(colleague)
    theirs = hangzhou.responses.get(indicator__node__code="W1.1")
    response_save(response=theirs, user=colleague, values={"value": 71.0}, base_version=theirs.version)
    path = csv_file(tmp_path, good_rows())

    with pytest.raises(CommandError, match="choose --replace-conflicts or --keep-conflicts"):
        out = run(path)
    assert answered(campaign) == 1
    shown = run(path, "--dry-run")
    assert "Hangzhou W1.1: colleague entered 71; the file says 52." in shown
    assert "26 answers to fill, 1 conflicts" in shown

    assert "26 answers written" in run(path, "--keep-conflicts")
    theirs.refresh_from_db()
    assert theirs.value == 71.0 and theirs.updated_by == colleague and theirs.imported_from == ""
    out = run(path, "--replace-conflicts")
    assert "1 answers written" in out
    theirs.refresh_from_db()
    assert theirs.value == 52.0 and theirs.imported_from == "yearbook-2025.csv"


def test_an_answer_changed_after_the_check_stops_the_whole_import(campaign, tmp_path):
    consultant = campaign.assessments.first().consultants.get()
    data = csv_file(tmp_path, good_rows()).read_bytes()
    check = statistics_check(campaign=campaign, data=data, filename="f.csv", user=consultant)
    moved = check.changes[10].response
    response_save(response=moved, user=consultant, values={"value": 1.0}, base_version=moved.version)
    with pytest.raises(Exception, match="someone changed this answer since the file was checked"):
        statistics_apply(check=check, user=consultant)
    assert answered(campaign) == 1


def test_an_xlsx_with_a_column_of_sources_per_indicator(campaign, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["城市代码", "W1.1", "W1.1 来源", "W1.1 年份"])
    for n, code in enumerate(G60):
        sheet.append([int(code), 40 + n, "工信部通信业统计公报", 2025])
    path = tmp_path / "gigabit.xlsx"
    book.save(path)
    assert "9 answers written from gigabit.xlsx." in run(path)
    wuhu = Response.objects.get(assessment__city_id="340200", indicator__node__code="W1.1")
    assert (wuhu.value, wuhu.value_year, wuhu.source) == (47.0, 2025, "工信部通信业统计公报")


def test_a_submitted_assessment_is_named_and_keeps_its_answers(campaign, tmp_path):
    from assessment.models import Assessment

    Assessment.objects.filter(campaign=campaign, city_id="320500").update(status=Assessment.Status.SUBMITTED)
    with pytest.raises(CommandError, match="line 3, column “city_code”: the assessment of Suzhou is submitted"):
        run(csv_file(tmp_path, good_rows()))


def test_the_page_checks_shows_the_conflicts_and_writes_only_what_was_ticked(campaign, tmp_path, client_factory):
    from django.core.files.uploadedfile import SimpleUploadedFile

    reviewer = client_factory(campaign.reviewer)
    colleague = UserFactory(username="colleague", roles=[Role.CONSULTANT])
    hangzhou = campaign.assessments.get(city_id="330100")
    hangzhou.consultants.add(colleague)
    theirs = hangzhou.responses.get(indicator__node__code="W1.1")
    response_save(response=theirs, user=colleague, values={"value": 71.0}, base_version=theirs.version)
    data = csv_file(tmp_path, good_rows()).read_bytes()

    bad = good_rows()
    bad[4][5] = "n/a"
    page = reviewer.post(
        f"/campaigns/{campaign.pk}/statistics/",
        {"file": SimpleUploadedFile("bad.csv", csv_file(tmp_path, bad).read_bytes())},
    )
    assert [(p.row, p.column) for p in page.context["check"].problems] == [(5, "W1.2")]
    assert "token" not in page.context and answered(campaign) == 1

    page = reviewer.post(f"/campaigns/{campaign.pk}/statistics/", {"file": SimpleUploadedFile("good.csv", data)})
    assert page.status_code == 200 and len(page.context["check"].changes) == 26
    assert [change.response.pk for change, _text in page.context["conflicts"]] == [theirs.pk]
    assert answered(campaign) == 1  # checked, not written
    applied = reviewer.post(
        f"/campaigns/{campaign.pk}/statistics/apply/", {"token": page.context["token"], "replace": [str(theirs.pk)]}
    )
    assert applied.status_code == 302 and applied["Location"] == f"/campaigns/{campaign.pk}/"
    theirs.refresh_from_db()
    assert answered(campaign) == 27 and theirs.value == 52.0 and theirs.imported_from == "good.csv"
    # The token is used up: a second apply writes nothing more.
    again = reviewer.post(f"/campaigns/{campaign.pk}/statistics/apply/", {"token": page.context["token"]})
    assert again.status_code == 302 and again["Location"].endswith("/statistics/")


def test_another_reviewer_cannot_import_into_the_campaign(campaign, tmp_path, client_factory):
    from django.core.files.uploadedfile import SimpleUploadedFile

    other = client_factory(UserFactory(username="reviewer-2", roles=[Role.REVIEWER]))
    data = csv_file(tmp_path, good_rows()).read_bytes()
    assert other.get(f"/campaigns/{campaign.pk}/statistics/").status_code == 404
    assert (
        other.post(f"/campaigns/{campaign.pk}/statistics/", {"file": SimpleUploadedFile("g.csv", data)}).status_code
        == 404
    )
    assert answered(campaign) == 0


def test_one_file_fills_every_quantitative_answer_of_the_campaign(campaign, tmp_path):
    from assessment.models import Indicator

    indicators = [
        indicator
        for indicator in Indicator.objects.filter(node__framework=campaign.framework).select_related("node")
        if indicator.type != Indicator.Type.LEVEL and not indicator.derived_from
    ]
    assert len(indicators) >= 15
    header = ["city_code", "source", "year", *(i.node.code for i in indicators)]
    rows = [header]
    for n, code in enumerate(G60):
        cells = []
        for indicator in indicators:
            # Inside the goalposts, a whole number (counts are), different per city.
            span = indicator.upper - indicator.lower
            cells.append(str(int(indicator.lower + span * (0.3 + 0.05 * n))))
        rows.append([code, "2025年统计公报", "2025", *cells])
    out = run(csv_file(tmp_path, rows))
    assert f"{9 * len(indicators)} answers written" in out
    filled = Response.objects.filter(
        assessment__campaign=campaign, indicator__in=indicators, value__isnull=False, imported_from="yearbook-2025.csv"
    )
    assert filled.count() == 9 * len(indicators)
