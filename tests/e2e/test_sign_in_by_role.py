import pytest
from django.core.management import call_command

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "e2e-demo-password"

# What each demo role must, and must not, find in the main navigation.
EXPECTED_NAVIGATION = {
    "consultant": ({"首页", "评估", "框架", "区域", "城市"}, {"系统管理"}),
    "reviewer": ({"首页", "评估", "框架", "区域", "城市"}, {"系统管理"}),
    "manager": ({"首页", "评估", "框架", "区域", "城市"}, {"系统管理"}),
    "stakeholder": ({"首页", "框架", "区域", "城市"}, {"评估", "系统管理"}),
    "admin": ({"首页", "评估", "框架", "区域", "城市", "系统管理"}, set()),
}


@pytest.fixture
def demo_accounts(settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_reference_data", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=main-nav]")


@pytest.mark.parametrize("username", list(EXPECTED_NAVIGATION))
def test_each_role_signs_in_and_sees_its_navigation_with_no_request_to_another_host(
    page, live_server, demo_accounts, username
):
    sign_in(page, live_server, username)
    labels = {text.strip() for text in page.locator("[data-testid=main-nav] a").all_inner_texts()}
    must, must_not = EXPECTED_NAVIGATION[username]
    assert must <= labels, labels
    assert not (must_not & labels), labels
    if username == "manager":
        assert "上海" in page.locator("[data-testid=managed-cities]").inner_text()
    page.goto(f"{live_server.url}/regions/G60/")
    page.wait_for_selector("[data-testid=member-table]")
    assert page.locator("[data-testid=member-table] tbody tr").count() == 9
    screenshot(page, f"role-{username}")
    assert page.request_log.urls, "the recorder saw no request"
    assert page.request_log.foreign == []


def test_the_language_switcher_changes_the_page_to_english(page, live_server, demo_accounts):
    sign_in(page, live_server, "consultant")
    page.click("[data-testid=language-switcher] button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Regions" in page.locator("[data-testid=main-nav]").inner_text()
    assert page.request_log.foreign == []


def test_a_wrong_password_shows_a_message_not_a_traceback(page, live_server, demo_accounts):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "consultant")
    page.fill("input[name=password]", "not-the-password")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector(".alert-danger, .invalid-feedback, .alert")
    assert "Traceback" not in page.content()
