from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.demo_accounts import demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the role groups and one demo account per role (password from DEMO_PASSWORD)."

    def handle(self, *args: object, **options: object) -> None:
        password = settings.DEMO_PASSWORD
        for account, created in demo_accounts_ensure(password=password):
            state = _("created") if created else _("already present, password unchanged")
            self.stdout.write(f"  {account.username:<12} {account.role.label:<16} {state}")
