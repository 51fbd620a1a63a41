"""In a real browser: a regional report asked for on the dashboard is rendered by the worker and downloads."""

import pytest
from django.core.management import call_command

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_by_role import PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

G60 = "310000,330400,330100,330700,320500,330500,341800,340200,340100"


@pytest.fixture
def g60_demo(settings):
    settings.DEMO_PASSWORD = PASSWORD
    # The real queue: the page enqueues, the database worker renders.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)
    call_command("load_demo", cities=G60, quiet=True)


def test_a_regional_report_requested_in_the_browser_is_rendered_by_the_worker_and_downloads(
    page, live_server, g60_demo, tmp_path
):
    # A reviewer: city managers share only their own city's report, not a region's.
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/dashboards/regions/G60/")
    page.select_option("#report-language-region", "en")
    page.click("[data-testid=report-request-region]")
    page.wait_for_url("**/reports/*/")
    status = page.locator("[data-testid=report-status]")
    assert status.get_attribute("data-state") == "queued"
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    page.wait_for_selector("[data-testid=report-status][data-state=done]", timeout=30000)
    screenshot(page, "report-ready")
    assert page.locator("[data-testid=link-form]").is_visible()  # sharing appears without a reload
    with page.expect_download() as download_info:
        page.click("[data-testid=report-download]")
    path = tmp_path / "region.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 50_000
    assert page.request_log.foreign == []
