"""Browser tests: Playwright driving Debian's chromium against the live server.

Every request a page makes is recorded; a test fails on any request to a
host other than the live server's, because intranets have no CDN.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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
