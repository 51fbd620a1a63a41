"""Autosave in the browser (issue 16): back from a sign-in in another tab, and "Keep my values".

* The session ends (signed out in another page of the same browser) while the
  consultant types; they sign in again in another tab. The first page picks up
  the new session and CSRF token and saves what was typed, without a reload.
* Someone else saves the comment of an answer after the page opened; the
  consultant changes its value, gets the conflict panel and keeps their
  values: the value is theirs, the other person's comment stays.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.roles import Role
from assessment.models import Framework
from assessment.services.assessments import assessment_create, response_save
from cities.models import City
from tests.e2e.test_assessment_review_loop import PASSWORD, response_pk, sign_in, wait_saved
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assessment(settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)
    consultant = get_user_model().objects.get(username="consultant")
    colleague = UserFactory(roles=[Role.CONSULTANT])
    return assessment_create(
        city=City.objects.get(code="330100"),
        framework=Framework.objects.get(code="DSMF", version="1.0"),
        period=2025,
        consultants=[consultant, colleague],
    )


def stored(assessment, code):
    return assessment.responses.get(indicator__node__code=code)


def test_typing_after_the_session_ended_is_saved_once_signed_in_again_in_another_tab(page, live_server, assessment):
    sign_in(page, live_server, "consultant")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/dimensions/W1/")
    pk = response_pk(assessment, "W1.2")
    # Another tab of the same browser signs out: this page's session is gone.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    with other.expect_navigation():
        other.evaluate("document.querySelector('[data-testid=logout]').closest('form').requestSubmit()")
    page.fill(f"input[name='r{pk}-value']", "18")
    page.locator(f"input[name='r{pk}-value']").blur()
    page.wait_for_selector(f"form[data-response='{pk}'] .save-state.failed")
    assert "登录" in page.locator(f"form[data-response='{pk}'] .save-state").inner_text()
    assert stored(assessment, "W1.2").value is None
    # Signed in again over there (a new session, a new CSRF token) ...
    other.goto(f"{live_server.url}/accounts/login/")
    other.fill("input[name=username]", "consultant")
    other.fill("input[name=password]", PASSWORD)
    other.click("[data-testid=login-submit]")
    other.wait_for_selector("[data-testid=main-nav]")
    # ... and back here, without a reload: the typing is saved.
    page.bring_to_front()
    wait_saved(page, pk)
    assert stored(assessment, "W1.2").value == 18
    assert page.request_log.foreign == []


def test_keep_my_values_leaves_the_comment_the_other_person_saved(page, live_server, assessment):
    sign_in(page, live_server, "consultant")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/dimensions/W1/")
    pk = response_pk(assessment, "W1.2")
    # A colleague comments on W1.2 after this page opened.
    response = stored(assessment, "W1.2")
    colleague = assessment.consultants.exclude(username="consultant").get()
    response_save(response=response, user=colleague, values={"comment": "统计局已核实"}, base_version=response.version)
    page.fill(f"input[name='r{pk}-value']", "21")
    page.locator(f"input[name='r{pk}-value']").blur()
    panel = page.locator(f"form[data-response='{pk}'] .conflict-panel")
    panel.wait_for(state="visible")
    assert "统计局已核实" not in panel.inner_text()  # only the field I changed is in question
    panel.locator("button.btn-danger").click()  # Keep my values
    wait_saved(page, pk)
    saved = stored(assessment, "W1.2")
    assert saved.value == 21 and saved.comment == "统计局已核实"


@pytest.mark.parametrize("typed", ["18e", "1,8", "abc"])
def test_a_value_that_is_no_number_is_refused_with_a_message_and_the_stored_answer_stays(
    page, live_server, assessment, typed
):
    """A browser's number field sends "" for "18e": the autosave then erased the stored 18 without a word."""
    sign_in(page, live_server, "consultant")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/dimensions/W1/")
    pk = response_pk(assessment, "W1.2")
    field = page.locator(f"input[name='r{pk}-value']")
    field.fill("18")
    field.blur()
    wait_saved(page, pk)
    assert stored(assessment, "W1.2").value == 18
    field.fill(typed)
    field.blur()
    page.wait_for_selector(f"form[data-response='{pk}'] .save-state.failed")
    error = page.locator(f"form[data-response='{pk}'] .autosave-error").inner_text()
    assert "普通数字" in error, error
    assert field.input_value() == typed  # what was typed stays in the field, to be corrected
    assert stored(assessment, "W1.2").value == 18
