"""Single sign-on through an OpenID Connect provider (Keycloak, Azure AD, a government IdP): mozilla-django-oidc.

The authorisation-code flow with PKCE: the login page's "Sign in with …"
button goes to the provider, which sends the browser back to
/oidc/callback/; mozilla-django-oidc checks the ID token's signature (the
provider's JWKS) and nonce and reads the user's claims from the userinfo
endpoint. This backend then, at every sign-in:
- finds the DualSpace user by the provider's subject (a `DirectoryAccount`),
  or creates one named by OIDC_USERNAME_CLAIM (default preferred_username),
  without a local password;
- sets their roles and managed cities from the group claims (OIDC_ROLE_CLAIM,
  default "groups", through OIDC_ROLE_MAP and OIDC_CITY_MAP) with
  `accounts.directory.sync_directory_roles`, the rule LDAP uses too;
- never takes over a local account that has its own password (the break-glass
  administrator): the sign-in is refused instead.
On only when OIDC_RP_CLIENT_ID is set (config/settings/base.py); the two
pages answer 404 otherwise. README, "Single sign-on (OIDC)".
"""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.directory import cities_from_groups, directory_account_update, roles_from_groups, sync_directory_roles
from accounts.models import DirectoryAccount

logger = logging.getLogger("dualspace.oidc")


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    """A claim as a list of strings (providers send one group as a string, several as a list)."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """A subject and a user name are needed; e-mail is welcome but not required (not every IdP gives it)."""
        return bool(claims.get("sub")) and bool(claims.get(settings.OIDC_USERNAME_CLAIM))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """The user this subject signed in as before, else a directory user of that name, else none."""
        user_model = get_user_model()
        known = DirectoryAccount.objects.filter(source=DirectoryAccount.Source.OIDC, external_id=claims["sub"])
        if known.exists():
            return user_model.objects.filter(pk__in=known.values("user"))
        return user_model.objects.filter(username=claims[settings.OIDC_USERNAME_CLAIM], directory_account__isnull=False)

    def create_user(self, claims: dict[str, Any]) -> Any:
        """A new DualSpace user from the claims, with no local password; None when the name is a local account's."""
        username = claims[settings.OIDC_USERNAME_CLAIM]
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            logger.warning("OIDC sign-in as %s refused: a local account has that name", username)
            return None
        user = user_model(username=username)
        user.set_unusable_password()
        self._copy_claims(user, claims)
        user.save()
        return self._synchronised(user, claims)

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        """Name and e-mail follow the provider; roles, cities and department too."""
        self._copy_claims(user, claims)
        user.save(update_fields=["first_name", "last_name", "email"])
        return self._synchronised(user, claims)

    @staticmethod
    def _copy_claims(user: Any, claims: dict[str, Any]) -> None:
        given, family = claims.get("given_name") or "", claims.get("family_name") or ""
        if not (given or family) and claims.get("name"):
            given, _space, family = str(claims["name"]).partition(" ")
        user.first_name, user.last_name = given[:150], family[:150]
        user.email = (claims.get("email") or "")[:254]

    def _synchronised(self, user: Any, claims: dict[str, Any]) -> Any:
        groups = claim_values(claims, settings.OIDC_ROLE_CLAIM)
        city_groups = claim_values(claims, settings.OIDC_CITY_CLAIM) if settings.OIDC_CITY_CLAIM else groups
        sync_directory_roles(
            user,
            roles=roles_from_groups(groups, settings.OIDC_ROLE_MAP),
            city_codes=cities_from_groups(city_groups, settings.OIDC_CITY_MAP),
            source="oidc",
            request=getattr(self, "request", None),
        )
        department = claim_values(claims, settings.OIDC_DEPARTMENT_CLAIM) if settings.OIDC_DEPARTMENT_CLAIM else []
        directory_account_update(
            user, source="oidc", external_id=str(claims["sub"]), department=department[0] if department else ""
        )
        return user


def _only_when_configured(view: Any) -> Any:
    @login_not_required
    def page(request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request)

    return page


# The provider's two ends of the flow; open to anonymous visitors (they are how one signs in).
oidc_start = _only_when_configured(OIDCAuthenticationRequestView.as_view())
oidc_callback = _only_when_configured(OIDCAuthenticationCallbackView.as_view())
