"""Forms of the assessment pages; the rules themselves live in the services."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from accounts.roles import Role
from assessment.framework.document import plain_number_text
from assessment.models import Assessment, Framework, Indicator, Response
from assessment.services.assessments import goalpost_warning
from cities.models import City, Region

# Django 6.1 labels the empty choice of every select "- Select an option -", and its own
# Chinese catalog lacks it: marked here so that our catalog carries the translation.
gettext_noop("- Select an option -")


class ResponseForm(forms.Form):
    """One indicator's answer. The fields shown follow the indicator's type."""

    base_version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.TypedChoiceField(
        label=_("Level"), required=False, coerce=int, empty_value=None, widget=forms.RadioSelect
    )
    # A text field, not type="number": a browser sends an empty value for "245.0e" or "24,5" typed into a number
    # field, and the autosave then erased the stored answer without a word. As text, the server sees what was
    # typed and refuses it with its message; inputmode still brings up the numeric keyboard on a phone.
    value = forms.FloatField(
        label=_("Value"), required=False, localize=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    value_year = forms.IntegerField(label=_("Year the value refers to"), required=False, min_value=2000, max_value=2100)
    source = forms.CharField(label=_("Data source"), required=False, max_length=500)
    quality = forms.ChoiceField(
        label=_("Data-quality grade"), required=False, choices=[("", "—"), *Response.Quality.choices]
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), required=False, choices=[("", "—"), *Response.Confidence.choices]
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    not_applicable_reason = forms.CharField(
        label=_("Why not applicable"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    derived_override_reason = forms.CharField(
        label=_("Why the answer differs from what the agreements propose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plausibility_override_reason = forms.CharField(
        label=_("Why the value is outside the plausible range"),
        required=False,
        help_text=_("Needed only when the value lies outside the plausible range shown under the value."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The fields the user changed since the page showed this version (comma-separated; the autosave
    # script sends it). Present, only those are saved and the others stay as the newer version has them:
    # "Keep my values" after a conflict must not put back fields the user never touched.
    changed_fields = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, response: Response, disabled: bool = False, **kwargs: Any) -> None:
        self.response = response
        indicator = response.indicator
        kwargs.setdefault("prefix", f"r{response.pk}")
        if "data" not in kwargs and not args:
            kwargs["initial"] = {
                "base_version": response.version,
                "level": response.level,
                "value": response.value,
                "value_year": response.value_year,
                "source": response.source,
                "quality": response.quality,
                "confidence": response.confidence,
                "comment": response.comment,
                "not_applicable": response.not_applicable,
                "not_applicable_reason": response.not_applicable_reason,
                "derived_override_reason": response.derived_override_reason,
                "plausibility_override_reason": response.plausibility_override_reason,
            }
        super().__init__(*args, **kwargs)
        if response.assessment.is_demo:
            # A demo answer's grade is generated with it: the grades keep their meaning (A and F must stay
            # apart for whoever edits), and the field says that here none was measured.
            self.fields["quality"].help_text = _(
                "Demo data: these grades were generated with the answers; nothing was measured."
            )
        if not indicator.derived_from:
            del self.fields["derived_override_reason"]
        plausible = indicator.plausible_range()
        if plausible is None:
            del self.fields["plausibility_override_reason"]
        if indicator.type == Indicator.Type.LEVEL:
            descriptors = {level.level: level.text for level in indicator.levels.all()}
            self.fields["level"].choices = [(level, f"{level} · {descriptors.get(level, '')}") for level in range(6)]
            del self.fields["value"]
            del self.fields["value_year"]
        else:
            del self.fields["level"]
            value = self.fields["value"]
            if indicator.type == Indicator.Type.BINARY:
                self.fields["value"] = forms.TypedChoiceField(
                    # Its own context: the plain "Answer" is a report column ("当前水平/数值"), not a form's question.
                    label=pgettext_lazy("form field", "Answer"),
                    required=False,
                    coerce=float,
                    empty_value=None,
                    choices=[("", "—"), ("1", _("yes")), ("0", _("no"))],
                )
            else:
                unit = indicator.unit
                value.label = _("Value (%(unit)s)") % {"unit": unit} if unit else _("Value")
                # Django refuses inf and nan as "Enter a number", which puzzles whoever typed 1e999.
                value.error_messages["invalid"] = _(
                    "Enter an ordinary number such as 12.5; inf, nan and numbers beyond 1e308 are refused."
                )
                hints = []
                if indicator.lower is not None and indicator.upper is not None:
                    hints.append(
                        _("Goalposts: %(lower)s to %(upper)s %(unit)s")
                        % {
                            "lower": plain_number_text(indicator.lower),
                            "upper": plain_number_text(indicator.upper),
                            "unit": unit,
                        }
                    )
                if plausible is not None:
                    hints.append(_("Plausible range: %(range)s.") % {"range": plausible.text(unit)})
                # crispy renders help text unescaped: every part is escaped here. The warning's
                # element is always there, so the autosave script can fill or empty it.
                value.help_text = format_html(
                    '{} <span class="value-warning d-block text-warning-emphasis fw-semibold"'
                    ' data-testid="value-warning">{}</span>',
                    " · ".join(str(hint) for hint in hints),
                    goalpost_warning(
                        indicator, self._shown_value(), normalisation=response.assessment.framework.normalisation
                    ),
                )
                if indicator.type == Indicator.Type.COUNT:
                    value.widget.attrs["inputmode"] = "numeric"
        for field in self.fields.values():
            field.disabled = disabled
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        answer = ["level"] if "level" in self.fields else ["value", "value_year"]
        if "plausibility_override_reason" in self.fields:
            answer.append("plausibility_override_reason")
        self.helper.layout = Layout(
            "base_version",
            Div(*[Field(name) for name in answer], css_class="answer"),
            Div(
                Div("source", css_class="col-md-6"),
                Div("quality", css_class="col-md-3"),
                Div("confidence", css_class="col-md-3"),
                css_class="row",
            ),
            "comment",
            Div(Field("not_applicable"), Field("not_applicable_reason"), css_class="not-applicable"),
            *(["derived_override_reason"] if "derived_override_reason" in self.fields else []),
        )

    def _shown_value(self) -> float | None:
        """The value the page shows: the one typed (a form sent back with errors) or the stored one."""
        if not self.is_bound:
            return self.response.value
        try:
            return float(str(self.data.get(self.add_prefix("value"), "")).strip())
        except ValueError:
            return None

    def answer_values(self) -> dict[str, Any]:
        """The cleaned values the service saves (without the base version).

        When the request lists the fields the user changed, only those: the
        others are left as the stored (possibly newer) version has them.
        """
        values = {
            name: value for name, value in self.cleaned_data.items() if name not in {"base_version", "changed_fields"}
        }
        for name in (
            "source",
            "comment",
            "not_applicable_reason",
            "quality",
            "confidence",
            "derived_override_reason",
            "plausibility_override_reason",
        ):
            if name in values:
                values[name] = values[name] or ""
        if self.add_prefix("changed_fields") in self.data:
            changed = {name.strip() for name in self.cleaned_data.get("changed_fields", "").split(",")}
            values = {name: value for name, value in values.items() if name in changed}
        return values


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"})
    )
    returns_indicator = forms.BooleanField(
        label=_("Return this indicator to the consultant"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def users_in_role(role: str) -> Any:
    """The active users holding a role, by user name: the choices of the team and rater pickers."""
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username")


class AssessmentTeamForm(forms.Form):
    """Who answers and who reviews; also the second half of the create form."""

    consultants = forms.ModelMultipleChoiceField(label=_("Consultants"), queryset=users_in_role(Role.CONSULTANT))
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=users_in_role(Role.REVIEWER))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Evaluated per form: a consultant given the role a minute ago is offered.
        self.fields["consultants"].queryset = users_in_role(Role.CONSULTANT)
        self.fields["reviewer"].queryset = users_in_role(Role.REVIEWER)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AssessmentTeamChangeForm(AssessmentTeamForm):
    """The team form of an existing assessment: it remembers the team it was opened on."""

    team_when_opened = forms.CharField(widget=forms.HiddenInput)


class AssessmentCreateForm(AssessmentTeamForm):
    field_order = ["city", "framework", "period", "kind", "consultants", "reviewer", "start_from_previous"]
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.select_related("province"))
    framework = forms.ModelChoiceField(
        label=_("Framework version"), queryset=Framework.objects.filter(status=Framework.Status.PUBLISHED)
    )
    period = forms.IntegerField(label=_("Period (year)"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Assessment.Kind.choices)
    start_from_previous = forms.BooleanField(
        label=_("Start from the previous period's answers (each marked “to confirm”)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].label_from_instance = lambda city: f"{city.code} {city.name_zh} {city.name_en}"


class CampaignOpenForm(AssessmentTeamForm):
    """A campaign: a region (every member city) or a list of cities, a period, a published version, a team."""

    field_order = ["region", "cities", "framework", "period", "deadline", "consultants", "reviewer"]
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    cities = forms.ModelMultipleChoiceField(
        label=_("Or these cities"),
        queryset=City.objects.select_related("province"),
        required=False,
        help_text=_("Leave empty when a region is chosen."),
    )
    framework = forms.ModelChoiceField(
        label=_("Framework version"), queryset=Framework.objects.filter(status=Framework.Status.PUBLISHED)
    )
    period = forms.IntegerField(label=_("Period (year)"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].label_from_instance = lambda region: f"{region.code} {region.name}"
        self.fields["cities"].label_from_instance = lambda city: f"{city.code} {city.name_zh} {city.name_en}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("region")) == bool(data.get("cities")):
            raise forms.ValidationError(_("Choose a region or a list of cities (one of the two)."))
        return data


class CampaignBoardFilterForm(forms.Form):
    """The board's filters: the assessments' state and the province."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states")), *Assessment.Status.choices]
    )
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args: Any, provinces: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces")), *provinces]
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select form-select-sm"
