"""HTML to PDF with WeasyPrint, through the report fetcher only.

`render_city_report`, `render_region_report` and `render_audit_report` build the context in the
report's language, render the template and write the PDF. Nothing the
renderer needs comes from outside: the stylesheet is a static file, the
figures are data: URIs, the fonts are the system's Noto Sans CJK.
"""

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.template.loader import render_to_string
from django.utils import translation

from assessment.models import Framework, Report
from assessment.reports import audit_content, city_content, region_content
from assessment.reports.fetcher import BASE_URL, ReportURLFetcher, static_url
from cities.models import City, Region

LANGUAGES = ("zh-hans", "en")

# WeasyPrint narrates every layout step at INFO; reports keep its warnings only.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
STYLESHEET = "css/report.css"


@dataclass
class RenderedReport:
    pdf: bytes
    html: str
    fetched: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@contextmanager
def cyclic_collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector out of a render.

    WeasyPrint allocates boxes by the hundred thousand, and every so often the
    collector then walks the whole heap of a Django process (Django, pandas,
    Plotly: about 190,000 objects) looking for cycles. That was 0.2-0.35 s of
    a 2.5 s city report, for garbage that reference counting frees anyway.
    The few cycles a render leaves are collected after it, by the next
    automatic pass; peak memory grows by about 65 MiB on the regional report.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str) -> RenderedReport:
    # Imported here: the web process never renders, so it never loads WeasyPrint.
    from weasyprint import HTML

    fetcher = ReportURLFetcher()
    with cyclic_collector_paused():
        pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    if fetcher.figure_errors:
        # A report without its chart is not a report: fail, so the user sees a message and can retry.
        raise fetcher.figure_errors[0]
    return RenderedReport(pdf=pdf, html=html, fetched=fetcher.fetched, refused=fetcher.refused)


def _language(language: str) -> str:
    language = language.lower()
    if language in ("zh", "zh-cn", "zh-hans"):
        return "zh-hans"
    if language.startswith("en"):
        return "en"
    raise ValueError(language)


def _rendered(template: str, language: str, build_context: Callable[[], dict[str, Any]]) -> str:
    """A report's HTML: its context built and its template rendered in ``language``, with the stylesheet."""
    with translation.override(_language(language)):
        context = build_context()
        context["stylesheet"] = static_url(STYLESHEET)
        return render_to_string(template, context)


def city_report_html(
    *,
    user: AbstractBaseUser | AnonymousUser,
    city: City,
    period: int,
    language: str = "zh-hans",
    region_code: str | None = None,
    framework: Framework | None = None,
    audience: str = Report.Audience.STAKEHOLDER,
) -> str:
    return _rendered(
        "reports/city.html",
        language,
        lambda: city_content.city_report_context(
            user=user, city=city, period=period, region_code=region_code, framework=framework, audience=audience
        ),
    )


def region_report_html(
    *,
    user: AbstractBaseUser | AnonymousUser,
    region: Region,
    period: int,
    language: str = "zh-hans",
    framework: Framework | None = None,
) -> str:
    return _rendered(
        "reports/region.html",
        language,
        lambda: region_content.region_report_context(user=user, region=region, period=period, framework=framework),
    )


def audit_report_html(
    *,
    user: AbstractBaseUser | AnonymousUser,
    region: Region,
    period: int,
    language: str = "zh-hans",
    framework: Framework | None = None,
) -> str:
    return _rendered(
        "reports/audit.html",
        language,
        lambda: audit_content.audit_report_context(user=user, region=region, period=period, framework=framework),
    )


def render_city_report(**kwargs: object) -> RenderedReport:
    return html_to_pdf(city_report_html(**kwargs))  # type: ignore[arg-type]


def render_region_report(**kwargs: object) -> RenderedReport:
    return html_to_pdf(region_report_html(**kwargs))  # type: ignore[arg-type]


def render_audit_report(**kwargs: object) -> RenderedReport:
    return html_to_pdf(audit_report_html(**kwargs))  # type: ignore[arg-type]
