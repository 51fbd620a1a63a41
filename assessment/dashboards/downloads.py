"""One panel's table as a CSV or XLSX download: exactly the rows the page shows under the chart.

Every cell goes through `assessment.workbook.neutralise`: a city or indicator
name starting with "=" must reach a spreadsheet as text, never as a formula.
"""

import csv
import io

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from assessment.dashboards.panels import Panel
from assessment.workbook import neutralise

DOWNLOAD_FORMATS = ("csv", "xlsx")


def check_format(fmt: str) -> None:
    """Http404 unless ``fmt`` is a format a panel downloads as."""
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404(_("Downloads are CSV or XLSX."))


def panel_download(panel: Panel, filename: str, fmt: str) -> HttpResponse:
    """The panel's columns and rows as ``filename.<fmt>``, an attachment."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralise(column) for column in panel.columns])
        writer.writerows([[neutralise(value) for value in row] for row in panel.rows])
        # The byte-order mark makes Excel read the Chinese names as UTF-8.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = panel.slug[:31]
        sheet.append([neutralise(column) for column in panel.columns])
        for row in panel.rows:
            sheet.append([neutralise(value) for value in row])
        output = io.BytesIO()
        book.save(output)
        response = HttpResponse(
            output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
