"""Report pages: request a PDF, follow its rendering, download it, share it with a stakeholder.

Reports hold published results only, which every signed-in user may read;
sharing a report outside the app is for the roles that work on assessments
and for a city's own managers (selectors.reports says who sees and revokes
which link). A stakeholder link needs no account: it is signed, expires, can
be revoked, and every try to open it is logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import Role, has_role
from accounts.throttle import client_ip
from assessment.models import Framework, Report, ReportLink, ReportLinkAccess
from assessment.reports.content import ReportUnavailable
from assessment.selectors.reports import links_managed_by, may_read_edition, may_share, reports_listed_for
from assessment.selectors.results import framework_for_results
from assessment.services import reports as report_service
from assessment.views.downloads import stored_file_response
from cities.models import City, Region

LINK_SALT = "dualspace.report-link"


def _report(request: HttpRequest, pk: int, refused: AuditEvent | None = None) -> Report:
    """The report if the user may read its edition; a full edition of someone else's assessment is a 404.

    With ``refused``, a report that exists but is not the user's to read is recorded as that event, denied.
    """
    report = Report.objects.select_related("city", "region", "framework").filter(pk=pk).first()
    if report is None or not may_read_edition(request.user, report):
        if report is not None and refused is not None:
            record(refused, request=request, target=report, outcome=AuditRecord.Outcome.DENIED)
        raise Http404(_("There is no report %(pk)s.") % {"pk": pk})
    return report


def report_list(request: HttpRequest) -> HttpResponse:
    """The reports a user asked for (everyone's for administrators), with their state and file."""
    reports = reports_listed_for(request.user)
    # No scheduler watches the workers: a report whose worker died shows its real state here too.
    report_service.report_recover_stale(reports.filter(status=Report.Status.RUNNING))
    status = request.GET.get("status") or ""
    if status in Report.Status.values:
        reports = reports.filter(status=status)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": Report.Status.choices,
        "selected_status": status,
        "everyone": has_role(request.user, Role.ADMINISTRATOR),
    }
    return render(request, "reports/list.html", context)


@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    """Ask for a city or regional report; answers with the page that follows its rendering."""
    kind = request.POST.get("kind", "")
    back = request.POST.get("next") or reverse("home")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("home")
    try:
        period = int(request.POST.get("period", ""))
    except ValueError:
        messages.error(request, _("Choose a period for the report."))
        return redirect(back)
    city = City.objects.filter(code=request.POST.get("city", "")).first()
    region = Region.objects.filter(code=request.POST.get("region", "")).first()
    # An audit annex names the framework version it audits.
    try:
        framework = framework_for_results(
            code=request.POST.get("framework", ""), version=request.POST.get("version", "")
        )
    except Framework.DoesNotExist:
        framework = None
    if kind not in Report.Kind.values:
        messages.error(request, _("Unknown kind of report."))
        return redirect(back)
    try:
        report = report_service.report_request(
            user=request.user,
            kind=kind,
            period=period,
            language=request.POST.get("language", "zh"),
            city=city,
            region=region,
            audience=request.POST.get("audience", ""),
            framework=framework,
        )
    except ReportUnavailable as problem:
        # Refused: a limit, an edition the user may not read, no published result. The reason says which.
        record(
            AuditEvent.REPORT_REQUESTED,
            request=request,
            outcome=AuditRecord.Outcome.FAILURE,
            kind=kind,
            period=period,
            city=city.code if city else None,
            region=region.code if region else None,
            audience=request.POST.get("audience") or None,
            reason=str(problem)[:500],
        )
        messages.error(request, str(problem))
        return redirect(back)
    record(
        AuditEvent.REPORT_REQUESTED,
        request=request,
        target=report,
        kind=report.kind,
        audience=report.audience,
        language=report.language,
        period=report.period,
    )
    return redirect("assessment:report_detail", pk=report.pk)


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Whoever waits on the page finds out when the worker died (services.reports).
    report = report_service.report_check_worker(_report(request, pk))
    # "Opened" counts the times the PDF was served, not refused tries (those stay in the log).
    links = links_managed_by(request.user, report).annotate(
        opened=Count("accesses", filter=Q(accesses__outcome=ReportLinkAccess.Outcome.SERVED))
    )
    shared = [
        {
            "link": link,
            "url": request.build_absolute_uri(reverse("shared_report", args=[signing.dumps(link.key, salt=LINK_SALT)])),
        }
        for link in links
    ]
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "shared": shared,
            "can_share": may_share(request.user, report),
            "max_days": report_service.MAX_LINK_DAYS,
        },
    )


def report_status(request: HttpRequest, pk: int) -> JsonResponse:
    report = report_service.report_check_worker(_report(request, pk))
    return JsonResponse(
        {
            "status": report.status,
            "status_label": report.get_status_display(),
            "progress": report.progress,
            "message": report.display_message,
            "download": reverse("assessment:report_download", args=[report.pk])
            if report.status == Report.Status.DONE
            else None,
        }
    )


def _pdf(request: HttpRequest, report: Report) -> HttpResponse:
    return stored_file_response(
        request,
        report.file,
        filename=report.filename,
        content_type="application/pdf",
        missing=_("The report file is missing; request the report again."),
    )


