"""Every URL of the project, how to call it with real objects, and what each role gets.

The expectations are README.md's "Who sees what" table, row by row:

- framework, regions, cities; published results (dashboards, downloads, read
  API); PDF reports: every signed-in role.
- assessments: consultants those assigned to them, reviewers those they
  review, city managers the published ones of their cities, stakeholders none,
  administrators all. An assessment you may not see answers 404.
- stakeholder links: consultants and reviewers create them on any report, a
  city's managers on their city's report, administrators on all; a link is
  seen and revoked by its creator, the managers of the report's city, and
  administrators.
- review comments: the assessment's consultants and reviewer (and
  administrators) read them; nobody adds or resolves one once the assessment
  is approved or published.
- answers, evidence, workbooks: the assigned consultant while editable, and
  administrators.
- review (comments by the reviewer, transitions): the assessment's reviewer,
  administrators.
- the statistical audit page: reviewers (senior consultants) and administrators.
- admin site: administrators only.
- the audit log: the auditor only (not administrators); the auditor reaches
  nothing else (tests/security/test_auditor.py).

Anonymous visitors are sent to the login page; the API answers them 401.

``HORIZONTAL`` is the same walk across users of one role: every object URL and
action on user A's objects (world.users) tried as user B of the same role
(world.others), with what B gets and what B's page must not show.
``urls_of_the_project()`` walks the resolver, so a new URL without a row here
makes test_every_url_of_the_project_has_a_row fail.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from assessment.models import Evidence, ReportLink

A, C, R, M, S, ADM = (
    "anonymous",
    Role.CONSULTANT,
    Role.REVIEWER,
    Role.CITY_MANAGER,
    Role.STAKEHOLDER,
    Role.ADMINISTRATOR,
)
ROLES = (A, C, R, M, S, ADM)

# Outcome classes
OK = "ok"  # 2xx, or a redirect that is not to a login page
LOGIN = "login"  # redirect to the login page (anonymous)
UNAUTHORISED = "401"  # API: 401 JSON
DENIED = "denied"  # 403 or 404, nothing shown
NOT_ALLOWED = "405"  # wrong method
ADMIN_LOGIN = "admin_login"  # admin site: redirect to the admin login page


def outcomes(
    anonymous: str, consultant: str, reviewer: str, manager: str, stakeholder: str, administrator: str
) -> dict[str, str]:
    return dict(zip(ROLES, (anonymous, consultant, reviewer, manager, stakeholder, administrator), strict=True))


PUBLIC = outcomes(OK, OK, OK, OK, OK, OK)
SIGNED_IN = outcomes(LOGIN, OK, OK, OK, OK, OK)
API = outcomes(UNAUTHORISED, OK, OK, OK, OK, OK)
POST_ONLY = outcomes(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
DRAFT_SEEN = outcomes(LOGIN, OK, OK, DENIED, DENIED, OK)  # assigned consultant, its reviewer, admin
PUBLISHED_SEEN = outcomes(LOGIN, DENIED, DENIED, OK, DENIED, OK)  # the city's manager, admin
EDITS = outcomes(LOGIN, OK, DENIED, DENIED, DENIED, OK)  # edit answers, evidence, workbooks
REVIEWS = outcomes(LOGIN, DENIED, OK, DENIED, DENIED, OK)
SHARES = outcomes(LOGIN, OK, OK, OK, DENIED, OK)
AUDITS = outcomes(LOGIN, DENIED, OK, DENIED, DENIED, OK)  # the statistical audit: reviewers, administrators
ADMIN_ONLY = outcomes(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK)
# The audit log: the auditor only, never the administrator (三员分立); tests/security/test_auditor.py walks the auditor.
AUDITOR_ONLY = outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED)


@dataclass(frozen=True)
class Case:
    name: str  # URL name, with namespace
    kwargs: Callable[[Any], dict[str, Any]]
    expect: dict[str, str]
    method: str = "get"
    query: str = ""
    data: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    # What a refused POST must leave unchanged.
    state: Callable[[Any], Any] = field(default=lambda w: None)
    variant: str = ""
    html: bool = True  # an HTML page (for the CSP walk)
    # Roles for whom even an accepted POST must change nothing (the rule is in the service, not the door).
    must_not_change: tuple[str, ...] = ()
    # Text the page must not show to these roles (A's links, recipients, report list entries).
    hidden: Callable[[Any], list[str]] = field(default=lambda w: [])
    hidden_from: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}{'[' + self.variant + ']' if self.variant else ''}"


def _draft(w: Any) -> dict[str, Any]:
    return {"pk": w.draft.pk}


def _self_state(w: Any) -> Any:
    from assessment.models import Response

    return tuple(Response.objects.filter(assessment=w.draft).values_list("pk", "self_level", "self_value"))


def _flag(w: Any) -> dict[str, Any]:
    return {**_response(w), "kind": "no_evidence"}


def _flag_state(w: Any) -> Any:
    from assessment.models import FlagAcceptance

    return tuple(FlagAcceptance.objects.values_list("pk", "reason"))


def _blind_rating(w: Any) -> dict[str, Any]:
    return {"pk": w.extra["blind_rating"].pk}


def _blind_state(w: Any) -> Any:
    from assessment.models import BlindAnswer, BlindRating

    return (
        tuple(BlindRating.objects.order_by("pk").values_list("pk", "rater_id", "status")),
        tuple(BlindAnswer.objects.order_by("pk").values_list("pk", "level", "not_applicable")),
    )


def _campaign(w: Any) -> dict[str, Any]:
    return {"pk": w.campaign.pk}


def _campaign_state(w: Any) -> Any:
    from assessment.models import Assessment, Campaign

    return Campaign.objects.count(), Assessment.objects.count()


def _campaign_answers(w: Any) -> Any:
    from assessment.models import Response

    return tuple(Response.objects.filter(assessment__campaign=w.campaign).values_list("pk", "version"))


def _response(w: Any) -> dict[str, Any]:
    return {"pk": w.draft.pk, "response_pk": w.response.pk}


def _draft_state(w: Any) -> Any:
    from assessment.models import Assessment

    draft = Assessment.objects.get(pk=w.draft.pk)
    return (
        draft.status,
        draft.version,
        tuple(draft.responses.order_by("pk").values_list("version", "source", "comment")),
    )


def _assessment_count(w: Any) -> Any:
    from assessment.models import Assessment

    return Assessment.objects.count()


def _report_count(w: Any) -> Any:
    from assessment.models import Report

    return Report.objects.count()


def _same_team(w: Any) -> dict[str, Any]:
    from assessment.services.assessments import team_signature

    w.draft.refresh_from_db()
    return {
        "consultants": [user.pk for user in w.draft.consultants.all()],
        "reviewer": w.draft.reviewer_id,
        "team_when_opened": team_signature(w.draft),
    }


def _team_state(w: Any) -> Any:
    w.draft.refresh_from_db()
    return (
        w.draft.reviewer_id,
        w.draft.version,
        w.draft.history.count(),
        sorted(w.draft.consultants.values_list("pk", flat=True)),
    )


def _evidence_state(w: Any) -> Any:
    return Evidence.objects.filter(response__assessment=w.draft).count()


def _comment_state(w: Any) -> Any:
    return tuple(w.response.comments.order_by("pk").values_list("pk", "body", "resolved"))


def _link_state(w: Any) -> Any:
    return tuple(ReportLink.objects.order_by("pk").values_list("pk", "revoked_at"))


def _published_comment_state(w: Any) -> Any:
    from assessment.models import ReviewComment

    return tuple(
        ReviewComment.objects.filter(response__assessment=w.published).order_by("pk").values_list("pk", "resolved")
    )


def _published_response(w: Any) -> dict[str, Any]:
    return {"pk": w.published.pk, "response_pk": w.published_comment.response_id}


def _answer(w: Any) -> dict[str, Any]:
    prefix = f"r{w.response.pk}"
    return {
        f"{prefix}-base_version": w.response.version,
        f"{prefix}-level": "3",
        f"{prefix}-value": "1",
        f"{prefix}-source": "survey",
    }


def _no_kwargs(w: Any) -> dict[str, Any]:
    return {}


NONE = _no_kwargs
CITY = {"code": "310000"}
REGION = {"code": "G60"}

CASES: list[Case] = [
    Case("home", NONE, SIGNED_IN),
    Case("login", NONE, PUBLIC),
    Case("logout", NONE, outcomes(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED), html=False),
    # Signing out ends on the login page.
    Case("logout", NONE, outcomes(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN), method="post", html=False),
    Case("password_change", NONE, SIGNED_IN),
    Case("password_change_done", NONE, SIGNED_IN),
    # Single sign-on's two ends: 404 for everyone unless OIDC is configured (tests/e2e/test_oidc_sign_in.py).
    Case("oidc_authentication_init", NONE, outcomes(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED), html=False),
    Case("oidc_authentication_callback", NONE, outcomes(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED), html=False),
    # Two-factor sign-in: each user's own second factor (nothing of anyone else's is named in a URL).
    Case("two_factor_setup", NONE, SIGNED_IN),
    Case("two_factor_verify", NONE, SIGNED_IN),
    Case("two_factor_manage", NONE, SIGNED_IN),
    Case("two_factor_recovery_codes", NONE, POST_ONLY, html=False),
    Case("two_factor_recovery_codes", NONE, SIGNED_IN, method="post", html=False),
    Case("two_factor_remove", NONE, POST_ONLY, html=False),
    Case("two_factor_remove", NONE, SIGNED_IN, method="post", data=lambda w: {"code": "000000"}, html=False),
    Case("audit_log", NONE, AUDITOR_ONLY),
    Case("audit_log", NONE, AUDITOR_ONLY, method="post", html=False),
    Case("audit_log_csv", NONE, AUDITOR_ONLY, html=False),
    Case("set_language", NONE, PUBLIC, method="post", data=lambda w: {"language": "en", "next": "/"}, html=False),
    Case("shared_report", lambda w: {"token": w.shared_token}, PUBLIC, html=False),
    # API: the schema is public; the data needs a session.
    Case("api:openapi-json", NONE, PUBLIC, html=False),
    Case("api:openapi-view", NONE, PUBLIC),
    Case("api:api-root", NONE, outcomes(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED), html=False),
    Case("api:region_list", NONE, API, html=False),
    Case("api:region_detail", lambda w: REGION, API, html=False),
    Case("api:city_list", NONE, API, html=False),
    Case("api:city_detail", lambda w: CITY, API, html=False),
    Case("api:framework_list", NONE, API, html=False),
    Case("api:region_results", lambda w: REGION, API, query="period=2025", html=False),
    Case("api:city_results", lambda w: CITY, API, html=False),
    # Reference data
    Case("cities:region_list", NONE, SIGNED_IN),
    Case("cities:region_detail", lambda w: REGION, SIGNED_IN),
    Case("cities:region_network", lambda w: REGION, SIGNED_IN),
    Case("cities:agreement_list", NONE, SIGNED_IN),
    Case("cities:agreement_detail", lambda w: {"key": w.agreement.key}, SIGNED_IN),
    Case("cities:city_list", NONE, SIGNED_IN),
    Case("cities:city_detail", lambda w: CITY, SIGNED_IN),
    Case("assessment:framework_list", NONE, SIGNED_IN),
    Case("assessment:framework_detail", lambda w: {"code": "DSMF", "version": "1.0"}, SIGNED_IN),
    # Published results
    Case("assessment:region_dashboard", lambda w: REGION, SIGNED_IN, query="period=2025"),
    Case("assessment:region_what_if", lambda w: REGION, SIGNED_IN, query="period=2025", html=False),
    Case(
        "assessment:region_data",
        lambda w: {**REGION, "chart": "ranking", "fmt": "csv"},
        SIGNED_IN,
        query="period=2025",
        html=False,
    ),
    Case(
        "assessment:region_audit",
        lambda w: {"framework": "DSMF", "version": "1.0", "region": REGION["code"]},
        AUDITS,
        query="period=2025",
    ),
    Case("assessment:compare", NONE, SIGNED_IN, query="cities=310000,330100&period=2025"),
    Case(
        "assessment:compare_data",
        lambda w: {"chart": "indicators", "fmt": "xlsx"},
        SIGNED_IN,
        query="cities=310000,330100&period=2025",
        html=False,
    ),
    Case("assessment:city_dashboard", lambda w: CITY, SIGNED_IN, query="region=G60&period=2025"),
    Case(
        "assessment:city_data",
        lambda w: {**CITY, "chart": "radar", "fmt": "csv"},
        SIGNED_IN,
        query="region=G60&period=2025",
        html=False,
    ),
    # Reports
    Case("assessment:report_list", NONE, SIGNED_IN),
    Case("assessment:report_request", NONE, POST_ONLY, html=False),
    Case(
        "assessment:report_request",
        NONE,
        SIGNED_IN,
        method="post",
        data=lambda w: {"kind": "city", "city": "310000", "period": "2025", "language": "en"},
        state=_report_count,
        html=False,
    ),
    Case("assessment:report_detail", lambda w: {"pk": w.report.pk}, SIGNED_IN),
    Case("assessment:report_status", lambda w: {"pk": w.report.pk}, SIGNED_IN, html=False),
    Case("assessment:report_download", lambda w: {"pk": w.report.pk}, SIGNED_IN, html=False),
    # A full edition prints the assessment's evidence: only for who may read the published assessment.
    Case("assessment:report_detail", lambda w: {"pk": w.full_report.pk}, PUBLISHED_SEEN, variant="full"),
    Case("assessment:report_status", lambda w: {"pk": w.full_report.pk}, PUBLISHED_SEEN, html=False, variant="full"),
    Case("assessment:report_download", lambda w: {"pk": w.full_report.pk}, PUBLISHED_SEEN, html=False, variant="full"),
    Case("assessment:report_link_create", lambda w: {"pk": w.report.pk}, POST_ONLY, html=False),
    Case(
        "assessment:report_link_create",
        lambda w: {"pk": w.report.pk},
        SHARES,
        method="post",
        data=lambda w: {"days": "3", "recipient": "x"},
        state=_link_state,
        html=False,
    ),
    Case("assessment:report_link_revoke", lambda w: {"pk": w.report.pk, "link_pk": w.link.pk}, POST_ONLY, html=False),
    # The consultant's link: its creator, the managers of the report's city and administrators revoke it.
    Case(
        "assessment:report_link_revoke",
        lambda w: {"pk": w.report.pk, "link_pk": w.link.pk},
        outcomes(LOGIN, OK, DENIED, OK, DENIED, OK),
        method="post",
        state=_link_state,
        html=False,
    ),
    # Assessments
    Case("assessment:assessment_list", NONE, outcomes(LOGIN, OK, OK, OK, DENIED, OK)),
    Case("assessment:assessment_new", NONE, outcomes(LOGIN, DENIED, OK, DENIED, DENIED, OK)),
    Case(
        "assessment:assessment_new",
        NONE,
        outcomes(LOGIN, DENIED, OK, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {"period": "x"},
        state=_assessment_count,
        html=False,
    ),
    Case("assessment:assessment_detail", _draft, DRAFT_SEEN, variant="draft"),
    Case("assessment:assessment_detail", lambda w: {"pk": w.published.pk}, PUBLISHED_SEEN, variant="published"),
    Case(
        "assessment:dimension_form", lambda w: {"pk": w.draft.pk, "code": w.dimension_code}, DRAFT_SEEN, variant="draft"
    ),
    # The city's manager reads the published answers, not the team's review comments.
    Case(
        "assessment:dimension_form",
        lambda w: {"pk": w.published.pk, "code": w.dimension_code},
        PUBLISHED_SEEN,
        variant="published",
        hidden=lambda w: [w.published_comment.body],
        hidden_from=(M,),
    ),
    Case("assessment:assessment_history", _draft, DRAFT_SEEN, variant="draft"),
    Case("assessment:assessment_history", lambda w: {"pk": w.published.pk}, PUBLISHED_SEEN, variant="published"),
    Case("assessment:response_save", _response, POST_ONLY, html=False),
    Case("assessment:response_save", _response, EDITS, method="post", data=_answer, state=_draft_state, html=False),
    Case("assessment:comment_add", _response, POST_ONLY, html=False),
    # Consultants answer their reviewer's comments; nobody else comments.
    Case(
        "assessment:comment_add",
        _response,
        outcomes(LOGIN, OK, OK, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {f"c{w.response.pk}-body": "Seen."},
        state=_comment_state,
        html=False,
    ),
    Case("assessment:flag_accept", _flag, POST_ONLY, html=False),
    # The reviewer keeps a flagged answer (with a reason); the service refuses anyone else.
    Case(
        "assessment:flag_accept",
        _flag,
        REVIEWS,
        method="post",
        data=lambda w: {"reason": "Checked with the bureau."},
        state=_flag_state,
        html=False,
    ),
    Case("assessment:comment_resolve", lambda w: {"pk": w.draft.pk, "comment_pk": w.comment.pk}, POST_ONLY, html=False),
    Case(
        "assessment:comment_resolve",
        lambda w: {"pk": w.draft.pk, "comment_pk": w.comment.pk},
        REVIEWS,
        method="post",
        state=_comment_state,
        html=False,
    ),
    # A published assessment is frozen: no comment is added or resolved, not even by an administrator.
    Case(
        "assessment:comment_add",
        _published_response,
        outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {f"c{w.published_comment.response_id}-body": "Late."},
        state=_published_comment_state,
        html=False,
        variant="published",
        must_not_change=ROLES,
    ),
    Case(
        "assessment:comment_resolve",
        lambda w: {"pk": w.published.pk, "comment_pk": w.published_comment.pk},
        outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK),
        method="post",
        state=_published_comment_state,
        html=False,
        variant="published",
        must_not_change=ROLES,
    ),
    Case("assessment:assessment_transition", lambda w: {"pk": w.draft.pk, "action": "submit"}, POST_ONLY, html=False),
    Case(
        "assessment:assessment_transition",
        lambda w: {"pk": w.draft.pk, "action": "submit"},
        EDITS,
        method="post",
        state=_draft_state,
        html=False,
        variant="submit",
    ),
    Case(
        "assessment:assessment_transition",
        lambda w: {"pk": w.published.pk, "action": "revise"},
        outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK),
        method="post",
        state=_assessment_count,
        html=False,
        variant="revise",
    ),
    Case("assessment:assessment_team", _draft, REVIEWS),
    Case("assessment:assessment_team", _draft, REVIEWS, method="post", data=_same_team, state=_team_state, html=False),
    # City respondents' self-submission: respondents of the city (a seventh role, walked in
    # tests/integration/test_city_respondents.py) and administrators; the six roles here are refused.
    Case("assessment:respond_list", NONE, outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK)),
    Case("assessment:respond_assessment", _draft, outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK)),
    Case("assessment:respond_save", _response, POST_ONLY, html=False),
    Case(
        "assessment:respond_save",
        _response,
        outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {"value": "1", "level": "1"},
        state=_self_state,
        html=False,
        must_not_change=(C, R, M, S),
    ),
    Case("assessment:respond_evidence", _response, POST_ONLY, html=False),
    Case(
        "assessment:respond_evidence",
        _response,
        outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {"note": "From the city."},
        state=_evidence_state,
        html=False,
    ),
    # The consultant verifies the city's answers (here none is submitted: the page says so and changes nothing).
    Case("assessment:response_verify", _response, POST_ONLY, html=False),
    Case(
        "assessment:response_verify",
        _response,
        outcomes(LOGIN, OK, DENIED, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {"action": "accept"},
        state=_draft_state,
        html=False,
        must_not_change=ROLES,
    ),
    Case("assessment:self_vs_verified", _draft, DRAFT_SEEN),
    # Each user's own notifications.
    Case("assessment:notification_list", NONE, SIGNED_IN),
    Case("assessment:notifications_read", NONE, POST_ONLY, html=False),
    Case("assessment:notifications_read", NONE, SIGNED_IN, method="post", html=False),
    # Campaigns: reviewers open them and read their own boards; administrators all.
    Case("assessment:campaign_list", NONE, REVIEWS),
    Case("assessment:campaign_new", NONE, REVIEWS),
    Case(
        "assessment:campaign_new",
        NONE,
        REVIEWS,
        method="post",
        data=lambda w: {"period": "x"},
        state=_campaign_state,
        html=False,
    ),
    Case("assessment:campaign_board", _campaign, REVIEWS),
    Case("assessment:campaign_statistics", _campaign, REVIEWS),
    Case(
        "assessment:campaign_statistics",
        _campaign,
        REVIEWS,
        method="post",
        state=_campaign_answers,
        html=False,
    ),
    # The inter-rater check: the reviewer asks; only the invited rater (none of these six) answers;
    # the agreement report, once submitted, is for the team, the reviewer and administrators.
    Case("assessment:assessment_blind_ratings", _draft, REVIEWS),
    Case(
        "assessment:assessment_blind_ratings",
        _draft,
        REVIEWS,
        method="post",
        data=lambda w: {"rater": w.others[Role.CONSULTANT].pk},
        state=_blind_state,
        html=False,
    ),
    Case("assessment:blind_rating_list", NONE, outcomes(LOGIN, OK, DENIED, DENIED, DENIED, OK)),
    Case("assessment:blind_rating_answer", _blind_rating, outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED)),
    Case(
        "assessment:blind_rating_answer",
        _blind_rating,
        outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, DENIED),
        method="post",
        data=lambda w: {"save": "1"},
        state=_blind_state,
        html=False,
    ),
    Case("assessment:blind_rating_agreement", _blind_rating, outcomes(LOGIN, OK, OK, DENIED, DENIED, OK)),
    Case("assessment:campaign_statistics_apply", _campaign, POST_ONLY, html=False),
    Case(
        "assessment:campaign_statistics_apply",
        _campaign,
        REVIEWS,
        method="post",
        data=lambda w: {"token": "none"},
        state=_campaign_answers,
        html=False,
    ),
    Case("assessment:campaign_board_download", lambda w: {**_campaign(w), "fmt": "csv"}, REVIEWS, html=False),
    Case("assessment:evidence_add", _response, POST_ONLY, html=False),
    Case(
        "assessment:evidence_add",
        _response,
        EDITS,
        method="post",
        data=lambda w: {"note": "Minutes of the meeting."},
        state=_evidence_state,
        html=False,
    ),
    Case("assessment:evidence_download", lambda w: {"evidence_pk": w.evidence.pk}, DRAFT_SEEN, html=False),
    Case("assessment:evidence_remove", lambda w: {"evidence_pk": w.evidence.pk}, POST_ONLY, html=False),
    Case(
        "assessment:evidence_remove",
        lambda w: {"evidence_pk": w.evidence.pk},
        EDITS,
        method="post",
        state=_evidence_state,
        html=False,
    ),
    Case("assessment:workbook_download", _draft, DRAFT_SEEN, html=False),
    Case("assessment:workbook_upload", _draft, EDITS),
    Case("assessment:workbook_upload", _draft, EDITS, method="post", state=_draft_state, html=False),
    Case("assessment:workbook_apply", _draft, POST_ONLY, html=False),
    Case(
        "assessment:workbook_apply",
        _draft,
        EDITS,
        method="post",
        data=lambda w: {"token": "x"},
        state=_draft_state,
        html=False,
    ),
    # Admin site: the index and every model's list; the other admin URLs are the same views.
    Case("admin:index", NONE, ADMIN_ONLY),
]


def same_role(consultant: str, reviewer: str, manager: str, stakeholder: str, administrator: str) -> dict[str, str]:
    """What user B of each role gets on user A's object (there is no second anonymous visitor)."""
    return dict(zip(ROLES[1:], (consultant, reviewer, manager, stakeholder, administrator), strict=True))


