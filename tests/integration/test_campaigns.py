"""Campaigns (issue 21, point 1): a region's assessments opened at once, re-runnable, followed on a board.

The command and the page go through the same service; the board is read by
the campaign's reviewer and administrators only (a second reviewer's team
never sees it), and downloads as CSV or XLSX with the rows the page shows.
"""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.roles import Role
from assessment.models import Assessment, Campaign, Response
from assessment.services.assessments import assessment_create, assessment_submit
from cities.models import City, Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

G60_CODES = {"310000", "320500", "330100", "330400", "330500", "330700", "340100", "340200", "341800"}


@pytest.fixture
def team(reference_data, default_framework):
    return {
        "reviewer": UserFactory(username="reviewer", roles=[Role.REVIEWER]),
        "consultant": UserFactory(username="consultant", roles=[Role.CONSULTANT]),
        "other_reviewer": UserFactory(username="reviewer-2", roles=[Role.REVIEWER]),
    }


def open_g60(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "open_campaign",
        "--region=G60",
        "--period=2026",
        "--framework=DSMF:1.0",
        "--reviewer=reviewer",
        "--consultants=consultant",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_open_campaign_creates_the_nine_g60_assessments_and_a_second_run_creates_none(team):
    assert set(Region.objects.get(code="G60").cities.values_list("code", flat=True)) == G60_CODES
    first = open_g60("--deadline=2026-03-31")
    campaign = Campaign.objects.get()
    assessments = Assessment.objects.filter(campaign=campaign)
    assert set(assessments.values_list("city_id", flat=True)) == G60_CODES
    assert "9 assessments created, 0 already there." in first
    for assessment in assessments:
        assert list(assessment.consultants.all()) == [team["consultant"]]
        assert assessment.reviewer == team["reviewer"] and str(assessment.deadline) == "2026-03-31"
        assert assessment.status == Assessment.Status.DRAFT and assessment.responses.count() == 54
    responses = Response.objects.count()

    second = open_g60()
    assert "0 assessments created, 9 already there." in second and "already open" in second
    assert Campaign.objects.count() == 1 and Assessment.objects.count() == 9 and Response.objects.count() == responses


def test_a_city_assessed_by_hand_before_joins_the_campaign_as_it_is(team, default_framework):
    hangzhou = assessment_create(
        city=City.objects.get(code="330100"),
        framework=default_framework,
        period=2026,
        consultants=[team["consultant"]],
        reviewer=team["reviewer"],
    )
    out = open_g60("--deadline=2026-03-31")
    assert "8 assessments created, 1 already there." in out
    hangzhou.refresh_from_db()
    assert hangzhou.campaign == Campaign.objects.get() and Assessment.objects.filter(city_id="330100").count() == 1
    assert str(hangzhou.deadline) == "2026-03-31"  # it had none of its own


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region=NOPE"], "There is no region NOPE."),
        (["--cities=330100,999999"], "Unknown city codes: 999999."),
        (["--region=G60", "--framework=DSMF:9.9"], "There is no published framework version DSMF:9.9"),
        (["--region=G60", "--reviewer=consultant"], "The reviewer must have the reviewer role."),
        (["--region=G60", "--deadline=31.03.2026"], "is not a date"),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_created(team, args, message):
    base = {"--period": "2026", "--framework": "DSMF:1.0", "--reviewer": "reviewer", "--consultants": "consultant"}
    for arg in args:
        key, _eq, value = arg.partition("=")
        base.pop(key, None)
        base[key] = value
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("open_campaign", *[f"{key}={value}" for key, value in base.items()], stdout=io.StringIO())
    assert not Campaign.objects.exists() and not Assessment.objects.exists()


def test_the_board_shows_every_city_with_its_state_and_filters(team, client_factory):
    open_g60()
    campaign = Campaign.objects.get()
    hangzhou = campaign.assessments.get(city_id="330100")
    first = hangzhou.responses.select_related("indicator").order_by("indicator__node__order").first()
    first.level = 3 if first.indicator.type == "level" else None
    first.value = None if first.indicator.type == "level" else 1.0
    first.save()
    reviewer = client_factory(team["reviewer"])
    page = reviewer.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    board = page.context["board"]
    assert {row.city.code for row in board.rows} == G60_CODES
    assert [count for status, _label, count in board.status_counts() if status == "draft"] == [9]
    row = next(row for row in board.rows if row.city.code == "330100")
    assert row.answered == 1 and row.total == 54 and len(row.cells) == len(board.dimensions) > 5
    for code in G60_CODES:
        assert f'data-city="{code}"' in page.content.decode()

    only_anhui = reviewer.get(f"/campaigns/{campaign.pk}/", {"province": "340000"})
    assert {row.city.code for row in only_anhui.context["board"].rows} == {"340100", "340200", "341800"}
    submitted = reviewer.get(f"/campaigns/{campaign.pk}/", {"status": "submitted"})
    assert submitted.context["board"].rows == []


def test_the_board_downloads_as_csv_and_xlsx_with_the_rows_shown(team, client_factory):
    open_g60()
    campaign = Campaign.objects.get()
    reviewer = client_factory(team["reviewer"])
    csv_text = reviewer.get(f"/campaigns/{campaign.pk}/progress.csv", {"province": "330000"}).content.decode()
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert len(rows[0]) == 10 + 11  # the ten columns of a city, then one per dimension (W1-W3, B1-B2, X1-X6)
    assert sorted(row[0] for row in rows[1:]) == ["330100", "330400", "330500", "330700"]
    xlsx = reviewer.get(f"/campaigns/{campaign.pk}/progress.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 1 + 9 and sheet.cell(row=2, column=7).value == 54
    assert reviewer.get(f"/campaigns/{campaign.pk}/progress.pdf").status_code == 404


def test_only_the_campaigns_reviewer_and_administrators_reach_its_board(team, client_factory, role_clients):
    open_g60()
    campaign = Campaign.objects.get()
    pages = [f"/campaigns/{campaign.pk}/", f"/campaigns/{campaign.pk}/progress.csv"]
    other = client_factory(team["other_reviewer"])
    for page in pages:
        assert other.get(page).status_code == 404
        assert role_clients[Role.ADMINISTRATOR].get(page).status_code == 200
        for role in (Role.CONSULTANT, Role.CITY_MANAGER, Role.STAKEHOLDER):
            assert role_clients[role].get(page).status_code == 403
    assert campaign.name not in other.get("/campaigns/").content.decode()


def test_the_page_opens_a_campaign_for_a_list_of_cities(team, client_factory, default_framework):
    reviewer = client_factory(team["reviewer"])
    data = {
        "cities": ["330100", "320500"],
        "framework": default_framework.pk,
        "period": 2027,
        "consultants": [team["consultant"].pk],
        "reviewer": team["reviewer"].pk,
    }
    reply = reviewer.post("/campaigns/new/", data)
    campaign = Campaign.objects.get()
    assert reply.status_code == 302 and reply["Location"] == f"/campaigns/{campaign.pk}/"
    assert set(campaign.assessments.values_list("city_id", flat=True)) == {"330100", "320500"}
    again = reviewer.post("/campaigns/new/", data)
    assert again.status_code == 302 and Campaign.objects.count() == 1 and Assessment.objects.count() == 2

    both = reviewer.post("/campaigns/new/", {**data, "region": "G60"})
    assert both.status_code == 200 and both.context["form"].non_field_errors()
    assert Assessment.objects.count() == 2


def test_a_submitted_city_shows_as_submitted(team, client_factory):
    open_g60()
    campaign = Campaign.objects.get()
    jiaxing = campaign.assessments.get(city_id="330400")
    from tests.assessment_builders import answer_everything

    answer_everything(jiaxing, derived_reason="Agreements signed after the record was made.")
    assessment_submit(assessment=jiaxing, user=team["consultant"])
    page = client_factory(team["reviewer"]).get(f"/campaigns/{campaign.pk}/", {"status": "submitted"})
    assert [row.city.code for row in page.context["board"].rows] == ["330400"]
    assert page.context["board"].rows[0].percent == 100
