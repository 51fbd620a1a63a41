from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _role_groups_ensure(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """Every installation needs the role groups, not only those that load the demo accounts."""
    from accounts.demo_accounts import role_groups_ensure

    role_groups_ensure(using)


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        post_migrate.connect(_role_groups_ensure, sender=self, dispatch_uid="dualspace.role_groups")
