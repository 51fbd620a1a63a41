"""Query forms of the agreement pages; they read the URL and write nothing."""

from collections.abc import Iterable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import Agreement, City, Region


class AgreementFilterForm(forms.Form):
    domain = forms.ChoiceField(label=_("Service domain"), required=False)
    mode = forms.ChoiceField(label=_("Mode"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        every = [("", _("All"))]
        self.fields["domain"].choices = every + list(Agreement.Domain.choices)
        self.fields["mode"].choices = every + list(Agreement.Mode.choices)
        self.fields["status"].choices = every + list(Agreement.Status.choices)
        self.fields["region"].choices = every + [(r.code, r.name) for r in Region.objects.order_by("code")]


class NetworkFilterForm(forms.Form):
    domain = forms.ChoiceField(label=_("Service domain"), required=False)
    mode = forms.ChoiceField(label=_("Mode"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        help_text=_(
            "“In force” counts agreements in force on the date; another status shows that network whatever the dates."
        ),
    )
    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["domain"].choices = [("", _("All domains"))] + list(Agreement.Domain.choices)
        self.fields["mode"].choices = [("", _("All modes"))] + list(Agreement.Mode.choices)
        self.fields["status"].choices = list(Agreement.Status.choices)

    def filters(self) -> dict[str, object]:
        """The cleaned filters, with defaults: in force, today."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "domain": data.get("domain") or None,
            "mode": data.get("mode") or None,
            "status": data.get("status") or Agreement.Status.IN_FORCE,
            "on": data.get("on") or timezone.localdate(),
        }


class SurgeForm(forms.Form):
    prefix = "surge"

    domain = forms.ChoiceField(
        label=_("Service domain"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    shocked = forms.MultipleChoiceField(
        label=_("Shocked cities"),
        widget=forms.SelectMultiple(attrs={"size": 8, "class": "form-select form-select-sm"}),
    )
    share = forms.DecimalField(
        label=_("Share of population moving (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=5,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.1"}),
    )

    def __init__(self, *args: object, cities: Iterable[City], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["domain"].choices = list(Agreement.Domain.choices)
        self.fields["shocked"].choices = [(city.code, city.display_name) for city in cities]
