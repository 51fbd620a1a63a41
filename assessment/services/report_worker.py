"""What the report worker runs: claim a report, render it with a heartbeat, store it, recover stopped workers' reports.

The request side (limits, the stored file handed back, links) is
`services/reports.py`; the task that runs this in the worker is
`assessment/tasks.py`. The worker queues a report again through the
``requeue`` it is given (the task's ``enqueue``), so this module does not
import the task and the task module imports this one: no import cycle.
See `services/reports.py` for the heartbeat and recovery rules.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Report
from assessment.reports.content import ReportUnavailable
from assessment.reports.render import audit_report_html, city_report_html, html_to_pdf, region_report_html
from assessment.selectors.reports import may_read_edition

# Queues a report again by id: the render task's enqueue.
Requeue = Callable[[int], object]

logger = logging.getLogger(__name__)


def _progress(report: Report, percent: int, status: str = Report.Status.RUNNING) -> None:
    Report.objects.filter(pk=report.pk).update(progress=percent, status=status, heartbeat_at=timezone.now())


def _stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.REPORT_STALE_AFTER)


@contextmanager
def _heartbeat(report: Report, worker: str) -> Iterator[None]:
    """While the block runs, a thread touches the report's heartbeat, however long one step takes."""
    stop = threading.Event()
    interval = max(1.0, settings.REPORT_STALE_AFTER / 4)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING, worker=worker).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # noqa: BLE001 - a missed beat is retried; rendering goes on
                    logger.warning("report %s: heartbeat not recorded", report.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"report-{report.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def report_render(report_id: int, *, requeue: Requeue) -> Report:
    """Render the report now (in the worker); the stored row says how it went.

    First recovers every report whose worker stopped, queueing it again with ``requeue``.
    """
    recover_stale_reports(requeue=requeue)
    report = Report.objects.select_related("city", "region", "framework", "requested_by").get(pk=report_id)
    if report.status == Report.Status.DONE and report.file:
        return report
    worker = f"{socket.gethostname()}:{os.getpid()}"
    now = timezone.now()
    claimed = (
        Report.objects.filter(pk=report.pk)
        .exclude(status=Report.Status.DONE)
        # Another live worker has it (a task queued twice): leave it to that one.
        .exclude(status=Report.Status.RUNNING, heartbeat_at__gte=_stale_before())
        .update(
            status=Report.Status.RUNNING,
            progress=5,
            attempts=F("attempts") + 1,
            **Report.message_fields(),
            started_at=now,
            heartbeat_at=now,
            worker=worker,
        )
    )
    if not claimed:
        return Report.objects.get(pk=report.pk)
    with _heartbeat(report, worker):
        return _render(report)


def _render(report: Report) -> Report:
    reader = report.requested_by or get_user_model()(username="reports", is_superuser=True)
    try:
        if report.kind == Report.Kind.CITY:
            if report.audience == Report.Audience.FULL and report.requested_by and not may_read_edition(reader, report):
                # Taken off the assessment between the request and the rendering.
                raise ReportUnavailable(
                    _("You may no longer read this city's assessment; request the stakeholder edition.")
                )
            html = city_report_html(
                user=reader,
                city=report.city,
                period=report.period,
                language=report.language,
                region_code=report.region_id,
                framework=report.framework,
                audience=report.audience,
            )
        elif report.kind == Report.Kind.AUDIT:
            html = audit_report_html(
                user=reader,
                region=report.region,
                period=report.period,
                language=report.language,
                framework=report.framework,
            )
        else:
            html = region_report_html(
                user=reader,
                region=report.region,
                period=report.period,
                language=report.language,
                framework=report.framework,
            )
        _progress(report, 60)
        pdf = html_to_pdf(html).pdf
        _progress(report, 90)
        name = _store(report, pdf)
    except ReportUnavailable as problem:
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, **Report.message_fields(text=str(problem)), finished_at=timezone.now()
        )
        return Report.objects.get(pk=report.pk)
    except Exception as error:  # noqa: BLE001 - the user sees a message; the log keeps the traceback
        logger.exception("report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED,
            **Report.message_fields("render_failed", error=error.__class__.__name__),
            finished_at=timezone.now(),
        )
        return Report.objects.get(pk=report.pk)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE, progress=100, file=name, size=len(pdf), finished_at=timezone.now()
    )
    return Report.objects.get(pk=report.pk)


def _store(report: Report, pdf: bytes) -> str:
    """Save through the storage API; the name it was stored under (a taken name gets a suffix).

    Never a partial file: the local storage writes under a temporary name and links
    it into place (config.storage), object storage shows an object only once uploaded.
    """
    return default_storage.save(report.file.field.generate_filename(report, report.filename), ContentFile(pdf))


def recover_stale_reports(reports: QuerySet[Report] | None = None, *, requeue: Requeue) -> int:
    """Queue again (with ``requeue``), or mark failed, running reports whose worker stopped; how many it recovered.

    A report counts as abandoned when its heartbeat (or, for a row from before
    heartbeats, its start or request) is older than REPORT_STALE_AFTER seconds.
    Each row is changed only if its heartbeat is still the one read here, so
    two pages polling at once recover it once.
    """
    stale = (
        (reports if reports is not None else Report.objects.all())
        .filter(status=Report.Status.RUNNING)
        .alias(last_sign=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last_sign__lt=_stale_before())
    )
    recovered = 0
    for report in stale:
        _remove_partial_files(report)
        unchanged = Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING, heartbeat_at=report.heartbeat_at)
        with transaction.atomic():
            if report.attempts < settings.REPORT_MAX_ATTEMPTS:
                changed = unchanged.update(
                    status=Report.Status.QUEUED,
                    progress=0,
                    worker="",
                    heartbeat_at=None,
                    **Report.message_fields("worker_stopped_retrying"),
                )
                if changed:
                    transaction.on_commit(partial(requeue, report.pk))
            else:
                changed = unchanged.update(
                    status=Report.Status.FAILED,
                    worker="",
                    finished_at=timezone.now(),
                    **Report.message_fields("worker_stopped_failed", attempts=report.attempts),
                )
        if changed:
            logger.warning("report %s: worker %s stopped giving signs of life", report.pk, report.worker or "?")
        recovered += changed
    return recovered


def _remove_partial_files(report: Report) -> None:
    """A worker killed while writing leaves a temporary file on the local disk; object storage leaves nothing."""
    remove = getattr(default_storage, "remove_partial_files", None)
    if remove is not None:
        remove(report.file.field.generate_filename(report, report.filename))
