"""The four views a new user meets, in Chinese and English, photographed for the user guides.

Each view is checked before it is photographed (its heading, its charts drawn,
no script error, nothing fetched from another host), so a picture in
``docs/images`` always shows a page that worked. ``make screenshots`` writes
the pictures there; a normal run writes them to ``var/screenshots``.
"""

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from PIL import Image, ImageStat

from assessment.demo.load import DRAFT_CITIES, WORKFLOW_PERIOD
from assessment.models import Assessment, Indicator, Response
from tests.e2e.conftest import SCREENSHOTS, RequestLog
from tests.e2e.test_sign_in_by_role import sign_in

# g60_demo (tests/e2e/conftest.py): the G60 demo results and accounts, committed for the module.

REPO = Path(__file__).resolve().parents[2]
# The size the pictures in the guides are taken at: a common laptop screen.
VIEWPORT = {"width": 1280, "height": 800}
LANGUAGES = {"zh": "zh-hans", "en": "en"}
# Hangzhou: its draft is the consultant's example, and it stands below the top
# rung, so its dashboard and report show a rank interval and the next steps.
CITY, REGION, PUBLISHED_PERIOD = DRAFT_CITIES[0], "G60", 2025
# The CSP's hash of an empty inline style, named in the console's report of it.
EMPTY_INLINE_STYLE = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
HEADINGS = {
    "zh": {
        "city": "杭州（浙江省）：仪表盘",
        "region": "G60科创走廊：仪表盘",
        "summary": "执行摘要",
    },
    "en": {
        "city": "Hangzhou (Zhejiang): dashboard",
        "region": "G60 Science and Innovation Corridor: dashboard",
        "summary": "Executive summary",
    },
}


def screenshot_folder() -> Path:
    chosen = os.environ.get("DUALSPACE_SCREENSHOTS")
    folder = (REPO / chosen) if chosen else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Camera:
    """A browser page in one language, recording requests and script errors."""

    page: object
    language: str
    errors: list[str] = field(default_factory=list)

    def take(self, name: str, *, down_to=None) -> Path:  # type: ignore[no-untyped-def]
        """The viewport; with ``down_to``, from the scrolled top to that element's bottom."""
        path = screenshot_folder() / f"{name}.{self.language}.png"
        if down_to is None:
            self.page.screenshot(path=str(path))
            return path
        top = self.page.evaluate("window.scrollY")
        bottom = down_to.evaluate("element => element.getBoundingClientRect().bottom + window.scrollY")
        clip = {"x": 0, "y": top, "width": VIEWPORT["width"], "height": bottom - top + 16}
        self.page.screenshot(path=str(path), full_page=True, clip=clip)
        return path

    def console(self, message) -> None:  # type: ignore[no-untyped-def]
        # plotly.js clears a colour bar's style attribute (style="") before it
        # sets the gradient through the CSSOM; the CSP blocks the empty
        # attribute, which loses nothing. Any other error counts.
        if message.type == "error" and EMPTY_INLINE_STYLE not in message.text:
            self.errors.append(f"{self.page.url}: {message.text}")

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.page.request_log.foreign == []


@contextmanager
def camera_in(browser, live_server, language: str) -> Iterator[Camera]:
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORT)
    # The language switcher's cookie: the app follows it, not the browser's locale.
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": LANGUAGES[language]}
    context.add_cookies([{**cookie, "url": live_server.url}])
    page = context.new_page()
    page.request_log = RequestLog(urlsplit(live_server.url).netloc)
    page.on("request", page.request_log.record)
    page.set_default_timeout(15000)
    camera = Camera(page=page, language=language)
    page.on("pageerror", lambda error: camera.errors.append(str(error)))
    page.on("console", lambda message: camera.console(message))
    try:
        yield camera
    finally:
        context.close()


def sign_in_as(camera: Camera, live_server, username: str) -> None:
    # Signed out, but still in the chosen language.
    camera.page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    sign_in(camera.page, live_server, username)
    assert camera.page.locator("html").get_attribute("lang") == LANGUAGES[camera.language]


def answered_level_indicator_with_evidence() -> Response:
    """In a demo draft, a level indicator answered with evidence; the one with the
    shortest descriptors, so that its card fits the picture down to the evidence."""
    draft = Assessment.objects.get(city_id=CITY, period=WORKFLOW_PERIOD, status=Assessment.Status.DRAFT)
    candidates = (
        draft.responses.filter(indicator__type=Indicator.Type.LEVEL, level__isnull=False, evidence__isnull=False)
        .select_related("indicator__node__parent")
        .prefetch_related("indicator__levels")
        .distinct()
    )
    return min(
        candidates,
        key=lambda response: sum(len(level.text) for level in response.indicator.levels.all()),
    )


