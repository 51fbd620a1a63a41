"""The statistical audit page and its PDF annex (issue 19): who may open them, what they show, both languages."""

import shutil
import subprocess
from functools import partial

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from assessment.dashboards.audit_sections import assumption_labels
from assessment.demo.load import VERSION_BY_PERIOD
from assessment.models import Report
from assessment.region_audit import region_audit
from assessment.reports.content import ReportUnavailable
from assessment.selectors.audit import audit_scope
from assessment.selectors.scoring_input import move_probability
from assessment.services.reports import report_request
from cities.models import Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The demo answers 2025 under this version (DSMF 1.1 since issue 20).
VERSION = VERSION_BY_PERIOD[2025]
AUDIT = reverse("assessment:region_audit", args=["DSMF", VERSION, "G60"]) + "?period=2025"
SECTIONS = ("coverage", "treatment", "correlations", "consistency", "halves", "influence", "sensitivity")


def _user(role: str):
    admin = role == Role.ADMINISTRATOR
    return UserFactory(roles=[role], is_staff=admin, is_superuser=admin)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.REVIEWER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.CONSULTANT, 403),
        (Role.CITY_MANAGER, 403),
        (Role.STAKEHOLDER, 403),
    ],
)
def test_only_reviewers_and_administrators_open_the_audit(g60_demo, client_factory, role, status):
    for _second in range(2):
        assert client_factory(_user(role)).get(AUDIT).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(g60_demo, client):
    response = client.get(AUDIT)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_audit_page_shows_every_section_and_names_the_assumption_that_moves_the_ranking_most(
    g60_demo, client_factory, language
):
    client = client_factory(_user(Role.REVIEWER))
    client.cookies["django_language"] = language
    page = client.get(AUDIT).content.decode()
    for section in SECTIONS:
        assert f'data-testid="audit-{section}"' in page, section
    for chart in ("dimension-correlations", "indicator-correlations", "influence", "sensitivity"):
        assert f'data-testid="{chart}-chart"' in page, chart
    verdict = page.split('data-testid="audit-sensitivity-verdict">')[1].split("</p>")[0]
    if language == "en":
        assert "The assumption that moves the ranking most is " in verdict
        assert any(name in verdict for name in ("weights", "judgement", "normalisation", "aggregation", "imputation"))
        assert "Are the plane&#x27;s two axes distinct?" in page or "Are the plane's two axes distinct?" in page
    else:
        # The page is drawn in Chinese (the audit's own sentences once the catalogue carries them).
        assert '<html lang="zh-hans"' in page and "表格视图" in page and "G60科创走廊" in page


def test_the_sensitivity_sentence_names_an_assumption_in_either_language(g60_demo, client_factory):
    reviewer = _user(Role.REVIEWER)
    scope = audit_scope(user=reviewer, framework_code="DSMF", version=VERSION, region_code="G60", period=2025)
    computed = region_audit(scope.snapshot, scope.method, partial(move_probability, scope.snapshot, scope.method))
    assert computed is not None and computed.sensitivity is not None
    assert computed.sensitivity.most_influential in assumption_labels()
    assert computed.sensitivity.samples > 0


def test_the_region_dashboard_links_to_the_audit_for_reviewers_only(g60_demo, client_factory):
    dashboard = reverse("assessment:region_dashboard", args=["G60"]) + "?period=2025"
    reviewer_page = client_factory(_user(Role.REVIEWER)).get(dashboard).content.decode()
    assert 'data-testid="audit-link"' in reviewer_page
    for role in (Role.CONSULTANT, Role.CITY_MANAGER, Role.STAKEHOLDER):
        assert 'data-testid="audit-link"' not in client_factory(_user(role)).get(dashboard).content.decode()


def test_an_unknown_version_or_region_is_a_404(g60_demo, client_factory):
    client = client_factory(_user(Role.REVIEWER))
    assert client.get(reverse("assessment:region_audit", args=["DSMF", "9.9", "G60"])).status_code == 404
    assert client.get(reverse("assessment:region_audit", args=["DSMF", VERSION, "NOPE"])).status_code == 404


def test_the_audit_annex_is_requested_by_reviewers_and_read_by_them_only(
    g60_demo, client_factory, django_capture_on_commit_callbacks
):
    region = Region.objects.get(code="G60")
    with pytest.raises(ReportUnavailable):
        report_request(user=_user(Role.CONSULTANT), kind=Report.Kind.AUDIT, period=2025, language="en", region=region)
    reviewer = _user(Role.REVIEWER)
    report = report_request(
        user=reviewer, kind=Report.Kind.AUDIT, period=2025, language="en", region=region, framework=g60_demo
    )
    assert report.kind == Report.Kind.AUDIT and report.framework == g60_demo
    detail = reverse("assessment:report_detail", args=[report.pk])
    assert client_factory(reviewer).get(detail).status_code == 200
    for role in (Role.CONSULTANT, Role.CITY_MANAGER, Role.STAKEHOLDER):
        assert client_factory(_user(role)).get(detail).status_code == 404


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium")
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["statistical audit 2025", "Data coverage and imputation", "The assumption that moves the ranking"]),
        ("zh", ["G60科创走廊", "框架", "目录", "示例数据"]),
    ],
)
def test_the_audit_annex_renders_in_both_languages(g60_demo, tmp_path, lang, expected):
    out = tmp_path / f"audit-{lang}.pdf"
    framework = f"DSMF:{VERSION}"
    call_command("render_report", "audit", region="G60", period=2025, framework=framework, lang=lang, out=str(out))
    text = " ".join(_pdf_text(out).split())
    for words in expected:
        assert words in text, words


def test_the_rater_model_reads_each_published_answers_confidence_and_grade(g60_demo):
    from assessment.models import Assessment, Indicator, Response

    reviewer = _user(Role.REVIEWER)
    assessment = Assessment.objects.standing_published().get(city_id="310000", period=2025, framework=g60_demo)
    answer = Response.objects.filter(
        assessment=assessment, indicator__type=Indicator.Type.LEVEL, level__isnull=False, not_applicable=False
    ).first()
    Response.objects.filter(pk=answer.pk).update(confidence="high", quality="A")
    scope = audit_scope(user=reviewer, framework_code="DSMF", version=VERSION, region_code="G60", period=2025)
    moves = move_probability(scope.snapshot, scope.method)
    assert moves.loc["310000", answer.indicator.node.code] == scope.method.rater_move_probability("high", "A")
    level_codes = {spec.code for spec in scope.snapshot.tree.indicators if spec.type == Indicator.Type.LEVEL}
    assert set(moves.columns) == level_codes and moves.to_numpy().max() <= 1


@pytest.mark.skipif(shutil.which("chromium") is None, reason="the report charts need Debian's chromium")
def test_the_worker_renders_a_requested_audit_annex(g60_demo, settings, tmp_path):
    from assessment.services.report_worker import report_render

    settings.MEDIA_ROOT = tmp_path
    reviewer = _user(Role.REVIEWER)
    report = report_request(
        user=reviewer, kind=Report.Kind.AUDIT, period=2025, language="en", region=Region.objects.get(code="G60")
    )
    rendered = report_render(report.pk, requeue=lambda pk: None)
    assert rendered.status == Report.Status.DONE, rendered.message
    assert rendered.filename == "dualspace-audit-G60-2025-en.pdf"
    text = " ".join(_pdf_text(rendered.file.path).split())
    assert "statistical audit 2025" in text and "The assumption that moves the ranking most is" in text
