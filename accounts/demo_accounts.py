"""The role groups and the demo accounts that `make setup` creates."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import Role
from cities.models import City


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    full_name: str
    managed_city_codes: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount("consultant", Role.CONSULTANT, "Demo Consultant"),
    DemoAccount("reviewer", Role.REVIEWER, "Demo Reviewer"),
    DemoAccount("manager", Role.CITY_MANAGER, "Demo City Manager", ("310000",)),
    DemoAccount("stakeholder", Role.STAKEHOLDER, "Demo Stakeholder"),
    DemoAccount("admin", Role.ADMINISTRATOR, "Demo Administrator"),
    DemoAccount("auditor", Role.AUDITOR, "Demo Auditor"),
    # Hangzhou's staff, submitting the city's own answers in a campaign for a consultant to verify.
    DemoAccount("respondent", Role.RESPONDENT, "Demo Respondent", ("330100",)),
)


def role_groups_ensure(using: str = "default") -> dict[str, Group]:
    """The role groups, created when missing (after every migrate, and before demo accounts)."""
    return {role: Group.objects.using(using).get_or_create(name=role)[0] for role in Role.values}


def demo_accounts_ensure(*, password: str) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing; existing ones keep their password."""
    user_model = get_user_model()
    results = []
    with transaction.atomic():
        groups = role_groups_ensure()
        for account in DEMO_ACCOUNTS:
            first, _space, last = account.full_name.partition(" ")
            user, created = user_model.objects.get_or_create(
                username=account.username,
                defaults={"first_name": first, "last_name": last, "email": f"{account.username}@example.invalid"},
            )
            if created:
                user.set_password(password)
            if account.role == Role.ADMINISTRATOR:
                user.is_staff = True
                user.is_superuser = True
            user.save()
            user.groups.add(groups[account.role])
            if account.managed_city_codes and account.role == Role.RESPONDENT:
                from assessment.models import CityRespondent

                for city in City.objects.filter(code__in=account.managed_city_codes):
                    CityRespondent.objects.get_or_create(user=user, city=city)
            elif account.managed_city_codes:
                for city in City.objects.filter(code__in=account.managed_city_codes):
                    city.managers.add(user)
            results.append((account, created))
    return results
