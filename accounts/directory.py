"""Roles and managed cities from a directory: the one rule LDAP and OIDC sign-ins share.

A directory user's DualSpace roles and the cities they manage come from the
directory only, and are made anew at each sign-in: the groups (LDAP group DNs
or names, OIDC group claims) are looked up in two maps the deployment
configures (LDAP_ROLE_GROUPS / LDAP_CITY_GROUPS, OIDC_ROLE_MAP / OIDC_CITY_MAP),
and the user's role groups and `City.managers` are set to exactly what the maps
give. So a user taken out of a directory group loses the role at the next
sign-in, and an administrator's hand edit of a directory user's roles lasts
only until then. Groups that are not DualSpace roles are left alone.

The administrator role also means Django's staff and superuser flags (the
admin site needs them, and `accounts.roles.user_roles` reads the superuser
flag as the administrator role), so both follow the directory too.
"""

import logging
from collections.abc import Iterable, Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditEvent, DirectoryAccount
from accounts.roles import Role
from accounts.signals import role_changes_recorded_by_caller
from cities.models import City

logger = logging.getLogger("dualspace.directory")


def _folded(mapping: Mapping[str, str]) -> dict[str, str]:
    """The map with its group names case-folded: directories differ in the case of DNs (CN=… against cn=…)."""
    return {name.strip().casefold(): value.strip() for name, value in mapping.items()}


def roles_from_groups(group_names: Iterable[str], mapping: Mapping[str, str]) -> set[str]:
    """The DualSpace roles the groups map to (group names matched without regard to case)."""
    unknown = sorted({value for value in mapping.values() if value.strip() not in Role.values})
    if unknown:
        raise ImproperlyConfigured(
            f"The directory's role map names roles DualSpace does not have: {', '.join(unknown)} "
            f"(the roles are {', '.join(Role.values)})."
        )
    folded = _folded(mapping)
    return {folded[name.strip().casefold()] for name in group_names if name.strip().casefold() in folded}


def cities_from_groups(group_names: Iterable[str], mapping: Mapping[str, str]) -> set[str]:
    """The codes of the cities the groups map to (group names matched without regard to case)."""
    folded = _folded(mapping)
    return {folded[name.strip().casefold()] for name in group_names if name.strip().casefold() in folded}


def sync_directory_roles(
    user: AbstractBaseUser,
    *,
    roles: set[str],
    city_codes: set[str],
    source: str,
    request: HttpRequest | None = None,
) -> bool:
    """Make the user's roles and managed cities exactly the directory's; record ROLE_CHANGED when anything moved."""
    wanted_roles = {role for role in roles if role in Role.values}
    known_cities = set(City.objects.filter(code__in=city_codes).values_list("code", flat=True))
    missing = sorted(set(city_codes) - known_cities)
    if missing:
        # A map naming a city DualSpace does not know is a configuration slip; the sign-in still goes on.
        logger.warning("directory (%s) maps %s to unknown city codes: %s", source, user.get_username(), missing)
    with transaction.atomic(), role_changes_recorded_by_caller():
        held_roles = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))  # type: ignore[attr-defined]
        if held_roles != wanted_roles:
            groups = {role: Group.objects.get_or_create(name=role)[0] for role in wanted_roles | held_roles}
            user.groups.remove(*(groups[role] for role in held_roles - wanted_roles))  # type: ignore[attr-defined]
            user.groups.add(*(groups[role] for role in wanted_roles - held_roles))  # type: ignore[attr-defined]
        administrator = Role.ADMINISTRATOR in wanted_roles
        was_administrator = bool(user.is_superuser)  # type: ignore[attr-defined]
        if bool(user.is_staff) != administrator or was_administrator != administrator:  # type: ignore[attr-defined]
            user.is_staff = administrator  # type: ignore[attr-defined]
            user.is_superuser = administrator  # type: ignore[attr-defined]
            user.save(update_fields=["is_staff", "is_superuser"])
        if was_administrator:
            held_roles.add(Role.ADMINISTRATOR)
        held_cities = set(user.managed_cities.values_list("code", flat=True))  # type: ignore[attr-defined]
        if held_cities != known_cities:
            user.managed_cities.remove(*City.objects.filter(code__in=held_cities - known_cities))  # type: ignore[attr-defined]
            user.managed_cities.add(*City.objects.filter(code__in=known_cities - held_cities))  # type: ignore[attr-defined]
    # The cached roles of this user object are stale now.
    if hasattr(user, "_dualspace_roles"):
        del user._dualspace_roles  # type: ignore[attr-defined]
    added_roles, removed_roles = sorted(wanted_roles - held_roles), sorted(held_roles - wanted_roles)
    added_cities, removed_cities = sorted(known_cities - held_cities), sorted(held_cities - known_cities)
    if not (added_roles or removed_roles or added_cities or removed_cities):
        return False
    record(
        AuditEvent.ROLE_CHANGED,
        request=request,
        actor=user,
        target=user,  # type: ignore[arg-type]
        source=source,
        added=added_roles,
        removed=removed_roles,
        cities_added=added_cities,
        cities_removed=removed_cities,
    )
    return True


def directory_account_update(user: AbstractBaseUser, *, source: str, external_id: str, department: str = "") -> None:
    """Remember where this user signs in from (LDAP DN or OIDC subject) and the department the directory gives."""
    DirectoryAccount.objects.update_or_create(
        user=user,
        defaults={
            "source": source,
            "external_id": external_id[:500],
            "department": department[:200],
            "synced_at": timezone.now(),
        },
    )