NOT_THEIRS = same_role(DENIED, DENIED, DENIED, DENIED, OK)  # A's assessment: only the other administrator
EVERYONE = same_role(OK, OK, OK, OK, OK)
NOT_ADMIN = ROLES[1:-1]


def _links_of_a(w: Any) -> list[str]:
    from django.core import signing

    from assessment.views.reports import LINK_SALT

    return [
        text
        for link in (w.link, w.manager_link)
        for text in (signing.dumps(link.key, salt=LINK_SALT), link.recipient, f"/links/{link.pk}/")
    ]


def _reports_of_a(w: Any) -> list[str]:
    from django.urls import reverse

    return [
        f'href="{reverse("assessment:report_detail", args=[report.pk])}"'
        for report in (w.report, w.stakeholder_report, w.full_report)
    ]


def _copy_of_team_1(w: Any) -> dict[str, Any]:
    """Team 2's reviewer opens the next period of the city whose draft team 1 holds, from "the previous period"."""
    return {
        "city": w.draft.city_id,
        "framework": w.framework.pk,
        "period": w.draft.period + 1,
        "kind": w.draft.kind,
        "consultants": [w.others[Role.CONSULTANT].pk],
        "reviewer": w.others[Role.REVIEWER].pk,
        "start_from_previous": "on",
    }


