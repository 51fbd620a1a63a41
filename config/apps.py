"""Third-party apps as administrators see them, in both languages.

django-tasks-db names its app "Tasks Database Backend", a plain string that
no catalogue translates, and ships no Chinese for its model and field labels:
the admin index read "TASKS DATABASE BACKEND" in the Chinese interface.
`INSTALLED_APPS` lists this config instead of the stock one.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig

# The package's own gettext labels of its model and of the fields the admin
# shows. Changing them would change the package's migration state, so they are
# kept and translated in locale/ instead; listed here so makemessages keeps them.
TASK_RESULT_LABELS = (
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("status"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
)


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
