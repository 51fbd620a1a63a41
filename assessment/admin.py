from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from assessment.framework.document import FrameworkDocumentError, method_problems, methodology_problems
from assessment.models import CityRespondent, Framework, FrameworkNode, Indicator, LevelDescriptor, StageRung
from assessment.services.framework import (
    framework_clone_as_draft,
    framework_publish,
    framework_retire,
)


class DraftOnlyMixin:
    """Published and retired versions are read-only in the admin, as in the database."""

    def _editable(self, obj: object | None) -> bool:
        framework = getattr(obj, "owning_framework", lambda: obj)() if obj is not None else None
        return framework is None or framework.status == Framework.Status.DRAFT

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(obj)  # type: ignore[misc]


class FrameworkNodeInline(DraftOnlyMixin, admin.TabularInline):
    model = FrameworkNode
    fk_name = "framework"
    fields = ("code", "parent", "kind", "order", "weight", "name_zh", "name_en")
    extra = 0
    show_change_link = True
    ordering = ("order", "code")

    def has_add_permission(self, request: HttpRequest, obj: Framework | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)


class StageRungInline(DraftOnlyMixin, admin.TabularInline):
    model = StageRung
    fields = ("order", "code", "name_zh", "name_en", "requires", "gates")
    extra = 0
    filter_horizontal = ("requires", "gates")

    def has_add_permission(self, request: HttpRequest, obj: Framework | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)


class FrameworkAdminForm(forms.ModelForm):
    """A draft's settings, refused with the same messages as an imported framework document."""

    class Meta:
        model = Framework
        fields = [
            "code",
            "version",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "methodology_zh",
            "methodology_en",
            "method",
            "normalisation",
            "aggregation",
            "stage_threshold",
            "critical_floor",
            "previous",
        ]

    def clean_method(self) -> dict[str, Any]:
        method = self.cleaned_data.get("method") or {}
        if not isinstance(method, dict):
            raise ValidationError(_("The method parameters must be a JSON object of named values."))
        problems = method_problems(method)
        if problems:
            raise ValidationError([str(problem) for problem in problems])
        return method

    def clean_methodology_zh(self) -> str:
        return self._methodology("methodology_zh")

    def clean_methodology_en(self) -> str:
        return self._methodology("methodology_en")

    def _methodology(self, name: str) -> str:
        text = self.cleaned_data.get(name) or ""
        problems = methodology_problems(text, where=str(Framework._meta.get_field(name).verbose_name))
        if problems:
            raise ValidationError([str(problem) for problem in problems])
        return text


@admin.register(Framework)
class FrameworkAdmin(DraftOnlyMixin, admin.ModelAdmin):
    form = FrameworkAdminForm
    list_display = ("code", "version", "status", "name_zh", "name_en", "published_at")
    list_filter = ("status", "code")
    search_fields = ("code", "name_zh", "name_en")
    readonly_fields = ("status", "published_at", "created_at")
    inlines = [StageRungInline, FrameworkNodeInline]
    actions = ["publish", "clone_as_next_version", "retire"]

    @admin.action(description=gettext_lazy("Publish the selected drafts (checks every invariant)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset:
            try:
                framework_publish(framework=framework)
            except FrameworkDocumentError as exc:
                failed = AuditRecord.Outcome.FAILURE
                problems = len(exc.problems)
                record(
                    AuditEvent.FRAMEWORK_PUBLISHED, request=request, target=framework, outcome=failed, problems=problems
                )
                self.message_user(
                    request,
                    _("%(framework)s was not published: %(problems)s")
                    % {"framework": framework, "problems": "; ".join(str(p) for p in exc.problems[:20])},
                    messages.ERROR,
                )
            else:
                record(AuditEvent.FRAMEWORK_PUBLISHED, request=request, target=framework, channel="admin")
                self.message_user(
                    request, _("%(framework)s is published.") % {"framework": framework}, messages.SUCCESS
                )

    @admin.action(description=gettext_lazy("Clone into a new draft version"))
    def clone_as_next_version(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset:
            version = _next_version(framework)
            try:
                draft = framework_clone_as_draft(framework=framework, version=version)
            except FrameworkDocumentError as exc:
                self.message_user(request, "; ".join(str(p) for p in exc.problems[:20]), messages.ERROR)
            else:
                self.message_user(request, _("Created draft %(framework)s.") % {"framework": draft}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Retire the selected published versions"))
    def retire(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset:
            try:
                framework_retire(framework=framework)
            except FrameworkDocumentError as exc:
                self.message_user(request, "; ".join(str(p) for p in exc.problems), messages.ERROR)


def _next_version(framework: Framework) -> str:
    existing = set(Framework.objects.filter(code=framework.code).values_list("version", flat=True))
    major, _dot, minor = framework.version.partition(".")
    step = int(minor) + 1 if minor.isdigit() else 1
    while True:
        candidate = f"{major}.{step}"
        if candidate not in existing:
            return candidate
        step += 1


class LevelDescriptorInline(DraftOnlyMixin, admin.TabularInline):
    model = LevelDescriptor
    extra = 0
    max_num = 6
    fields = ("level", "text_zh", "text_en", "action_zh", "action_en", "example_zh", "example_en")

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)


class IndicatorInline(DraftOnlyMixin, admin.StackedInline):
    model = Indicator
    extra = 0
    filter_horizontal = ("continues",)

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)


class ChildNodeInline(DraftOnlyMixin, admin.TabularInline):
    model = FrameworkNode
    fk_name = "parent"
    fields = ("code", "kind", "order", "weight", "name_zh", "name_en")
    extra = 0
    show_change_link = True
    verbose_name_plural = gettext_lazy("children")

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)


@admin.register(FrameworkNode)
class FrameworkNodeAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "framework", "kind", "parent", "order", "weight", "name_zh", "name_en")
    list_filter = ("framework", "kind")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("framework", "parent")
    inlines = [IndicatorInline, ChildNodeInline]


@admin.register(Indicator)
class IndicatorAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = (
        "node",
        "type",
        "direction",
        "lower",
        "upper",
        "critical",
        "evidence_required",
        "lead_agency",
        "control",
    )
    list_filter = ("node__framework", "type", "critical", "control", "lead_agency")
    search_fields = ("node__code", "node__name_zh", "node__name_en")
    list_select_related = ("node__framework",)
    inlines = [LevelDescriptorInline]
    filter_horizontal = ("continues",)


@admin.register(CityRespondent)
class CityRespondentAdmin(admin.ModelAdmin):
    """Who answers for which city (and, optionally, which dimensions or indicators) in self-submission."""

    list_display = ("user", "city", "department", "scope")
    list_filter = ("city__province",)
    search_fields = ("user__username", "city__name_zh", "city__code", "department")
    autocomplete_fields = ("user",)
    raw_id_fields = ("city",)
