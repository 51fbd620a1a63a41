from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities and regions")

    def ready(self) -> None:
        from django.core.signals import request_started
        from django.db.models.signals import post_delete, post_save
        from django.tasks.signals import task_started

        from .models import City, forget_ambiguous_english_names

        # The set of shared English names (City.name_en_distinct) is kept between
        # calls of one request or one task only: a new request, a new task (a report
        # worker runs for days) or a city change in this process makes it read again,
        # so a namesake imported on another machine is told apart at once.
        post_save.connect(forget_ambiguous_english_names, sender=City, dispatch_uid="city-names-save")
        post_delete.connect(forget_ambiguous_english_names, sender=City, dispatch_uid="city-names-delete")
        request_started.connect(forget_ambiguous_english_names, dispatch_uid="city-names-request")
        task_started.connect(forget_ambiguous_english_names, dispatch_uid="city-names-task")