def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    # _report: the full edition prints the assessment's evidence, only for who may read the assessment.
    report = _report(request, pk, refused=AuditEvent.REPORT_DOWNLOADED)
    if report.status != Report.Status.DONE:
        raise Http404(_("The report is not ready yet."))
    reply = _pdf(request, report)
    record(AuditEvent.REPORT_DOWNLOADED, request=request, target=report, audience=report.audience)
    return reply


@require_POST
def link_create(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not may_share(request.user, report):
        raise Http404
    try:
        days = int(request.POST.get("days", ""))
        link = report_service.link_create(
            report=report, user=request.user, days=days, recipient=request.POST.get("recipient", "")
        )
    except ValueError:
        messages.error(request, _("Give the number of days the link lasts."))
    except ReportUnavailable as problem:
        outcome = AuditRecord.Outcome.FAILURE
        record(AuditEvent.LINK_CREATED, request=request, target=report, outcome=outcome, reason=str(problem)[:500])
        messages.error(request, str(problem))
    else:
        record(
            AuditEvent.LINK_CREATED,
            request=request,
            target=link,
            report=report.pk,
            days=days,
            recipient=link.recipient or None,
            expires_at=link.expires_at.isoformat(),
        )
        messages.success(request, _("Link created."))
    return redirect("assessment:report_detail", pk=report.pk)


@require_POST
def link_revoke(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    report = _report(request, pk)
    # Someone else's link answers 404 like a link that does not exist.
    link = links_managed_by(request.user, report).filter(pk=link_pk).first()
    if link is None:
        raise Http404
    report_service.link_revoke(link=link)
    record(AuditEvent.LINK_REVOKED, request=request, target=link, report=report.pk)
    messages.success(request, _("Link revoked: it no longer opens the report."))
    return redirect("assessment:report_detail", pk=report.pk)


@login_not_required
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """A stakeholder opens a shared report: no account, but a valid, unexpired, unrevoked link."""
    # Behind the proxy REMOTE_ADDR is the proxy's: the log records the caller as sign-in throttling counts them.
    ip = client_ip(request)
    agent = request.headers.get("User-Agent", "")
    try:
        key = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        return _link_forged(request, ip, agent)
    link = ReportLink.objects.select_related("report").filter(key=key).first()
    if link is None:
        return _link_forged(request, ip, agent)
    if link.revoked_at is not None:
        outcome = ReportLinkAccess.Outcome.REVOKED
    elif not link.is_usable:
        outcome = ReportLinkAccess.Outcome.EXPIRED
    elif link.report.audience != Report.Audience.STAKEHOLDER:
        # A link never hands out the evidence annex (services.reports refuses to make one).
        outcome = ReportLinkAccess.Outcome.REVOKED
    elif link.report.status != Report.Status.DONE:
        outcome = ReportLinkAccess.Outcome.NOT_READY
    else:
        outcome = ReportLinkAccess.Outcome.SERVED
    report_service.link_access(link=link, outcome=outcome, ip=ip, user_agent=agent)
    # Every try to use a link, served or refused, is in the audit log too, with the link log's outcome.
    served = AuditRecord.Outcome.SUCCESS if outcome == ReportLinkAccess.Outcome.SERVED else AuditRecord.Outcome.DENIED
    record(AuditEvent.LINK_USED, request=request, target=link, outcome=served, access=outcome, report=link.report_id)
    if outcome == ReportLinkAccess.Outcome.SERVED:
        return _pdf(request, link.report)
    if link.report.audience != Report.Audience.STAKEHOLDER:
        return _link_unavailable(request, "invalid")  # a full edition is never shared: nothing to renew
    if outcome == ReportLinkAccess.Outcome.NOT_READY:
        return _link_unavailable(request, "not_ready")
    return _link_unavailable(request, "revoked" if outcome == ReportLinkAccess.Outcome.REVOKED else "expired", link)


def _link_forged(request: HttpRequest, ip: str | None, agent: str) -> HttpResponse:
    """A link we never issued (bad signature, or no such key): logged, recorded as a denied use, answered 404."""
    forged = ReportLinkAccess.Outcome.BAD_SIGNATURE
    report_service.link_access(link=None, outcome=forged, ip=ip, user_agent=agent)
    record(AuditEvent.LINK_USED, request=request, outcome=AuditRecord.Outcome.DENIED, access=forged)
    return _link_unavailable(request, "invalid")


# What the recipient of a refused link is told, and with which status: a link that was
# withdrawn or ran out is gone for good (410), one we never issued is unknown (404), a
# report being rendered again comes back (503). The page names nobody: whoever sent the
# link is the one to ask, and only they know who they are.
_UNAVAILABLE_STATUS = {"revoked": 410, "expired": 410, "invalid": 404, "not_ready": 503}


def _link_unavailable(request: HttpRequest, reason: str, link: ReportLink | None = None) -> HttpResponse:
    response = render(
        request,
        "reports/shared_unavailable.html",
        {"reason": reason, "expired_at": link.expires_at if link is not None and reason == "expired" else None},
        status=_UNAVAILABLE_STATUS[reason],
    )
    if reason == "not_ready":
        response["Retry-After"] = "300"
    return response
