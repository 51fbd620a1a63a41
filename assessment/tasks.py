"""Background tasks, run by `manage.py db_worker` (django-tasks-db), never in the web process."""

from django.tasks import task

from assessment.services.report_worker import report_render


@task()
def render_report_task(report_id: int) -> None:
    """Render one requested report (see `assessment.services.report_worker.report_render`)."""
    report_render(report_id, requeue=render_report_task.enqueue)
