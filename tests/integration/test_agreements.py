import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.roles import Role
from cities.models import Agreement, AgreementParty
from cities.network import AgreementEdge, is_in_force
from tests.unit.test_offline_assets import outside_fetches

pytestmark = pytest.mark.django_db

G60 = {"310000", "330400", "330100", "330700", "320500", "330500", "341800", "340200", "340100"}
ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "key,title_zh,title_en,domain,mode,status,parties,region,signed_on,in_force_from,"
    "expires_on,service_items,evidence_url,source\n"
)
GOOD_ROW = (
    "g60-test,测试协议,Test agreement,talent,mutual_recognition,in_force,"
    "310000:lead;330400;330100,G60,2020-01-01,2020-02-01,2030-12-31,5,"
    "https://example.org/a,test source\n"
)


@pytest.fixture
def demo_agreements(reference_data):
    call_command("load_agreements", verbosity=0)


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agreements.csv"
    path.write_text(text, encoding="utf-8")
    return path


def import_fails(tmp_path: Path, text: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("import_agreements", str(write_csv(tmp_path, text)))
    return str(raised.value)


# --- import -----------------------------------------------------------------


def test_a_good_file_creates_the_agreement_with_its_parties_and_roles(reference_data, tmp_path):
    call_command("import_agreements", str(write_csv(tmp_path, HEADER + GOOD_ROW)), verbosity=0)
    agreement = Agreement.objects.get(key="g60-test")
    assert agreement.domain == Agreement.Domain.TALENT
    assert agreement.expires_on == dt.date(2030, 12, 31)
    assert agreement.service_items == 5
    assert not agreement.is_demo
    roles = dict(agreement.party_links.values_list("city_id", "role"))
    assert roles == {"310000": "lead", "330400": "member", "330100": "member"}


def test_importing_the_same_file_twice_changes_nothing_and_adds_no_history(reference_data, tmp_path):
    path = write_csv(tmp_path, HEADER + GOOD_ROW)
    call_command("import_agreements", str(path), verbosity=0)
    call_command("import_agreements", str(path), verbosity=0)
    assert Agreement.objects.count() == 1
    assert Agreement.history.count() == 1


def test_importing_again_updates_by_key_and_replaces_the_parties(reference_data, tmp_path):
    call_command("import_agreements", str(write_csv(tmp_path, HEADER + GOOD_ROW)), verbosity=0)
    changed = GOOD_ROW.replace("310000:lead;330400;330100", "310000;330700").replace(",in_force,", ",suspended,")
    call_command("import_agreements", str(write_csv(tmp_path, HEADER + changed)), verbosity=0)
    agreement = Agreement.objects.get(key="g60-test")
    assert agreement.status == Agreement.Status.SUSPENDED
    assert set(agreement.parties.values_list("code", flat=True)) == {"310000", "330700"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("g60-test,", "g60 test,", "column “key”"),
        (",talent,", ",sports,", "column “domain”: “sports” is not one of"),
        (",mutual_recognition,", ",handshake,", "column “mode”"),
        (",in_force,", ",alive,", "column “status”"),
        ("310000:lead;330400;330100", "310000", "at least two cities"),
        ("310000:lead;330400;330100", "310000;999999", "unknown city 999999"),
        ("310000:lead;330400;330100", "310000;310000:lead", "listed twice"),
        (
            "310000:lead;330400;330100",
            "310000:chair;330400",
            "column “parties”: “chair” is not one of",
        ),
        (",G60,", ",G99,", "unknown region G99"),
        ("2020-02-01", "1 Feb 2020", "column “in_force_from”: “1 Feb 2020” is not a date"),
        ("2030-12-31", "2019-12-31", "column “expires_on”: 2019-12-31 is before"),
        (",5,", ",five,", "column “service_items”: “five” is not a whole number"),
        ("https://example.org/a", "javascript:alert(1)", "column “evidence_url”"),
        ("测试协议", "", "column “title_zh”: is empty"),
    ],
)
def test_a_bad_agreement_row_is_reported_by_line_and_column_and_nothing_is_written(
    reference_data, tmp_path, old, new, expected
):
    other = GOOD_ROW.replace("g60-test", "g60-other")
    message = import_fails(tmp_path, HEADER + other + GOOD_ROW.replace(old, new, 1))
    assert "line 3" in message
    assert expected in message
    assert "nothing was written" in message
    assert Agreement.objects.count() == 0
    assert AgreementParty.objects.count() == 0


