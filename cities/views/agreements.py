"""Agreement pages: the filtered list and one agreement's detail.

Views parse the query, call selectors and render.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cities import selectors
from cities.forms import AgreementFilterForm
from cities.models import Agreement


def agreement_list(request: HttpRequest) -> HttpResponse:
    """The agreements, filtered by domain, mode, status and region."""
    form = AgreementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agreements = selectors.agreement_list(
        domain=filters.get("domain") or None,
        mode=filters.get("mode") or None,
        status=filters.get("status") or None,
        region=filters.get("region") or None,
    )
    return render(request, "cities/agreement_list.html", {"form": form, "agreements": agreements})


def agreement_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One agreement and its parties."""
    try:
        agreement = selectors.agreement_detail(key=key)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "cities/agreement_detail.html", {"agreement": agreement})
