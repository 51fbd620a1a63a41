"""Reading the audit log: the auditor's filters, the filtered records, and their CSV export.

The records are written by `accounts.audit.record` only; nothing here changes one.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, AuditRecord
from assessment.workbook import neutralise

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    """What the auditor narrows the log to; every field optional."""

    event = forms.ChoiceField(label=_("Event"), required=False, choices=[("", _("All events")), *AuditEvent.choices])
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All outcomes")), *AuditRecord.Outcome.choices]
    )
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned


def audit_records(filters: dict[str, object]) -> QuerySet[AuditRecord]:
    """The records matching the cleaned filters, newest first (dates are whole days in the site's time zone)."""
    records = AuditRecord.objects.all()
    if filters.get("event"):
        records = records.filter(event=filters["event"])
    if filters.get("outcome"):
        records = records.filter(outcome=filters["outcome"])
    if filters.get("user"):
        records = records.filter(actor_name__icontains=filters["user"])
    if filters.get("ip"):
        records = records.filter(ip=filters["ip"])
    if filters.get("object_type"):
        records = records.filter(object_type__icontains=filters["object_type"])
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        records = records.filter(at__gte=datetime.combine(filters["since"], time.min, tzinfo=zone))  # type: ignore[arg-type]
    if filters.get("until"):
        records = records.filter(at__lte=datetime.combine(filters["until"], time.max, tzinfo=zone))  # type: ignore[arg-type]
    return records.order_by("-at", "-pk")


CSV_COLUMNS = (
    _("Time"),
    _("User name"),
    _("IP address"),
    _("Event"),
    _("Outcome"),
    _("Object type"),
    _("Object id"),
    _("Object"),
    _("Detail"),
)


def detail_pairs(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """A record's detail as (key, text) pairs, sorted: lists read "a, b" and an empty list "—", not Python's repr."""

    def text(value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value) or "—"
        if isinstance(value, dict):
            return ", ".join(f"{key}={item}" for key, item in value.items()) or "—"
        return str(value)

    return [(key, text(value)) for key, value in sorted(detail.items())]


def audit_csv_lines(records: Iterable[AuditRecord]) -> Iterator[str]:
    """The CSV export, line by line: a byte-order mark first (Excel then reads the Chinese right), every cell inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(str(cell)) for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line([str(column) for column in CSV_COLUMNS])
    for entry in records:
        yield line(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor_name,
                entry.ip or "",
                entry.get_event_display(),
                entry.get_outcome_display(),
                entry.object_type,
                entry.object_id,
                entry.object_repr,
                "; ".join(f"{key}={value}" for key, value in detail_pairs(entry.detail)),
            ]
        )
