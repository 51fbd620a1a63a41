"""Remind consultants of deadlines: 3 days before, and once overdue (with the reviewer). Run it daily.

Each reminder is made once per assessment and deadline, so running it twice a day, or again after a
missed day, sends nothing twice. E-mail goes out too when the deployment has mail (README, "Reminders").
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from assessment.services.notifications import reminders_send


class Command(BaseCommand):
    help = "Send deadline reminders (3 days before, and overdue) for assessments still in draft or returned."

    def handle(self, *args: object, **options: object) -> None:
        made = reminders_send()
        self.stdout.write(_("%(count)d reminders sent.") % {"count": made})