def test_a_key_used_twice_in_one_file_is_refused(reference_data, tmp_path):
    message = import_fails(tmp_path, HEADER + GOOD_ROW + GOOD_ROW)
    assert "line 3, column “key”: g60-test already appears on line 2" in message
    assert Agreement.objects.count() == 0


def test_a_file_without_the_parties_column_names_it(reference_data, tmp_path):
    message = import_fails(tmp_path, "key,title_zh\nx,y\n")
    assert "missing columns" in message and "parties" in message


def test_problems_are_reported_in_chinese_under_a_chinese_language(reference_data, tmp_path):
    from django.utils import translation

    with translation.override("zh-hans"):
        message = import_fails(tmp_path, HEADER + GOOD_ROW.replace(",G60,", ",G99,"))
    assert "G99" in message
    assert "nothing was written" not in message


# --- demo agreements --------------------------------------------------------


def test_loading_the_demo_agreements_twice_changes_nothing(demo_agreements):
    before = (Agreement.objects.count(), AgreementParty.objects.count(), Agreement.history.count())
    call_command("load_agreements", verbosity=0)
    assert (
        Agreement.objects.count(),
        AgreementParty.objects.count(),
        Agreement.history.count(),
    ) == before
    assert before[0] >= 20


def test_demo_agreements_are_marked_demo_or_name_their_source(demo_agreements):
    for agreement in Agreement.objects.all():
        assert agreement.is_demo or agreement.source, agreement.key
        assert agreement.party_links.count() >= 2, agreement.key
    one_network = Agreement.objects.get(key="g60-enterprise-one-network")
    assert set(one_network.parties.values_list("code", flat=True)) == G60
    assert one_network.mode == Agreement.Mode.JOINT_HANDLING


# --- pages ------------------------------------------------------------------


def network_url(code: str = "G60", **query: str) -> str:
    url = reverse("cities:region_network", args=[code])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def figure_json(page: str, name: str) -> dict:
    match = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    assert match, name
    return json.loads(match.group(1))


@pytest.mark.parametrize(("language", "expected"), [("zh-hans", "嘉兴"), ("en", "Jiaxing")])
def test_the_g60_network_page_renders_in_both_languages_with_all_nine_cities(
    demo_agreements, client_factory, user_with_role, language, expected
):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = language
    response = client.get(network_url(view="graph"))  # the default view is the domain matrix
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    figure = figure_json(page, "network-figure")
    cities = figure["data"][-1]
    assert len(cities["customdata"]) == 9
    assert {code for code, _degree in cities["customdata"]} == G60
    assert expected in cities["text"]
    heatmap = figure_json(page, "coverage-figure")
    assert len(heatmap["data"][0]["z"]) == 9
    assert 'src="/static/vendor/plotly/plotly-dualspace.min.js"' in page
    assert 'src="/static/js/charts.js"' in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_legend_and_axes_follow_the_language(demo_agreements, client_factory, user_with_role, language):
    from django.utils import translation

    client = client_factory(user_with_role(Role.CONSULTANT))
    client.cookies["django_language"] = language
    figure = figure_json(client.get(network_url(view="graph")).content.decode(), "network-figure")
    with translation.override(language):
        expected_legend = str(Agreement.Domain.ENTERPRISE_SERVICES.label)
        expected_axis = translation.gettext("Longitude (°E)")
    assert expected_legend in {trace["name"] for trace in figure["data"][:-1]}
    assert figure["layout"]["xaxis"]["title"]["text"] == expected_axis
    if language == "en":
        assert expected_legend == "Enterprise services"


def test_an_expired_agreement_does_not_count(reference_data, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.REVIEWER))
    agreement = Agreement.objects.create(
        key="old",
        title_zh="旧协议",
        title_en="Old",
        domain=Agreement.Domain.TRANSPORT,
        mode=Agreement.Mode.COMMON_STANDARD,
        status=Agreement.Status.IN_FORCE,
        in_force_from=dt.date(2018, 1, 1),
        expires_on=dt.date(2020, 12, 31),
    )
    AgreementParty.objects.create(agreement=agreement, city_id="310000")
    AgreementParty.objects.create(agreement=agreement, city_id="330400")
    while_in_force = client.get(network_url(on="2019-06-01")).content.decode()
    # 1 of 36 pairs in 1 of 16 domains: 1 / 576 of the pair × domain cells.
    assert re.search(r'data-testid="domain-coverage">[^<]*[(（]0\.2%[)）]', while_in_force)
    page = client.get(network_url(on="2024-06-01", view="graph")).content.decode()
    assert re.search(r'data-testid="domain-coverage">[^<]*[(（]0\.0%[)）]', page)
    assert len(figure_json(page, "network-figure")["data"]) == 1  # cities only, no edges


