"""What the statistical audit annex says: the audit page's sections, each chart drawn as SVG."""

from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.dashboards.audit_sections import audit_sections
from assessment.dashboards.labels import node_labels
from assessment.models import Framework
from assessment.region_audit import region_audit
from assessment.reports.content import (
    PAGE_WIDTH,
    ReportUnavailable,
    User,
    _svg,
    default_framework,
)
from assessment.selectors import audit as audit_selectors
from assessment.selectors import scoring_input
from cities.models import Region

# Heights of the audit annex's figures (px at PAGE_WIDTH): the indicator matrix takes a page.
AUDIT_FIGURE_HEIGHTS = {
    "indicator-correlations": 680,
    "dimension-correlations": 460,
    "sensitivity": 300,
    "influence": 460,
}


def audit_report_context(
    *, user: User, region: Region, period: int, framework: Framework | None = None
) -> dict[str, Any]:
    """The statistical audit annex: the audit page's sections, each chart drawn as SVG (`assessment.region_audit`)."""
    framework = framework or default_framework(period)
    scope = audit_selectors.audit_scope(
        user=user, framework_code=framework.code, version=framework.version, region_code=region.code, period=period
    )
    snapshot = scope.snapshot
    computed = (
        None
        if snapshot is None or scope.period != period
        else region_audit(snapshot, scope.method, partial(scoring_input.move_probability, snapshot, scope.method))
    )
    if snapshot is None or computed is None:
        raise ReportUnavailable(
            _("%(region)s has no published result for %(period)s.") % {"region": region.name, "period": period}
        )
    sections = audit_sections(computed, scope.method, node_labels(framework), snapshot.tree)
    return {
        "kind": "audit",
        "region": region,
        "period": period,
        "framework": framework,
        "is_demo": snapshot.is_demo,
        "generated": timezone.localtime(),
        "units": computed.units,
        "sections": [
            {
                "section": section,
                "panels": [
                    {"panel": panel, "svg": _svg(panel, PAGE_WIDTH, AUDIT_FIGURE_HEIGHTS.get(panel.slug))}
                    for panel in section.panels
                ],
            }
            for section in sections
        ],
    }
