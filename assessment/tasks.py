"""Background tasks, run by `manage.py db_worker` (django-tasks-db), never in the web process."""

from django.tasks import task


@task()
def render_report_task(report_id: int) -> None:
    """Render one requested report (see `assessment.services.reports.report_render`)."""
    from assessment.services.reports import report_render

    report_render(report_id)
