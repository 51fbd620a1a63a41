"""Each user's reminders: a list, newest first, with the unread ones marked; nobody reads another's."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Notification
from assessment.services.notifications import notification_text, notifications_mark_read


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user).select_related("assessment__city")[:200]
    rows = [(n, notification_text(n)) for n in notifications]
    return render(request, "assessment/notification_list.html", {"rows": rows})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(request.user)  # type: ignore[arg-type]
    return redirect("assessment:notification_list")
