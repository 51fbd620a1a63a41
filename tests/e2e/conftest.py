"""Browser tests: Playwright driving Debian's chromium against the live server.

Every request a page makes is recorded; a test fails on any request to a
host other than the live server's, because intranets have no CDN.
"""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.worlds import committed_world, in_shared_world, load_g60_demo_and_accounts

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is required for browser tests ({CHROMIUM}); run `make test`, which installs it."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the tests
    # arrange data with the ORM synchronously: allowed while a browser runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def g60_committed_world(django_db_setup, django_db_blocker):
    """The G60 demo and the demo accounts, committed once for the module's tests (which only read it).

    The live server answers from its own thread, so the data is committed rather than held in a
    transaction; the database is emptied when the module ends, as the per-test flush did.
    """
    from tests.e2e.test_sign_in_by_role import PASSWORD

    with committed_world(django_db_blocker, lambda: load_g60_demo_and_accounts(PASSWORD)) as framework:
        yield framework


@pytest.fixture
def g60_demo(g60_committed_world):
    """The module's committed G60 demo; demo accounts sign in with test_sign_in_by_role.PASSWORD."""
    return g60_committed_world


@pytest.fixture(autouse=True)
def _live_server_helper(request: pytest.FixtureRequest) -> Iterator[None]:
    """pytest-django's helper of the same name, except for tests that read a committed shared world.

    pytest-django gives every live-server test a transactional database, flushed after the test; that
    flush would empty the module's shared world after its first test. Those tests get database access
    without the flush instead (committed_world empties the database when the module ends); every other
    live-server test keeps pytest-django's behaviour.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    if in_shared_world(request):
        access = request.getfixturevalue("django_db_blocker").unblock()
    else:
        request.getfixturevalue("transactional_db")
        access = contextlib.nullcontext()
    live_server = request.getfixturevalue("live_server")
    with access:
        live_server._live_server_modified_settings.enable()
        yield
        live_server._live_server_modified_settings.disable()


class RequestLog:
    def __init__(self, allowed_host: str) -> None:
        self.allowed_host = allowed_host
        self.urls: list[str] = []

    def record(self, request) -> None:  # type: ignore[no-untyped-def]
        self.urls.append(request.url)

    @property
    def foreign(self) -> list[str]:
        return [
            url
            for url in self.urls
            if not url.startswith(("data:", "blob:", "about:")) and urlsplit(url).netloc != self.allowed_host
        ]


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.request_log = RequestLog(urlsplit(live_server.url).netloc)
    page.on("request", page.request_log.record)
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
