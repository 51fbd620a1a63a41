"""Campaigns: the reviewer opens one for a region, follows it on a board and downloads the board."""

import base64
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Role, role_required
from assessment.dashboards.downloads import check_format, panel_download
from assessment.dashboards.panels import Panel
from assessment.forms import CampaignBoardFilterForm, CampaignOpenForm
from assessment.models import Campaign
from assessment.selectors.campaigns import CampaignBoard, campaign_board, campaign_board_table, campaigns_visible_to
from assessment.services.campaigns import campaign_open
from assessment.services.statistics_import import (
    StatisticsCheck,
    StatisticsImportError,
    conflict_text,
    statistics_apply,
    statistics_check,
)


@role_required(Role.REVIEWER)
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns this reviewer runs (an administrator: all), newest period first."""
    campaigns = campaigns_visible_to(request.user).prefetch_related("assessments")
    return render(request, "assessment/campaign_list.html", {"campaigns": campaigns})


@role_required(Role.REVIEWER)
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Open a campaign (or complete one: opening it again adds only what is missing)."""
    form = CampaignOpenForm(request.POST or None, initial={"reviewer": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opening = campaign_open(
                user=request.user,
                framework=data["framework"],
                period=data["period"],
                reviewer=data["reviewer"],
                consultants=list(data["consultants"]),
                region=data["region"],
                cities=None if data["region"] else list(data["cities"]),
                deadline=data["deadline"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(created)d assessments created, %(kept)d already there.")
                % {"created": len(opening.created), "kept": len(opening.already) + len(opening.joined)},
            )
            if opening.held_elsewhere:
                messages.warning(
                    request,
                    _("Left alone (in another campaign or framework version): %(cities)s.")
                    % {"cities": "、".join(a.city.name for a in opening.held_elsewhere)},
                )
            if not campaigns_visible_to(request.user).filter(pk=opening.campaign.pk).exists():
                # Opened for another reviewer: the board is theirs.
                return redirect("assessment:campaign_list")
            return redirect(opening.campaign.get_absolute_url())
    return render(request, "assessment/campaign_new.html", {"form": form})


def _board(request: HttpRequest, pk: int) -> tuple[CampaignBoard, CampaignBoardFilterForm]:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    provinces = sorted({(c.province.code, c.province.name) for c in campaign.cities.select_related("province")})
    form = CampaignBoardFilterForm(request.GET or None, provinces=provinces)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    board = campaign_board(campaign, status=filters.get("status", ""), province=filters.get("province", ""))
    return board, form


@role_required(Role.REVIEWER)
@require_GET
def campaign_board_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Cities × dimensions: each city's state, answers and evidence per dimension, open returns."""
    board, form = _board(request, pk)
    query = request.GET.urlencode()
    return render(request, "assessment/campaign_board.html", {"board": board, "form": form, "query": query})


@role_required(Role.REVIEWER)
@require_GET
def campaign_board_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The board as filtered, one row per city, as CSV or XLSX."""
    check_format(fmt)
    board, _form = _board(request, pk)
    columns, rows = campaign_board_table(board)
    panel = Panel(slug="campaign", title=board.campaign.name, figure=None, columns=columns, rows=rows)
    return panel_download(panel, f"campaign-{board.campaign.pk}-progress", fmt)


STATISTICS_MAX_BYTES = 2 * 1024 * 1024


class StatisticsUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Statistics file"),
        help_text=gettext_lazy(
            "CSV (UTF-8) or XLSX: a row per city with its code in “city_code”, a column per indicator code; "
            "“source” and “year” for the row, or “W1.1 source” and “W1.1 year” for one column."
        ),
    )


def _checked(request: HttpRequest, campaign: Campaign, data: bytes, name: str) -> StatisticsCheck:
    return statistics_check(campaign=campaign, data=data, filename=name, user=request.user)  # type: ignore[arg-type]


@role_required(Role.REVIEWER)
def campaign_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a statistics file: its problems (nothing written), or what it would fill and the conflicts to choose."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    form = StatisticsUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"campaign": campaign, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > STATISTICS_MAX_BYTES:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            data = upload.read()
            check = _checked(request, campaign, data, upload.name)
            context["check"] = check
            context["conflicts"] = [(change, conflict_text(change)) for change in check.conflicts]
            if not check.problems:
                token = secrets.token_urlsafe(16)
                request.session[f"statistics:{token}"] = {
                    "campaign": campaign.pk,
                    "name": upload.name,
                    "data": base64.b64encode(data).decode(),
                }
                context["token"] = token
    return render(request, "assessment/campaign_statistics.html", context)


@require_POST
@role_required(Role.REVIEWER)
def campaign_statistics_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the checked file: every change, and the conflicts ticked to replace; all or nothing."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    stored = request.session.pop(f"statistics:{request.POST.get('token', '')}", None)
    if not stored or stored.get("campaign") != campaign.pk:
        messages.error(request, _("Upload the file again: the checked file is no longer here."))
        return redirect("assessment:campaign_statistics", pk=campaign.pk)
    check = _checked(request, campaign, base64.b64decode(stored["data"]), stored["name"])
    replace = {int(value) for value in request.POST.getlist("replace") if value.isdigit()}
    try:
        written = statistics_apply(check=check, user=request.user, replace=replace)  # type: ignore[arg-type]
    except StatisticsImportError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessment:campaign_statistics", pk=campaign.pk)
    messages.success(
        request, _("%(written)d answers written from %(file)s.") % {"written": written, "file": stored["name"]}
    )
    return redirect(campaign.get_absolute_url())
