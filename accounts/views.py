"""The sign-in and password-change pages (throttled: accounts.throttle); the auditor's audit log pages."""

from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.audit import record
from accounts.audit_log import PAGE_SIZE, AuditFilterForm, audit_csv_lines, audit_records, detail_pairs
from accounts.forms import ThrottledPasswordChangeForm
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import Role, role_required


class SignInView(LoginView):
    """The sign-in page; it offers single sign-on when an OIDC provider is configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_name"] = settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else ""
        context["sso_failed"] = settings.OIDC_ENABLED and self.request.GET.get("sso") == "failed"
        return context


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):  # type: ignore[no-untyped-def]
        # The form counts failures by the caller's address too.
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: ThrottledPasswordChangeForm) -> HttpResponse:
        """Change the password, and record that this user did (a wrong current password is recorded by the form)."""
        reply = super().form_valid(form)
        record(AuditEvent.PASSWORD_CHANGED, request=self.request, actor=form.user)
        return reply


@role_required(Role.AUDITOR)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The auditor's page: the audit log, filtered, newest first, a page at a time."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    records = audit_records(filters) if not form.is_bound or form.is_valid() else AuditRecord.objects.none()
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(entry, detail_pairs(entry.detail)) for entry in page],
            "query": query.urlencode(),
            "total": page.paginator.count,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@role_required(Role.AUDITOR)
@require_GET
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered audit log as CSV; the export is itself recorded, with its filters and row count."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid: %(errors)s") % {"errors": form.errors.as_text()})
    filters = form.cleaned_data if form.is_bound else {}
    # What the log held when asked: the export's own record (written next) is not in it.
    newest = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    records = audit_records(filters).filter(pk__lte=newest)
    record(
        AuditEvent.AUDIT_EXPORTED,
        request=request,
        rows=records.count(),
        filters={key: str(value) for key, value in filters.items() if value},
    )
    reply = StreamingHttpResponse(audit_csv_lines(records.iterator()), content_type="text/csv; charset=utf-8")
    reply["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"dualspace-audit-log-{timezone.localdate():%Y%m%d}.csv"
    )
    return reply