HORIZONTAL: list[Case] = [
    Case("assessment:assessment_blind_ratings", _draft, NOT_THEIRS),
    Case("assessment:blind_rating_agreement", _blind_rating, NOT_THEIRS),
    # The rater's own form: nobody else, not even an administrator, answers for them.
    Case("assessment:blind_rating_answer", _blind_rating, same_role(DENIED, DENIED, DENIED, DENIED, DENIED)),
    Case("assessment:assessment_detail", _draft, NOT_THEIRS, variant="draft"),
    Case("assessment:assessment_detail", lambda w: {"pk": w.published.pk}, NOT_THEIRS, variant="published"),
    Case(
        "assessment:dimension_form", lambda w: {"pk": w.draft.pk, "code": w.dimension_code}, NOT_THEIRS, variant="draft"
    ),
    Case(
        "assessment:dimension_form",
        lambda w: {"pk": w.published.pk, "code": w.dimension_code},
        NOT_THEIRS,
        variant="published",
    ),
    Case("assessment:assessment_history", _draft, NOT_THEIRS, variant="draft"),
    Case("assessment:assessment_history", lambda w: {"pk": w.published.pk}, NOT_THEIRS, variant="published"),
    Case("assessment:assessment_team", _draft, NOT_THEIRS),
    Case("assessment:respond_assessment", _draft, NOT_THEIRS),
    Case(
        "assessment:respond_save",
        _response,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"value": "1", "level": "1"},
        state=_self_state,
        html=False,
    ),
    Case(
        "assessment:respond_evidence",
        _response,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"note": "From the city."},
        state=_evidence_state,
        html=False,
    ),
    Case(
        "assessment:response_verify",
        _response,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"action": "accept"},
        state=_draft_state,
        html=False,
    ),
    Case("assessment:self_vs_verified", _draft, NOT_THEIRS),
    Case("assessment:campaign_board", _campaign, NOT_THEIRS),
    Case("assessment:campaign_statistics", _campaign, NOT_THEIRS),
    Case(
        "assessment:campaign_statistics_apply",
        _campaign,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"token": "none"},
        state=_campaign_answers,
        html=False,
    ),
    Case("assessment:campaign_board_download", lambda w: {**_campaign(w), "fmt": "xlsx"}, NOT_THEIRS, html=False),
    Case(
        "assessment:assessment_team", _draft, NOT_THEIRS, method="post", data=_same_team, state=_team_state, html=False
    ),
    Case(
        "assessment:response_save", _response, NOT_THEIRS, method="post", data=_answer, state=_draft_state, html=False
    ),
    Case(
        "assessment:flag_accept",
        _flag,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"reason": "Checked with the bureau."},
        state=_flag_state,
        html=False,
    ),
    Case(
        "assessment:comment_add",
        _response,
        NOT_THEIRS,
        method="post",
        data=lambda w: {f"c{w.response.pk}-body": "Seen."},
        state=_comment_state,
        html=False,
    ),
    Case(
        "assessment:comment_resolve",
        lambda w: {"pk": w.draft.pk, "comment_pk": w.comment.pk},
        NOT_THEIRS,
        method="post",
        state=_comment_state,
        html=False,
    ),
    Case(
        "assessment:assessment_transition",
        lambda w: {"pk": w.draft.pk, "action": "submit"},
        NOT_THEIRS,
        method="post",
        state=_draft_state,
        html=False,
        variant="submit",
    ),
    Case(
        "assessment:assessment_transition",
        lambda w: {"pk": w.published.pk, "action": "revise"},
        NOT_THEIRS,
        method="post",
        state=_assessment_count,
        html=False,
        variant="revise",
    ),
    Case(
        "assessment:evidence_add",
        _response,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"note": "Minutes of the meeting."},
        state=_evidence_state,
        html=False,
    ),
    Case("assessment:evidence_download", lambda w: {"evidence_pk": w.evidence.pk}, NOT_THEIRS, html=False),
    Case(
        "assessment:evidence_remove",
        lambda w: {"evidence_pk": w.evidence.pk},
        NOT_THEIRS,
        method="post",
        state=_evidence_state,
        html=False,
    ),
    Case("assessment:workbook_download", _draft, NOT_THEIRS, html=False),
    Case("assessment:workbook_upload", _draft, NOT_THEIRS),
    Case("assessment:workbook_upload", _draft, NOT_THEIRS, method="post", state=_draft_state, html=False),
    Case(
        "assessment:workbook_apply",
        _draft,
        NOT_THEIRS,
        method="post",
        data=lambda w: {"token": "x"},
        state=_draft_state,
        html=False,
    ),
    # "Start from the previous period" must not copy team 1's draft for team 2 (the form says there is nothing to copy).
    Case(
        "assessment:assessment_new",
        NONE,
        same_role(DENIED, OK, DENIED, DENIED, OK),
        method="post",
        data=_copy_of_team_1,
        state=_assessment_count,
        html=False,
        variant="copy",
        must_not_change=(Role.REVIEWER,),
    ),
    # Reports hold published results: every signed-in user opens them, but A's links and list are A's.
    Case(
        "assessment:report_detail", lambda w: {"pk": w.report.pk}, EVERYONE, hidden=_links_of_a, hidden_from=NOT_ADMIN
    ),
    Case("assessment:report_status", lambda w: {"pk": w.report.pk}, EVERYONE, html=False),
    Case("assessment:report_download", lambda w: {"pk": w.report.pk}, EVERYONE, html=False),
    Case("assessment:report_list", NONE, EVERYONE, hidden=_reports_of_a, hidden_from=NOT_ADMIN),
    # Shanghai's full edition: Hangzhou's manager reads neither it nor its page.
    Case("assessment:report_detail", lambda w: {"pk": w.full_report.pk}, NOT_THEIRS, variant="full"),
    Case("assessment:report_download", lambda w: {"pk": w.full_report.pk}, NOT_THEIRS, html=False, variant="full"),
    # Shanghai's report: Hangzhou's manager may neither share it nor touch its links.
    Case(
        "assessment:report_link_create",
        lambda w: {"pk": w.report.pk},
        same_role(OK, OK, DENIED, DENIED, OK),
        method="post",
        data=lambda w: {"days": "3", "recipient": "x"},
        state=_link_state,
        html=False,
    ),
    Case(
        "assessment:report_link_revoke",
        lambda w: {"pk": w.report.pk, "link_pk": w.link.pk},
        NOT_THEIRS,
        method="post",
        state=_link_state,
        html=False,
        variant="consultant's",
    ),
    Case(
        "assessment:report_link_revoke",
        lambda w: {"pk": w.report.pk, "link_pk": w.manager_link.pk},
        NOT_THEIRS,
        method="post",
        state=_link_state,
        html=False,
        variant="manager's",
    ),
    Case("shared_report", lambda w: {"token": w.shared_token}, EVERYONE, html=False),
]


def walk(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            )
            names += walk(entry, inner)
        elif isinstance(entry, URLPattern):
            names.append(f"{namespace}:{entry.name}" if namespace else str(entry.name))
    return names


def urls_of_the_project() -> set[str]:
    return {name for name in walk() if not name.startswith("admin:")}
