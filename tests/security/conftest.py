"""Shared set-up of the security suite, and the switch that proves its tests can fail.

``DUALSPACE_DISABLE_PROTECTION=csp,csrf,...`` (test runs only; production code
never reads it) turns protections off for the run, so each test can be seen
failing without its protection:

    DUALSPACE_DISABLE_PROTECTION=csp .venv/bin/python -m pytest tests/security -q

Names: login (LoginRequiredMiddleware), roles (every user holds every role),
csrf, csp, escape (template autoescaping), formula (spreadsheet neutralising),
uploads (evidence and workbook file checks), url_scheme (evidence links),
throttle (sign-in throttling), production (base settings instead of production).
Issue 15 adds: copy_previous (the new-period form copies only what the user may
read), link_owner (stakeholder links are their creator's), report_city (city
managers report on their own city only), name_fold (the sign-in lock counts the
normalised name), password_throttle, chart_network (the chart browser has no
network; labels reach Plotly as text), pdf_audience (stakeholder edition without
internal notes), finite_numbers, plausibility, workbook_limits, report_quota,
api_paging, frozen_comments, link_log_ip, import_lengths.
"""

import os

import pytest

PROTECTIONS = {
    "login",
    "roles",
    "csrf",
    "csp",
    "escape",
    "formula",
    "uploads",
    "url_scheme",
    "throttle",
    "production",
    # Issue 15
    "copy_previous",
    "link_owner",
    "report_city",
    "name_fold",
    "password_throttle",
    "chart_network",
    "pdf_audience",
    "finite_numbers",
    "plausibility",
    "workbook_limits",
    "report_quota",
    "api_paging",
    "frozen_comments",
    "link_log_ip",
    "import_lengths",
}
DISABLED = {name.strip() for name in os.environ.get("DUALSPACE_DISABLE_PROTECTION", "").split(",") if name.strip()}
unknown = DISABLED - PROTECTIONS
if unknown:
    raise pytest.UsageError(f"Unknown protection(s) {sorted(unknown)}; known: {sorted(PROTECTIONS)}")


def disabled(name: str) -> bool:
    return name in DISABLED


def _without_middleware(settings, fragment: str) -> None:
    settings.MIDDLEWARE = [entry for entry in settings.MIDDLEWARE if fragment not in entry]


