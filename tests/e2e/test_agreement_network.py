import pytest
from django.core.management import call_command

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_by_role import PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_network(settings):
    settings.DEMO_PASSWORD = PASSWORD
    call_command("load_reference_data", verbosity=0)
    call_command("create_demo_accounts", verbosity=0)
    call_command("load_agreements", verbosity=0)


def test_the_network_charts_draw_under_the_content_security_policy(page, live_server, demo_network):
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if message.text.startswith("CSP ") else None,
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.log("
        "'CSP ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample))"
    )
    sign_in(page, live_server, "stakeholder")
    page.goto(
        f"{live_server.url}/regions/G60/network/?view=graph&surge-domain=talent&surge-shocked=310000&surge-share=10"
    )
    page.wait_for_selector("[data-testid=network-chart] .main-svg")
    page.wait_for_selector("[data-testid=coverage-chart] .main-svg")
    assert page.locator("[data-testid=network-chart] .scatterlayer .trace").count() >= 2
    assert page.locator("[data-testid=surge-coverage]").inner_text().endswith("%")
    screenshot(page, "g60-network")
    # plotly.js sets three style attributes (an empty one on colour-bar rects and an
    # image-rendering probe); the CSP blocks them and the charts draw the same without.
    harmless = [text for text in refused if text.startswith("CSP style-src-attr") and "plotly.min.js" in text]
    assert [text for text in refused if text not in harmless] == []
    assert len(harmless) <= 3
    assert page.request_log.foreign == []
