"""Requesting, rendering and sharing PDF reports.

A request becomes a `Report` row and a task; the worker process
(`manage.py db_worker`) renders it, so the web process never runs
WeasyPrint or Chromium. The same inputs (the version of the published
results, the language, the report and engine versions) give the stored file
back without rendering again. A file is written under a temporary name and
moved into place, so a worker killed mid-render leaves no partial report.

The statistical audit annex (Report.Kind.AUDIT) is a region's audit under
one framework version, for reviewers and administrators only, like the audit
page.

A city report comes in two editions (Report.Audience): the stakeholder one,
which is the default and the only one a link serves, and the full one with the
evidence annex, for readers of the assessment only. A request that needs a new
rendering is refused past the per-user and queue limits (REPORT_*_LIMIT).

A worker can die mid-render (killed, out of memory, machine restarted); its
task then never finishes and the report would say "rendering" forever. While
it renders, a worker touches the report's heartbeat; a running report without
a heartbeat for REPORT_STALE_AFTER seconds is queued again, up to
REPORT_MAX_ATTEMPTS renderings, then marked failed with a message the report
page shows next to a "request again" button. There is no scheduler to run
that check, so it runs wherever someone would otherwise wait for nothing:
when the report page or its status is polled, when the same report is asked
for again, and whenever a worker starts rendering any report.

What runs in the worker (claiming, the heartbeat, rendering, storing, the
recovery itself) is `services/report_worker.py`; this module requests,
recovers on a reader's behalf and shares.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, has_role
from assessment import scoring
from assessment.models import Framework, Report, ReportLink, ReportLinkAccess
from assessment.reports.content import ReportUnavailable, city_region, default_framework
from assessment.selectors import results as result_selectors
from assessment.selectors.derived import reference_date
from assessment.selectors.reports import may_read_full_edition
from assessment.services import report_worker
from assessment.tasks import render_report_task
from cities import selectors as city_selectors
from cities.models import City, Region

# Bumped when the templates or the content change what a report says (2: issue 18's recommendations, synthesis,
# dual-space and surge chapters).
REPORT_VERSION = "2"
LANGUAGES = {"zh": "zh-hans", "zh-hans": "zh-hans", "en": "en"}
MAX_LINK_DAYS = 90

logger = logging.getLogger(__name__)


def _input_key(
    *,
    kind: str,
    subject: str,
    region: Region,
    period: int,
    framework: Framework,
    language: str,
    audience: str,
    user: AbstractBaseUser,
    city: City | None = None,
) -> str:
    """Everything a report reads, as one hash: the same key hands the stored file back, any change renders anew.

    The published results of the region and period, and of the period before (σ-convergence, movers; the
    previous version's latest period when this is the version's first, as the movers re-express it); for a
    city report those of every region the city belongs to (its standing in each); the agreements, their
    parties and the imported flows, which change in place; and the day agreements count on, which moves
    every day while the period runs.
    """
    versions = [result_selectors.snapshot_version(region=region, period=period, framework=framework, user=user)]
    earlier = result_selectors.earlier_snapshot_version(region=region, period=period, framework=framework, user=user)
    if earlier is not None:
        versions.append(earlier)
    if city is not None:
        # The trend: every period of the city, in every version.
        versions.append(result_selectors.city_history_version(city=city, user=user))
        versions.extend(
            result_selectors.snapshot_version(region=other, period=period, framework=framework, user=user)
            for other in city_selectors.regions_of_city(city)
            if other.pk != region.pk
        )
    versions.append(city_selectors.agreements_version())
    versions.append(reference_date(period).isoformat())
    # The edition is an input: the stakeholder and the full edition are different files.
    text = "|".join([REPORT_VERSION, scoring.ENGINE_VERSION, kind, subject, language, audience, *versions])
    return hashlib.sha256(text.encode()).hexdigest()


def _refuse_over_limits(user: AbstractBaseUser) -> None:
    """ReportUnavailable, saying which limit and when to try again, when this request would queue too much.

    Runs only for a request that needs a rendering: a stored file handed back costs nothing.
    """
    waiting = [Report.Status.QUEUED, Report.Status.RUNNING]
    mine = Report.objects.filter(requested_by=user)
    if mine.filter(status__in=waiting).count() >= settings.REPORT_USER_QUEUE_LIMIT:
        raise ReportUnavailable(
            _(
                "You already have %(limit)d reports queued or rendering. "
                "Request another when one of them is ready (see Reports in the menu)."
            )
            % {"limit": settings.REPORT_USER_QUEUE_LIMIT}
        )
    hour_ago = timezone.now() - timedelta(hours=1)
    this_hour = mine.filter(created_at__gt=hour_ago).order_by("created_at").values_list("created_at", flat=True)
    if len(this_hour) >= settings.REPORT_USER_HOURLY_LIMIT:
        # A slot frees when the oldest rendering of the last hour is an hour old.
        free_at = this_hour[len(this_hour) - settings.REPORT_USER_HOURLY_LIMIT] + timedelta(hours=1)
        raise ReportUnavailable(
            _("You requested %(limit)d reports in the last hour, the most allowed. Try again after %(time)s.")
            % {"limit": settings.REPORT_USER_HOURLY_LIMIT, "time": timezone.localtime(free_at).strftime("%H:%M")}
        )
    if Report.objects.filter(status=Report.Status.QUEUED).count() >= settings.REPORT_QUEUE_LIMIT:
        raise ReportUnavailable(
            _("%(count)d reports are waiting to be rendered, the most the queue takes. Try again in a few minutes.")
            % {"count": settings.REPORT_QUEUE_LIMIT}
        )


def report_request(
    *,
    user: AbstractBaseUser,
    kind: str,
    period: int,
    language: str,
    city: City | None = None,
    region: Region | None = None,
    audience: str = Report.Audience.STAKEHOLDER,
    framework: Framework | None = None,
) -> Report:
    """The report for these inputs: the stored one, the one already being rendered, or a new task.

    ``framework`` is the version an audit annex audits (the default framework's
    latest otherwise, and always for city and regional reports).

    The stakeholder edition unless the full one is asked for and the user may
    read the assessment behind it. A new rendering is refused past the
    per-user and queue limits; nothing is queued then.
    """
    language = LANGUAGES.get(language, "")
    if not language:
        raise ReportUnavailable(_("Reports are written in Chinese (zh) or English (en)."))
    if kind == Report.Kind.AUDIT:
        if not has_role(user, Role.REVIEWER):
            raise ReportUnavailable(_("The statistical audit is for reviewers and administrators."))
    if kind != Report.Kind.AUDIT or framework is None:
        framework = default_framework(period)
    if kind == Report.Kind.CITY:
        if city is None:
            raise ReportUnavailable(_("A city report needs a city."))
        region = city_region(city, region.code if region else None)
        subject = city.code
    else:
        if region is None:
            raise ReportUnavailable(_("A regional report needs a region."))
        # An audit names its version: two versions' audits of one region are two files.
        subject = region.code if kind == Report.Kind.REGION else f"{region.code}|{framework.code}|{framework.version}"
    if period not in result_selectors.result_periods(region=region, framework=framework, user=user, kind="consultant"):
        raise ReportUnavailable(
            _("%(region)s has no published result for %(period)s.") % {"region": region.name, "period": period}
        )
    if audience == Report.Audience.FULL:
        if not may_read_full_edition(
            user, kind=kind, city_id=city.pk if city else None, period=period, framework_id=framework.pk
        ):
            raise ReportUnavailable(
                _(
                    "The full edition, with the evidence annex, is only for those who may read the city's "
                    "assessment: its consultants and reviewer, the city's managers and administrators. "
                    "Request the stakeholder edition."
                )
            )
    else:
        audience = Report.Audience.STAKEHOLDER
    key = _input_key(
        kind=kind,
        subject=subject,
        region=region,
        period=period,
        framework=framework,
        language=language,
        audience=audience,
        user=user,
        city=city if kind == Report.Kind.CITY else None,
    )
    # A rendering whose worker died must not be handed back as "in progress".
    report_recover_stale(Report.objects.filter(input_key=key))
    with transaction.atomic():
        existing = (
            Report.objects.select_for_update()
            .filter(input_key=key, status__in=[Report.Status.DONE, Report.Status.QUEUED, Report.Status.RUNNING])
            .first()
        )
        if existing and (
            existing.status != Report.Status.DONE or (existing.file and default_storage.exists(existing.file.name))
        ):
            return existing
        # The user's row is locked so that two requests at once cannot both pass the limits.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        _refuse_over_limits(user)
        report = Report.objects.create(
            kind=kind,
            city=city if kind == Report.Kind.CITY else None,
            region=region,
            framework=framework,
            period=period,
            language=language,
            audience=audience,
            input_key=key,
            requested_by=user,
        )
        transaction.on_commit(lambda: render_report_task.enqueue(report.pk))
    return report


def report_recover_stale(reports: QuerySet[Report] | None = None) -> int:
    """Queue again, or mark failed, running reports whose worker stopped; how many it recovered.

    A report counts as abandoned when its heartbeat (or, for a row from before
    heartbeats, its start or request) is older than REPORT_STALE_AFTER seconds.
    Each row is changed only if its heartbeat is still the one read here, so
    two pages polling at once recover it once.
    """
    return report_worker.recover_stale_reports(reports, requeue=render_report_task.enqueue)


def report_check_worker(report: Report) -> Report:
    """The report as it stands, after recovering it if its worker stopped."""
    if report.status == Report.Status.RUNNING and report_recover_stale(Report.objects.filter(pk=report.pk)):
        report.refresh_from_db()
    return report


def link_create(*, report: Report, user: AbstractBaseUser, days: int, recipient: str = "") -> ReportLink:
    if report.audience != Report.Audience.STAKEHOLDER:
        # Refused rather than swapped for another file: the user sees what a link would carry.
        raise ReportUnavailable(
            _(
                "This is the full edition, with the evidence annex: it cannot be shared. "
                "Request the stakeholder edition of this report and share that one."
            )
        )
    if report.status != Report.Status.DONE:
        raise ReportUnavailable(_("Only a finished report can be shared."))
    if not 1 <= days <= MAX_LINK_DAYS:
        raise ReportUnavailable(_("A link lasts between 1 and %(max)d days.") % {"max": MAX_LINK_DAYS})
    return ReportLink.objects.create(
        report=report,
        created_by=user,
        recipient=recipient.strip()[:200],
        expires_at=timezone.now() + timedelta(days=days),
    )


def link_revoke(*, link: ReportLink) -> None:
    if link.revoked_at is None:
        ReportLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())


def link_access(*, link: ReportLink | None, outcome: str, ip: str | None, user_agent: str) -> None:
    ReportLinkAccess.objects.create(link=link, outcome=outcome, ip=ip, user_agent=user_agent[:300])