@pytest.fixture(autouse=True)
def switched_off_protections(request, settings, monkeypatch):
    """Apply DUALSPACE_DISABLE_PROTECTION to every test of this suite (nothing when unset)."""
    if not DISABLED:
        yield
        return
    if disabled("login"):
        _without_middleware(settings, "LoginRequiredMiddleware")
    if disabled("csrf"):
        _without_middleware(settings, "CsrfViewMiddleware")
    if disabled("csp"):
        _without_middleware(settings, "ContentSecurityPolicyMiddleware")
    if disabled("escape"):
        settings.TEMPLATES = [
            {**engine, "OPTIONS": {**engine["OPTIONS"], "autoescape": False}} for engine in settings.TEMPLATES
        ]
    if disabled("roles"):
        from accounts import roles

        monkeypatch.setattr(
            roles, "user_roles", lambda user: frozenset(roles.Role.values) if user.is_authenticated else frozenset()
        )
    if disabled("formula"):
        import assessment.dashboards.downloads
        import assessment.workbook

        for module in (assessment.workbook, assessment.dashboards.downloads):
            monkeypatch.setattr(module, "neutralise", lambda text: text)
    if disabled("uploads"):
        import assessment.services.evidence
        import assessment.workbook
        from assessment.evidence_files import EvidenceKind

        monkeypatch.setattr(
            assessment.services.evidence, "evidence_file_check", lambda upload: EvidenceKind("application/pdf", "pdf")
        )
        monkeypatch.setattr(assessment.workbook, "_unpacked_size_problem", lambda data, *args, **kwargs: None)
    if disabled("url_scheme"):
        import assessment.services.evidence

        monkeypatch.setattr(assessment.services.evidence, "URLValidator", lambda **kwargs: lambda value: None)
    if disabled("copy_previous"):
        import assessment.selectors.assessments
        from assessment.models import Assessment

        def any_earlier(user, *, city, kind, period):
            return (
                Assessment.objects.filter(city=city, kind=kind, period__lt=period)
                .order_by("-period", "-revision")
                .first()
            )

        monkeypatch.setattr(assessment.selectors.assessments, "previous_assessment_to_copy", any_earlier)
    if disabled("link_owner"):
        import assessment.views.reports

        monkeypatch.setattr(assessment.views.reports, "links_managed_by", lambda user, report: report.links.all())
    if disabled("report_city"):
        import assessment.views.reports
        from accounts import roles

        monkeypatch.setattr(
            assessment.views.reports,
            "may_share",
            lambda user, report: roles.has_role(
                user, roles.Role.CONSULTANT, roles.Role.REVIEWER, roles.Role.CITY_MANAGER
            ),
        )
    if disabled("frozen_comments"):
        import assessment.services.assessments

        monkeypatch.setattr(assessment.services.assessments, "_refuse_if_frozen", lambda assessment: None)
        monkeypatch.setattr(assessment.services.assessments, "can_read_comments", lambda user, assessment: True)
    if disabled("throttle"):
        from accounts import throttle

        monkeypatch.setattr(throttle, "login_lock", lambda username, ip: None)
    if disabled("workbook_limits"):
        import assessment.workbook

        unlimited = assessment.workbook.SheetLimits(sheets=10**6, rows=10**9, columns=10**6, sheet_bytes=10**12)
        monkeypatch.setattr(assessment.workbook, "sheet_limits", lambda responses: unlimited)
    if disabled("link_log_ip"):
        import assessment.views.reports

        monkeypatch.setattr(assessment.views.reports, "client_ip", lambda request: request.META.get("REMOTE_ADDR"))
    if disabled("api_paging"):
        import assessment.api.endpoints

        monkeypatch.setattr(assessment.api.endpoints, "paging_problems", lambda limit, offset: [])
    if disabled("import_lengths"):
        import cities.agreement_import
        import cities.reference_import

        for module in (cities.reference_import, cities.agreement_import):
            monkeypatch.setattr(module, "check_lengths", lambda cells, fields, line, problems: None)
    if disabled("name_fold"):
        from accounts import throttle

        monkeypatch.setattr(throttle, "_key", lambda username: (username or "").strip().lower()[:150])
    if disabled("password_throttle"):
        from django.contrib.auth.forms import PasswordChangeForm

        from accounts.forms import ThrottledPasswordChangeForm

        monkeypatch.setattr(ThrottledPasswordChangeForm, "clean_old_password", PasswordChangeForm.clean_old_password)
    if disabled("finite_numbers"):
        import django.forms

        import assessment.answer_rules
        import assessment.backup.check
        import assessment.framework.document
        import assessment.scoring.coinr
        import assessment.services.assessments
        import assessment.workbook

        for module in (
            assessment.answer_rules,
            assessment.framework.document,
            assessment.services.assessments,
            assessment.backup.check,
            assessment.workbook,
        ):
            monkeypatch.setattr(module, "is_finite_number", lambda value: True)
        monkeypatch.setattr(assessment.scoring.coinr, "_infinite_value_problems", lambda values, unit_codes: [])
        # Django's own form check (inf and nan are "not a number"), so the service's is what is shown.
        monkeypatch.setattr(django.forms.FloatField, "validate", django.forms.Field.validate)
    if disabled("plausibility"):
        from assessment.models import Indicator

        monkeypatch.setattr(Indicator, "plausible_range", lambda indicator: None)
    if disabled("chart_network"):
        import cities.chart_style
        from assessment.reports import svg

        monkeypatch.setattr(cities.chart_style, "plotly_text", lambda text: text)
        # kaleido's default browser; the warm one (started with the flags) is replaced, before and after.
        monkeypatch.setattr(svg, "chart_browser_options", lambda: {"headless": True})
        svg.stop_chart_browser()
        request.addfinalizer(svg.stop_chart_browser)
    if disabled("pdf_audience"):
        import assessment.services.reports
        import assessment.views.reports
        from assessment.reports import city_content

        # Every edition prints the annex, and anyone may ask for and download the full one.
        monkeypatch.setattr(city_content, "prints_annex", lambda audience: True)
        monkeypatch.setattr(assessment.services.reports, "may_read_full_edition", lambda user, **inputs: True)
        monkeypatch.setattr(assessment.views.reports, "may_read_edition", lambda user, report: True)
    if disabled("report_quota"):
        import assessment.services.reports

        monkeypatch.setattr(assessment.services.reports, "_refuse_over_limits", lambda user: None)
    yield


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The shared data set (tests/security/world.py), rolled back when this package's tests end.

    Package scope, not session: other suites run after this one must not see it.
    """
    from django.db import transaction

    from tests.security.world import build_world

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def as_other(world):
    """A test client signed in as the second user of the role (world.others), who owns none of the world's objects."""

    def make(role: str, **kwargs):
        from django.test import Client

        client = Client(**kwargs)
        client.force_login(world.others[role])
        return client

    return make


@pytest.fixture
def as_role(world, client_factory):
    """A test client signed in as the role (anonymous: not signed in)."""

    def make(role: str, **kwargs):
        from django.test import Client

        client = Client(**kwargs)
        if role != "anonymous":
            client.force_login(world.users[role])
        return client

    return make
