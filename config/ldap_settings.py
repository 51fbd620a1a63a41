"""django-auth-ldap's AUTH_LDAP_* settings, read from the LDAP_* environment variables.

One function, so the settings module and the tests (which point it at the
slapd they start) build them alike. Imported only when LDAP_SERVER_URI is set:
python-ldap is an optional dependency (`pip install '.[ldap]'`).
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_required, env_str


def ldap_settings(server_uri: str) -> dict[str, Any]:
    """The AUTH_LDAP_* settings for the directory at ``server_uri``, from the LDAP_* variables."""
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType,
        GroupOfNamesType,
        GroupOfUniqueNamesType,
        LDAPSearch,
        NestedActiveDirectoryGroupType,
        PosixGroupType,
    )

    group_types = {
        "groupOfNames": (GroupOfNamesType, "(objectClass=groupOfNames)"),
        "groupOfUniqueNames": (GroupOfUniqueNamesType, "(objectClass=groupOfUniqueNames)"),
        "posixGroup": (PosixGroupType, "(objectClass=posixGroup)"),
        "activeDirectory": (ActiveDirectoryGroupType, "(objectClass=group)"),
        "nestedActiveDirectory": (NestedActiveDirectoryGroupType, "(objectClass=group)"),
    }
    group_type = env_str("LDAP_GROUP_TYPE", "groupOfNames") or "groupOfNames"
    if group_type not in group_types:
        raise ImproperlyConfigured(f"LDAP_GROUP_TYPE must be one of {', '.join(group_types)}, not {group_type!r}.")
    group_class, group_filter = group_types[group_type]
    return {
        "AUTH_LDAP_SERVER_URI": server_uri,
        # The service account that looks the user's entry up (empty: an anonymous search).
        "AUTH_LDAP_BIND_DN": env_str("LDAP_BIND_DN", "") or "",
        "AUTH_LDAP_BIND_PASSWORD": env_str("LDAP_BIND_PASSWORD", "") or "",
        "AUTH_LDAP_START_TLS": env_bool("LDAP_START_TLS", False),
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            env_required("LDAP_USER_SEARCH_BASE", "the DN under which users are, e.g. ou=people,dc=example,dc=gov"),
            ldap.SCOPE_SUBTREE,
            # OpenLDAP: (uid=%(user)s); Active Directory: (sAMAccountName=%(user)s).
            env_str("LDAP_USER_FILTER", "(uid=%(user)s)") or "(uid=%(user)s)",
        ),
        "AUTH_LDAP_GROUP_TYPE": group_class(),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(
            env_required("LDAP_GROUP_SEARCH_BASE", "the DN under which groups are, e.g. ou=groups,dc=example,dc=gov"),
            ldap.SCOPE_SUBTREE,
            group_filter,
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": env_str("LDAP_ATTR_FIRST_NAME", "givenName") or "givenName",
            "last_name": env_str("LDAP_ATTR_LAST_NAME", "sn") or "sn",
            "email": env_str("LDAP_ATTR_EMAIL", "mail") or "mail",
        },
        # Name and e-mail follow the directory at every sign-in; roles and cities too (accounts.directory).
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        # A directory that does not answer must not hang the sign-in page: give up after a few seconds.
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: env_int("LDAP_TIMEOUT", 5)},
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }
