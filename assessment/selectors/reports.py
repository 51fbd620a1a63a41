"""Reports a user sees in their list, and the stakeholder links they may see, make and revoke."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from accounts.roles import Role, has_role
from assessment.models import Assessment, Report, ReportLink
from assessment.selectors.assessments import assessments_visible_to
from assessment.selectors.results import published_results_visible_to


def reports_listed_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Report]:
    """A user's own requests, newest first; administrators see everyone's.

    Any signed-in user may open any report (they hold published results
    only), but who asked for which report is their own business.
    """
    reports = Report.objects.select_related("city", "region", "framework", "requested_by").order_by(
        "-created_at", "-pk"
    )
    if has_role(user, Role.ADMINISTRATOR):
        return reports
    if not user.is_authenticated:
        return reports.none()
    return reports.filter(requested_by=user)


def manages_city(user: AbstractBaseUser | AnonymousUser, city_id: int | None) -> bool:
    """A city manager of this city (administrators manage every city)."""
    if city_id is None or not user.is_authenticated:
        return False
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.CITY_MANAGER) and user.managed_cities.filter(pk=city_id).exists()  # type: ignore[union-attr]


def links_managed_by(user: AbstractBaseUser | AnonymousUser, report: Report) -> QuerySet[ReportLink]:
    """The stakeholder links of a report this user may see (URL, recipient) and revoke.

    A link is its creator's: who it went to is their business. Administrators
    see every link, and a city's own managers every link to their city's
    report, since they answer for where their city's figures go.
    """
    links = report.links.select_related("created_by")
    if not user.is_authenticated:
        return links.none()
    if has_role(user, Role.ADMINISTRATOR) or (report.kind == Report.Kind.CITY and manages_city(user, report.city_id)):
        return links
    return links.filter(created_by=user)


def may_share(user: AbstractBaseUser | AnonymousUser, report: Report) -> bool:
    """Whether the user may create a stakeholder link to this report.

    Consultants and reviewers share any report; a city manager only their own
    city's report, never another city's or a region's.
    """
    if has_role(user, Role.ADMINISTRATOR, Role.CONSULTANT, Role.REVIEWER):
        return True
    return report.kind == Report.Kind.CITY and manages_city(user, report.city_id)


def may_read_full_edition(
    user: AbstractBaseUser | AnonymousUser, *, kind: str, city_id: str | None, period: int, framework_id: int
) -> bool:
    """Whether the user may have the full edition of a report, the one with the evidence annex.

    Only a city report has one, and only for who may read the published
    assessment behind it on its own pages (its consultants and reviewer, the
    city's managers, administrators): the annex prints that assessment's
    sources, comments and evidence. Everyone else gets the stakeholder edition.
    """
    if kind != Report.Kind.CITY or city_id is None or not user.is_authenticated:
        return False
    behind = published_results_visible_to(user).filter(
        city_id=city_id, period=period, framework_id=framework_id, kind=Assessment.Kind.CONSULTANT
    )
    return assessments_visible_to(user).filter(pk__in=behind.values("pk")).exists()


def may_read_edition(user: AbstractBaseUser | AnonymousUser, report: Report) -> bool:
    """A stakeholder edition is for any signed-in user; a full one as `may_read_full_edition` says.

    A statistical audit annex is for reviewers and administrators, as the audit page.
    """
    if report.kind == Report.Kind.AUDIT:
        return has_role(user, Role.REVIEWER)
    if report.audience == Report.Audience.STAKEHOLDER:
        return user.is_authenticated
    return may_read_full_edition(
        user, kind=report.kind, city_id=report.city_id, period=report.period, framework_id=report.framework_id
    )
