"""Sign-in through an LDAP directory (OpenLDAP, Active Directory) with django-auth-ldap.

django-auth-ldap binds as the user (after finding their entry with the
service account), creates or updates the DualSpace user from the entry's
attributes (name, e-mail) and reads their groups. This backend adds what
DualSpace needs on top, at every sign-in:
- the roles and managed cities the groups map to (LDAP_ROLE_GROUPS,
  LDAP_CITY_GROUPS), set exactly by `accounts.directory.sync_directory_roles`,
  so a user taken out of a group loses the role at the next sign-in;
- the department (LDAP_ATTR_DEPARTMENT) on the user's `DirectoryAccount`;
- a local account that has its own password (the break-glass administrator)
  is never taken over by a directory entry of the same name: the directory's
  answer is ignored and Django's ModelBackend checks the local password.
If the directory cannot be reached, django-auth-ldap logs it and refuses; the
local accounts still sign in.

Configured in config/settings/base.py from LDAP_* variables; active only when
LDAP_SERVER_URI is set (README, "Sign-in through a directory").
"""

from typing import Any

from django.conf import settings
from django_auth_ldap.backend import LDAPBackend

from accounts.directory import (
    cities_from_groups,
    directory_account_update,
    roles_from_groups,
    sync_directory_roles,
)


class DirectoryLDAPBackend(LDAPBackend):
    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
        """The DualSpace user of this entry; refused when the name is a local account with its own password."""
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and user.has_usable_password():
            raise ldap_user.AuthenticationFailed(f"{username} is a local account with a password of its own")
        return user, built

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> Any:
        """Bind and update the user as django-auth-ldap does, then set their roles, cities and department."""
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        groups = {*ldap_user.group_dns, *ldap_user.group_names}
        sync_directory_roles(
            user,
            roles=roles_from_groups(groups, settings.LDAP_ROLE_GROUPS),
            city_codes=cities_from_groups(groups, settings.LDAP_CITY_GROUPS),
            source="ldap",
            request=ldap_user._request,
        )
        department = ""
        if settings.LDAP_ATTR_DEPARTMENT:
            values = ldap_user.attrs.get(settings.LDAP_ATTR_DEPARTMENT.lower(), []) if ldap_user.attrs else []
            department = values[0] if values else ""
        directory_account_update(user, source="ldap", external_id=ldap_user.dn or "", department=department)
        return user