def photograph_the_answer_form(camera: Camera, live_server) -> None:
    page = camera.page
    response = answered_level_indicator_with_evidence()
    code = response.indicator.node.code
    sign_in_as(camera, live_server, "consultant")
    dimension = response.indicator.node.parent.code
    page.goto(f"{live_server.url}/assessments/{response.assessment_id}/dimensions/{dimension}/")
    card = page.locator(f"#indicator-{code.replace('.', '\\.')}")
    levels = card.locator(f"input[name='r{response.pk}-level']")
    # Six levels, 0 to 5, each with the framework's descriptor beside it.
    assert levels.count() == 6
    labels = card.locator(".answer label.form-check-label").all_inner_texts()
    assert len(labels) == 6, labels
    assert all(len(label.split("·", 1)[1].strip()) > 5 for label in labels), labels
    assert levels.and_(page.locator(f"[value='{response.level}']")).is_checked()
    assert card.locator(f"[data-testid='evidence-{code}'] li").count() >= 1
    assert page.locator("#autosave-help").is_visible()
    scroll_to_top_of(page, card)
    # From the card's title down to its evidence and the form that adds more.
    camera.take("consultant-form", down_to=card.locator("details").first)


def scroll_to_top_of(page, locator) -> None:
    # Instantly: Bootstrap makes scrolling smooth, and the picture would catch it halfway.
    locator.evaluate(
        "element => window.scrollTo({"
        "top: element.getBoundingClientRect().top + window.scrollY - 16, behavior: 'instant'})"
    )


def photograph_the_city_dashboard(camera: Camera, live_server) -> None:
    page = camera.page
    page.goto(f"{live_server.url}/dashboards/cities/{CITY}/?region={REGION}")
    assert page.locator("h1").inner_text() == HEADINGS[camera.language]["city"]
    for slug in ("ranking", "plane", "radar"):
        page.wait_for_selector(f"[data-testid={slug}-chart] .main-svg")
    assert page.locator("[data-testid=stage-ladder] [aria-current=step]").count() == 1
    assert page.locator("[data-testid=next-steps] tbody tr").count() >= 1
    assert page.locator("[data-testid=city-rank]").inner_text().endswith("/ 9")
    camera.take("city-dashboard")


def photograph_the_region_dashboard(camera: Camera, live_server) -> None:
    page = camera.page
    page.goto(f"{live_server.url}/dashboards/regions/{REGION}/")
    assert page.locator("h1").inner_text() == HEADINGS[camera.language]["region"]
    for slug in ("ranking", "plane", "heatmap", "map", "stages"):
        page.wait_for_selector(f"[data-testid={slug}-chart] .main-svg")
    assert page.locator("[data-testid=ranking-chart] .yaxislayer-above text").count() == 9
    # From the top (filters, report, what-if sliders) down to the first chart, the ranking.
    camera.take("region-dashboard", down_to=page.locator("[data-panel=ranking]"))


def photograph_a_report_page(camera: Camera, tmp_path: Path) -> None:
    """The city report's executive summary, as its reader sees it in the PDF."""
    pdf = tmp_path / "city.pdf"
    call_command(
        "render_report",
        "city",
        city=CITY,
        region=REGION,
        period=PUBLISHED_PERIOD,
        lang=camera.language,
        out=str(pdf),
        stdout=io.StringIO(),
    )
    heading = HEADINGS[camera.language]["summary"]
    page_number = summary_page(pdf, heading)
    stem = tmp_path / "page"
    page = str(page_number)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-f", page, "-l", page, "-singlefile"] + [str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    png = stem.with_suffix(".png")
    with Image.open(png) as image:
        grey = image.convert("L")
        # A blank or nearly blank page has almost no spread of grey and few dark pixels.
        assert ImageStat.Stat(grey).stddev[0] > 20
        dark = sum(grey.histogram()[:128])
        assert dark > 0.01 * grey.width * grey.height
    shutil.copyfile(png, screenshot_folder() / f"report-summary.{camera.language}.png")


def summary_page(pdf: Path, heading: str) -> int:
    """The page with the heading on a line of its own: the contents page lists it with dots
    and a page number, the running head of the page after it with a prefix."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = text.split("\f")
    for number, text in enumerate(pages, start=1):
        lines = {line.strip() for line in text.splitlines()}
        if heading in lines:
            return number
    raise AssertionError(f"no page of the report has the heading {heading!r}")


# One test for both languages: the demo data is loaded once, which halves the time.
def test_the_four_views_a_new_user_meets_work_and_are_photographed(
    browser,
    live_server,
    g60_demo,
    tmp_path,
):
    for language in LANGUAGES:
        with camera_in(browser, live_server, language) as camera:
            photograph_the_answer_form(camera, live_server)
            sign_in_as(camera, live_server, "manager")
            photograph_the_city_dashboard(camera, live_server)
            photograph_the_region_dashboard(camera, live_server)
            camera.assert_clean()
            photograph_a_report_page(camera, tmp_path)
