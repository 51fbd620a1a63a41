"""Single sign-on through a real OpenID Connect provider, in a real browser (issue 23, point 2).

node's oidc-provider runs beside the live server (tests/oidc_server.py);
Chromium clicks "Sign in with …" on DualSpace's login page, signs in at the
provider's own login form, consents, and comes back signed in. The group
claims give the role and the managed city; after the provider drops a group,
the next sign-in drops the role. A name that belongs to a local account with a
password is refused, not taken over.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import AuditEvent, AuditRecord, DirectoryAccount
from accounts.roles import Role, user_roles
from tests.e2e.conftest import screenshot
from tests.oidc_server import oidc_provider, provider_available

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNTS = {
    "dora": {"email": "dora@example.gov", "name": "Dora Chen", "groups": ["dualspace-reviewers"]},
    "evan": {
        "email": "evan@hangzhou.example.gov",
        "given_name": "Evan",
        "family_name": "Xu",
        "department": "杭州市数据资源管理局",
        "groups": ["dualspace-city-managers", "city-330100"],
    },
    "admin": {"email": "someone@example.gov", "groups": ["dualspace-reviewers"]},
}


@pytest.fixture
def provider(live_server, settings):
    if not provider_available():
        pytest.fail("node and tests/oidc_provider/node_modules are required; `make test` runs npm ci there.")
    call_command("load_reference_data", verbosity=0)
    with oidc_provider(f"{live_server.url}/oidc/callback/", ACCOUNTS) as running:
        for name, value in running.settings().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            "django.contrib.auth.backends.ModelBackend",
            "accounts.oidc.DirectoryOIDCBackend",
        ]
        settings.OIDC_PROVIDER_NAME = "政务统一身份认证"
        settings.OIDC_ROLE_MAP = {"dualspace-reviewers": "reviewer", "dualspace-city-managers": "city_manager"}
        settings.OIDC_CITY_MAP = {"city-330100": "330100"}
        yield running


def sign_in_through_the_provider(page, live_server, login: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("[data-testid=sso-sign-in]")
    # The provider's own pages: its login form (any name), then its consent form.
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if not page.url.startswith(live_server.url):
        page.click("button[type=submit]")  # consent
    page.wait_for_url(f"{live_server.url}/**")
    page.wait_for_load_state("networkidle")


def test_sign_in_through_the_provider_maps_groups_to_roles_and_cities(page, live_server, provider):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.request_log.foreign == []
    button = page.locator("[data-testid=sso-sign-in]")
    assert "政务统一身份认证" in button.inner_text()
    screenshot(page, "oidc-login-button")

    sign_in_through_the_provider(page, live_server, "dora")
    assert page.url == f"{live_server.url}/"
    assert page.locator("[data-testid=user-menu]").inner_text().strip() == "dora"
    dora = get_user_model().objects.get(username="dora")
    assert user_roles(dora) == {Role.REVIEWER} and not dora.has_usable_password()
    assert (dora.first_name, dora.last_name, dora.email) == ("Dora", "Chen", "dora@example.gov")
    assert DirectoryAccount.objects.get(user=dora).source == "oidc"
    signed = AuditRecord.objects.filter(event=AuditEvent.SIGN_IN, actor=dora).get()
    assert signed.detail["backend"] == "accounts.oidc.DirectoryOIDCBackend"

    sign_in_through_the_provider(page, live_server, "evan")
    evan = get_user_model().objects.get(username="evan")
    assert user_roles(evan) == {Role.CITY_MANAGER}
    assert list(evan.managed_cities.values_list("code", flat=True)) == ["330100"]
    assert DirectoryAccount.objects.get(user=evan).department == "杭州市数据资源管理局"
    screenshot(page, "oidc-signed-in-city-manager")

    # The provider takes evan out of the managers' group: the next sign-in takes the role and the city away.
    provider.set_accounts({**ACCOUNTS, "evan": {**ACCOUNTS["evan"], "groups": []}})
    sign_in_through_the_provider(page, live_server, "evan")
    evan.refresh_from_db()
    assert user_roles(get_user_model().objects.get(pk=evan.pk)) == frozenset()
    assert not evan.managed_cities.exists()
    last = AuditRecord.objects.filter(event=AuditEvent.ROLE_CHANGED, object_id=str(evan.pk)).order_by("-pk")[0]
    assert last.detail["source"] == "oidc" and last.detail["removed"] == [Role.CITY_MANAGER]
    assert last.detail["cities_removed"] == ["330100"]
    # Nothing left the two servers but the test provider's own login page asking for a web font (oidc-provider's
    # development pages do); DualSpace's pages asked only the live server.
    others = [url for url in page.request_log.foreign if not url.startswith(provider.issuer)]
    assert all(url.startswith("https://fonts.googleapis.com/") for url in others), others


def test_a_local_account_is_not_taken_over_by_the_provider(page, live_server, provider):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    sign_in_through_the_provider(page, live_server, "admin")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-warning").count() == 1
    admin.refresh_from_db()
    assert admin.has_usable_password() and admin.is_superuser
    assert not DirectoryAccount.objects.filter(user=admin).exists()
