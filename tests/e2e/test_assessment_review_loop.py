"""A consultant fills a dimension, a reviewer returns one indicator, the consultant fixes it, the reviewer approves."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessment.models import Assessment, Evidence, Framework, Indicator
from assessment.services.assessments import assessment_create, response_save
from cities.models import City
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "e2e-demo-password"
DIMENSION = "W1"


@pytest.fixture
def assessment(settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)
    users = get_user_model().objects
    consultant, reviewer = users.get(username="consultant"), users.get(username="reviewer")
    assessment = assessment_create(
        city=City.objects.get(code="330100"),
        framework=Framework.objects.get(code="DSMF", version="1.0"),
        period=2025,
        consultants=[consultant],
        reviewer=reviewer,
    )
    # Everything outside the dimension under test is answered already.
    for response in assessment.responses.select_related("indicator__node__parent"):
        indicator = response.indicator
        if indicator.node.parent.code == DIMENSION:
            continue
        values = (
            {"level": 3}
            if indicator.type == Indicator.Type.LEVEL
            else {"value": float(round((indicator.lower + indicator.upper) / 2))}
        )
        if indicator.derived_from:
            values["derived_override_reason"] = "Recorded before the agreements were entered."
        saved = response_save(response=response, user=consultant, values={**values, "source": "e2e"}, base_version=1)
        if indicator.evidence_required:
            Evidence.objects.create(response=saved, kind=Evidence.Kind.NOTE, note="e2e", uploaded_by=consultant)
    return assessment


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=main-nav]")


def response_pk(assessment, code):
    return assessment.responses.get(indicator__node__code=code).pk


def wait_saved(page, pk):
    page.wait_for_selector(f"form[data-response='{pk}'] .save-state.saved")


def test_fill_return_fix_and_approve_in_the_browser(page, live_server, assessment, tmp_path):
    form_url = f"{live_server.url}/assessments/{assessment.pk}/dimensions/{DIMENSION}/"
    sign_in(page, live_server, "consultant")
    page.goto(form_url)
    levels = [code for code in ("W1.3", "W1.4", "W1.5", "W1.6")]
    for code in levels:
        pk = response_pk(assessment, code)
        page.check(f"input[name='r{pk}-level'][value='4']")
        wait_saved(page, pk)
    for code, value in (("W1.1", "72.5"), ("W1.2", "18")):
        pk = response_pk(assessment, code)
        page.fill(f"input[name='r{pk}-value']", value)
        page.fill(f"input[name='r{pk}-value_year']", "2024")
        page.locator(f"input[name='r{pk}-value_year']").blur()
        wait_saved(page, pk)
    # A file as evidence for every level indicator of the dimension (they require evidence).
    evidence_file = tmp_path / "plan.pdf"
    evidence_file.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    for code in levels:
        pk = response_pk(assessment, code)
        section = page.locator(f"#indicator-{code.replace('.', '\\.')}")
        section.locator("details").first.evaluate("node => node.open = true")
        section.locator("input[type=file]").set_input_files(str(evidence_file))
        section.locator("[data-testid=add-evidence]").click()
        page.wait_for_selector(f"[data-testid='evidence-{code}'] a")
    # Leave and come back: everything is still there.
    page.goto(f"{live_server.url}/")
    page.goto(form_url)
    assert page.input_value(f"input[name='r{response_pk(assessment, 'W1.1')}-value']") == "72.5"
    assert page.is_checked(f"input[name='r{response_pk(assessment, 'W1.3')}-level'][value='4']")
    screenshot(page, "consultant-dimension-form")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("[data-action=submit]")
    page.wait_for_selector("[data-testid=status][data-status=submitted]")

    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("[data-action=start_review]")
    page.wait_for_selector("[data-testid=status][data-status=in_review]")
    page.goto(form_url)
    section = page.locator("#indicator-W1\\.3")
    section.locator("details").nth(1).evaluate("node => node.open = true")
    section.locator("textarea[name$='-body']").fill("4级需要全市覆盖的证据，请补充或下调。")
    section.locator("input[name$='-returns_indicator']").check()
    section.locator("[data-testid=add-comment]").click()
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("[data-action=return]")
    page.wait_for_selector("[data-testid=status][data-status=returned]")

    sign_in(page, live_server, "consultant")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    assert "W1.3" in page.locator("[data-testid=returned-indicators]").inner_text()
    page.goto(form_url)
    pk = response_pk(assessment, "W1.3")
    page.check(f"input[name='r{pk}-level'][value='3']")
    wait_saved(page, pk)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("[data-action=submit]")
    page.wait_for_selector("[data-testid=status][data-status=submitted]")

    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    # Approving takes a second, confirming click (a <details>, no script).
    page.click("[data-action=approve]")
    assert assessment.__class__.objects.get(pk=assessment.pk).status == Assessment.Status.SUBMITTED
    page.click("[data-confirm=approve]")
    page.wait_for_selector("[data-testid=result-stage]")
    stage = page.locator("[data-testid=result-stage]").inner_text()
    screenshot(page, "reviewer-approved-result")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    rung = assessment.framework.stages.get(code=assessment.result.stage)
    assert stage == f"{rung.code} · {rung.name_zh}"
    assert assessment.responses.get(indicator__node__code="W1.3").level == 3
    assert page.request_log.foreign == []
