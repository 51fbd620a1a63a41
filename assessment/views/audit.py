"""The statistical audit page: a framework version's results in a region and period, audited.

For reviewers (senior consultants) and administrators: everyone else gets
403 (`accounts.roles.role_required`). The view reads the scope
(`assessment.selectors.audit`), gets the cached audit
(`assessment.region_audit`) and lays out its sections
(`assessment.dashboards.audit_sections`). The rendered sections are cached
like the region dashboard's body: under the snapshot's key, the method
parameters and the language.
"""

import hashlib
import json
from functools import partial

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import Role, role_required
from assessment.dashboards.audit_sections import audit_sections
from assessment.dashboards.labels import node_labels
from assessment.region_audit import region_audit
from assessment.selectors.audit import AuditScope, AuditScopeMissing, audit_scope
from assessment.selectors.scoring_input import move_probability

CACHE_SECONDS = 24 * 3600


def _period(request: HttpRequest) -> int | None:
    text = request.GET.get("period", "")
    return int(text) if text.isdigit() else None


def audit_body(scope: AuditScope) -> dict[str, object]:
    """The audit's sections as HTML, and whether there was anything to audit; cached per language."""
    if scope.snapshot is None or scope.snapshot.is_empty:
        return {"audited": False, "sections_html": ""}
    parameters = json.dumps(scope.method.as_dict(), sort_keys=True)
    key = "audit-page:" + hashlib.sha256(f"{scope.snapshot.key}|{parameters}|{get_language()}".encode()).hexdigest()
    body = cache.get(key)
    if body is not None:
        return body
    computed = region_audit(scope.snapshot, scope.method, partial(move_probability, scope.snapshot, scope.method))
    if computed is None:
        body = {"audited": False, "sections_html": ""}
    else:
        sections = audit_sections(computed, scope.method, node_labels(scope.framework), scope.snapshot.tree)
        body = {
            "audited": True,
            "units": computed.units,
            "sections_html": render_to_string("audit/_sections.html", {"sections": sections}),
        }
    cache.set(key, body, timeout=CACHE_SECONDS)
    return body


@role_required(Role.REVIEWER)
def region_audit_page(request: HttpRequest, framework: str, version: str, region: str) -> HttpResponse:
    """The audit of a region's published results of one period with one framework version."""
    try:
        scope = audit_scope(
            user=request.user, framework_code=framework, version=version, region_code=region, period=_period(request)
        )
    except AuditScopeMissing as missing:
        raise Http404(_("There is nothing to audit under %(name)s.") % {"name": str(missing)}) from None
    context = {"scope": scope, "framework": scope.framework, "region": scope.region, **audit_body(scope)}
    return render(request, "audit/region.html", context)
