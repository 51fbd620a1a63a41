from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from accounts import oidc, two_factor_views
from accounts.forms import ThrottledLoginForm
from accounts.views import SignInView, ThrottledPasswordChangeView, audit_log, audit_log_csv
from assessment.views import pages as assessment_pages
from assessment.views import reports as assessment_reports

# The admin carries the product's name in the reader's language, not the stock "Django administration".
admin.site.site_header = _("DualSpace administration")
admin.site.site_title = _("DualSpace administration")

urlpatterns = [
    path("", assessment_pages.home, name="home"),
    # Before the stock auth URLs: the same login page, throttled (accounts.throttle).
    path("accounts/login/", SignInView.as_view(authentication_form=ThrottledLoginForm), name="login"),
    # Not the stock auth URLs: without them the password-reset pages would be open
    # to anyone and would mail from a server that has no mail set up. An
    # administrator sets a forgotten password in the admin site.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (accounts.oidc): the way to the provider and back; 404 unless OIDC_RP_CLIENT_ID is set.
    path("oidc/authenticate/", oidc.oidc_start, name="oidc_authentication_init"),
    path("oidc/callback/", oidc.oidc_callback, name="oidc_authentication_callback"),
    # The old password is a guess too: throttled like the login page.
    path("accounts/password_change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Two-factor sign-in (accounts.two_factor): enrolment, the code after the password, the account's own page.
    path("accounts/two-factor/setup/", two_factor_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/", two_factor_views.two_factor_manage, name="two_factor_manage"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("accounts/two-factor/remove/", two_factor_views.two_factor_remove, name="two_factor_remove"),
    # The auditor's pages (accounts.audit_log); administrators are not let in (三员分立).
    path("audit-log/", audit_log, name="audit_log"),
    path("audit-log/export.csv", audit_log_csv, name="audit_log_csv"),
    # Anonymous visitors choose the language of the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # Stakeholders open a shared report without an account (signed, expiring, revocable).
    path("shared/<str:token>/", assessment_reports.shared_report, name="shared_report"),
    path("api/v1/", include("assessment.api.urls")),
    path("", include("cities.urls")),
    path("", include("assessment.urls")),
]

handler403 = "assessment.views.pages.permission_denied"
handler404 = "assessment.views.pages.page_not_found"
handler500 = "assessment.views.pages.server_error"