def test_the_domain_filter_leaves_islands(demo_agreements, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    client.cookies["django_language"] = "en"
    page = client.get(network_url(domain="talent")).content.decode()
    islands = page.split('data-testid="islands"')[1].split("</ul>")[0]
    assert "Wuhu" in islands and "Xuancheng" in islands
    assert "Hefei" not in islands


def test_the_surge_form_returns_a_coverage_number(demo_agreements, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.CITY_MANAGER))
    url = network_url(**{"surge-domain": "talent", "surge-shocked": "310000", "surge-share": "10"})
    page = client.get(url).content.decode()
    coverage = re.search(r'data-testid="surge-coverage">([\d.]+)%<', page)
    assert coverage, page[-3000:]
    assert 0 < float(coverage.group(1)) < 100  # Shanghai's talent partners exclude Wuhu and Xuancheng
    assert 'data-testid="surge-best"' in page
    assert 'data-testid="surge-pairs"' in page


def test_a_bad_surge_share_shows_an_error_and_no_result(demo_agreements, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    url = network_url(**{"surge-domain": "talent", "surge-shocked": "310000", "surge-share": "150"})
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="surge-result"' not in response.content.decode()


def test_an_unknown_region_is_404(reference_data, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    assert client.get(network_url("NOPE")).status_code == 404


def test_agreement_pages_need_a_login(demo_agreements, client):
    for url in (reverse("cities:agreement_list"), network_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# Every role but the two narrow ones: the auditor reads the audit log only, a city respondent their
# self-submission only (tests/security/test_auditor.py, test_respondent.py).
@pytest.mark.parametrize("role", [role for role in Role.values if role not in (Role.AUDITOR, Role.RESPONDENT)])
def test_every_role_may_read_the_agreement_pages(demo_agreements, role_clients, role):
    client = role_clients[role]
    for url in (
        reverse("cities:agreement_list"),
        reverse("cities:agreement_detail", args=["g60-enterprise-one-network"]),
        network_url(),
    ):
        assert client.get(url).status_code == 200, url


def test_the_agreement_list_filters_by_domain_and_region(demo_agreements, client_factory, user_with_role):
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    page = client.get(reverse("cities:agreement_list") + "?domain=transport&region=JJJ").content.decode()
    assert reverse("cities:agreement_detail", args=["jjj-transport-card"]) in page
    assert reverse("cities:agreement_detail", args=["g60-talent-mutual-recognition"]) not in page


def test_the_evidence_link_does_not_leak_the_referrer(reference_data, client_factory, user_with_role, tmp_path):
    call_command("import_agreements", str(write_csv(tmp_path, HEADER + GOOD_ROW)), verbosity=0)
    client = client_factory(user_with_role(Role.STAKEHOLDER))
    page = client.get(reverse("cities:agreement_detail", args=["g60-test"])).content.decode()
    assert 'href="https://example.org/a" rel="noopener noreferrer"' in page


def test_the_network_templates_refer_to_no_outside_url():
    for name in ("region_network.html", "agreement_list.html", "agreement_detail.html"):
        path = ROOT / "templates" / "cities" / name
        text = path.read_text(encoding="utf-8")
        assert outside_fetches(path) == []
        assert "<script>" not in text and "style=" not in text
    charts = (ROOT / "static" / "js" / "charts.js").read_text(encoding="utf-8")
    assert "http" not in charts
    assert (ROOT / "static" / "vendor" / "plotly" / "plotly-dualspace.min.js").stat().st_size > 1_000_000


def test_the_admin_lists_filters_and_edits_agreements(demo_agreements, role_clients):
    client = role_clients[Role.ADMINISTRATOR]
    agreement = Agreement.objects.get(key="jjj-transport-card")
    assert client.get(reverse("admin:cities_agreement_changelist") + "?domain=transport&q=天津").status_code == 200
    page = client.get(reverse("admin:cities_agreement_change", args=[agreement.pk])).content.decode()
    assert "agreement_parties" in page or "party_links" in page
    assert client.get(reverse("admin:cities_agreement_history", args=[agreement.pk])).status_code == 200


def test_an_agreement_recorded_in_force_reads_expired_after_its_expiry_date(reference_data, client_factory):
    """The page, the list's status filter and the query agree with the network's count (is_in_force)."""
    from django.utils import timezone

    from tests.factories import UserFactory

    today = timezone.localdate()
    lapsed = Agreement.objects.create(
        key="lapsed", title_zh="已到期协议", title_en="Lapsed agreement", domain="talent", mode="mutual_recognition",
        status=Agreement.Status.IN_FORCE, in_force_from=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=1),
    )  # fmt: skip
    running = Agreement.objects.create(
        key="running", title_zh="生效协议", title_en="Running agreement", domain="talent", mode="mutual_recognition",
        status=Agreement.Status.IN_FORCE, expires_on=today,
    )  # fmt: skip
    coming = Agreement.objects.create(
        key="coming", title_zh="待生效协议", title_en="Coming agreement", domain="talent", mode="mutual_recognition",
        status=Agreement.Status.IN_FORCE, in_force_from=today + dt.timedelta(days=1),
    )  # fmt: skip
    ended = Agreement.objects.create(
        key="ended", title_zh="已终止协议", title_en="Ended agreement", domain="talent", mode="mutual_recognition",
        status=Agreement.Status.EXPIRED, in_force_from=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=1),
    )  # fmt: skip
    assert [a.status_on(today) for a in (lapsed, running, coming, ended)] == [
        "expired",
        "in_force",
        "signed",
        "in_force",  # recorded expired, but between its dates: in force then, as the network counts it
    ]
    assert lapsed.status_on(today - dt.timedelta(days=1)) == "in_force"
    days = [today + dt.timedelta(days=shift) for shift in (-400, -31, -30, -1, 0, 1, 2)]
    for on in days:
        by_query = dict(Agreement.objects.annotate(now=Agreement.status_on_expression(on)).values_list("key", "now"))
        assert by_query == {a.key: a.status_on(on) for a in Agreement.objects.all()}
        # The one rule with the network's count: "in force" on a day exactly when the network counts it.
        for a in Agreement.objects.all():
            edge = AgreementEdge(a.key, a.domain, a.mode, a.status, a.in_force_from, a.expires_on, ())
            assert (a.status_on(on) == "in_force") == is_in_force(edge, on), (a.key, on)
    client = client_factory(UserFactory(roles=[Role.STAKEHOLDER]))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("cities:agreement_detail", args=["lapsed"])).content.decode()
    assert ">Expired<" in page and ">In force<" not in page
    listed = client.get(reverse("cities:agreement_list") + "?status=in_force").content.decode()
    assert "Running agreement" in listed and "Lapsed agreement" not in listed and "Coming agreement" not in listed
    expired = client.get(reverse("cities:agreement_list") + "?status=expired").content.decode()
    assert "Lapsed agreement" in expired and "Running agreement" not in expired and "Ended agreement" not in expired


