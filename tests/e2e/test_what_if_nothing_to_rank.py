"""In a real browser: sliding every half to 0 says there is nothing to rank instead of drawing empty axes."""

from tests.e2e.test_sign_in_by_role import sign_in

# g60_demo (tests/e2e/conftest.py): the G60 demo and the demo accounts, committed for the module.


def slide_to_zero(page, code: str) -> None:
    slider = page.locator(f"[data-testid=weight-{code}]")
    slider.focus()
    for _ in range(10):  # 1.0 -> 0.0
        page.keyboard.press("ArrowLeft")


def test_both_halves_at_zero_say_nothing_to_rank_and_one_back_ranks_again(page, live_server, g60_demo):
    sign_in(page, live_server, "manager")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/dashboards/regions/G60/?period=2025")
    page.wait_for_selector("[data-testid=ranking-chart] .main-svg")
    slide_to_zero(page, "IC")
    page.wait_for_selector("[data-what-if-url][data-state=scenario]")
    slide_to_zero(page, "XB")
    page.wait_for_selector("[data-what-if-url][data-state=failed]")
    message = page.locator("[data-what-if-error]")
    assert message.is_visible()
    assert message.inner_text().startswith("All weights are zero: nothing to rank.")
    # Moving one half back above 0 ranks again and the message goes.
    page.locator("[data-testid=weight-XB]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("[data-what-if-url][data-state=scenario]")
    assert not message.is_visible()
    assert page.request_log.foreign == []
