"""The two-factor pages: enrol an authenticator, give a code after the password, manage recovery codes.

Thin: the rules (who must, throttling, what is recorded) are in `accounts.two_factor`.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=20,
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next(request: HttpRequest) -> str:
    """Where to go after the second factor: the page first asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _locked_message(request: HttpRequest) -> str | None:
    lock = two_factor.lock_of(request)
    if lock is None:
        return None
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes.",
        lock.minutes,
    ) % {"minutes": lock.minutes}


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: the QR code and key, then its first code; the recovery codes once."""
    if two_factor.has_authenticator(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
        # Someone with the password alone must not swap in their own authenticator.
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next(request)})}")
    if two_factor.has_authenticator(request.user):
        return redirect("two_factor_manage")
    device = two_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrolment_confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _locked_message(request) or _("This code is not right. Check your phone's clock."))
    context = {
        "form": form,
        "enrolment": two_factor.enrolment_of(device),
        "required": two_factor.second_factor_required(request.user),  # type: ignore[arg-type]
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the authenticator's code (or a recovery code)."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        locked = _locked_message(request)
        if locked is None and two_factor.second_factor_check(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", _locked_message(request) or _("This code is not right, or was used already."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """The user's second factor: whether it is on, new recovery codes, removal."""
    context = {
        "enrolled": two_factor.has_authenticator(request.user),
        "required": two_factor.second_factor_required(request.user),  # type: ignore[arg-type]
        "remove_form": CodeForm(),
    }
    return render(request, "accounts/two_factor_manage.html", context)


@require_POST
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working), shown once."""
    if not two_factor.has_authenticator(request.user):
        return redirect("two_factor_setup")
    codes = two_factor.recovery_codes_issue(request.user)  # type: ignore[arg-type]
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": reverse("two_factor_manage")})


@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Remove the second factor, with a current code: a session left open must not switch it off."""
    form = CodeForm(request.POST)
    if form.is_valid() and _locked_message(request) is None:
        if two_factor.second_factor_check(request, form.cleaned_data["code"]):
            two_factor.second_factor_remove(request)
            messages.success(request, _("Two-factor sign-in is off for your account."))
            return redirect("two_factor_manage")
    messages.error(request, _locked_message(request) or _("This code is not right, or was used already."))
    return redirect("two_factor_manage")