def test_an_agreements_notes_follow_the_page_language_and_fall_back_on_the_other(demo_agreements, client_factory):
    from tests.factories import UserFactory

    client = client_factory(UserFactory(roles=[Role.STAKEHOLDER]))
    url = reverse("cities:agreement_detail", args=["g60-talent-mutual-recognition"])
    chinese = client.get(url).content.decode()
    assert "示例：芜湖、宣城不是参与方" in chinese and "示例：为演示而虚构" in chinese
    assert "Wuhu and Xuancheng" not in chinese and "invented for demonstration" not in chinese
    assert '<li class="breadcrumb-item active" aria-current="page">G60科创走廊人才资质互认（示例）</li>' in chinese
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "Demo: Wuhu and Xuancheng are not parties" in english and "示例：芜湖" not in english
    # A note written in one language only is shown on both pages.
    only = Agreement.objects.get(key="g60-talent-mutual-recognition")
    only.evidence_note_en = ""
    only.save()
    assert "示例：芜湖、宣城不是参与方" in client.get(url).content.decode()


def test_the_english_columns_are_optional_and_imported_when_present(reference_data, tmp_path):
    call_command("import_agreements", str(write_csv(tmp_path, HEADER + GOOD_ROW)), verbosity=0)
    assert Agreement.objects.get(key="g60-test").source_en == ""
    header = HEADER.strip() + ",evidence_note,source_en,evidence_note_en\n"
    call_command(
        "import_agreements",
        str(write_csv(tmp_path, header + GOOD_ROW.strip() + ",测试说明,test source in English,a note\n")),
        verbosity=0,
    )
    made = Agreement.objects.get(key="g60-test")
    assert (made.evidence_note, made.source_en, made.evidence_note_en) == (
        "测试说明",
        "test source in English",
        "a note",
    )
    # A file of the older format, without the English columns, keeps the English stored before.
    call_command("import_agreements", str(write_csv(tmp_path, HEADER + GOOD_ROW)), verbosity=0)
    made.refresh_from_db()
    assert (made.source_en, made.evidence_note_en) == ("test source in English", "a note")
