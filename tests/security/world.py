"""One shared data set for the security suite: every role, and an object behind every URL.

Every role has two users. ``users`` own the objects (team 1: the consultant
and reviewer of the draft; the manager of Shanghai; the stakeholder who asked
for a report); ``others`` hold the same roles and own none of them (team 2, the
manager of Hangzhou), so the horizontal matrix can try A's objects as B.

Built once for this package's tests inside a transaction that is rolled back at the
end (as Django's TestCase.setUpClass does), so it never leaks into other
suites; each test still runs in its own savepoint.
"""

from dataclasses import dataclass, field

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.roles import Role
from assessment.demo.load import VERSION_BY_PERIOD
from assessment.models import Assessment, Campaign, Evidence, Framework, Report, ReportLink, ReviewComment
from assessment.services.assessments import assessment_create
from assessment.services.calibration import level_indicators, request_blind_rating, save_blind_answers
from assessment.services.campaigns import campaign_open
from assessment.services.evidence import evidence_add
from assessment.views.reports import LINK_SALT
from cities.models import Agreement, City, Region
from tests.factories import UserFactory

ROLES = ("anonymous", *Role.values)
DEMO_CITIES = "310000,330100,320500,340100"
MANAGED_CITY = "310000"
OTHER_MANAGED_CITY = "330100"
DRAFT_CITY = "330400"
PERIOD = 2025
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, object]
    others: dict[str, object]  # a second user of every role, owning nothing above
    framework: Framework
    draft: Assessment  # assigned to the consultant and reviewer users, editable
    published: Assessment  # published, of the city manager's city, assigned to nobody here
    response: object
    dimension_code: str
    comment: ReviewComment
    published_comment: ReviewComment  # left on the published assessment before it froze
    evidence: Evidence
    report: Report
    link: ReportLink  # created by the consultant
    manager_link: ReportLink  # created by Shanghai's manager on Shanghai's report
    stakeholder_report: Report  # requested by the stakeholder
    full_report: Report  # Shanghai's full edition (evidence annex), requested by its manager
    agreement: Agreement
    region: Region
    city: City
    campaign: Campaign  # the reviewer user's campaign, holding the draft
    extra: dict = field(default_factory=dict)

    @property
    def shared_token(self) -> str:
        return signing.dumps(self.link.key, salt=LINK_SALT)


def build_world() -> World:
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    call_command("load_demo", cities=DEMO_CITIES, quiet=True)
    call_command("load_agreements", verbosity=0)
    # The version the demo published PERIOD under, so reports and drafts match its results.
    framework = Framework.objects.get(code="DSMF", version=VERSION_BY_PERIOD[PERIOD])
    users, others = {}, {}
    for role in Role.values:
        is_admin = role == Role.ADMINISTRATOR
        users[role] = UserFactory(username=f"security-{role}", roles=[role], is_staff=is_admin, is_superuser=is_admin)
        others[role] = UserFactory(
            username=f"security-{role}-2", roles=[role], is_staff=is_admin, is_superuser=is_admin
        )
    city = City.objects.get(code=MANAGED_CITY)
    city.managers.add(users[Role.CITY_MANAGER])
    City.objects.get(code=OTHER_MANAGED_CITY).managers.add(others[Role.CITY_MANAGER])
    published = Assessment.objects.get(city=city, period=PERIOD, status=Assessment.Status.PUBLISHED)
    draft = assessment_create(
        city=City.objects.get(code=DRAFT_CITY),
        framework=framework,
        period=PERIOD,
        consultants=[users[Role.CONSULTANT]],
        reviewer=users[Role.REVIEWER],
    )
    response = (
        draft.responses.select_related("indicator__node__parent")
        .order_by("indicator__node__parent__order", "indicator__node__order")
        .first()
    )
    comment = ReviewComment.objects.create(response=response, author=users[Role.REVIEWER], body="Check the source.")
    published_comment = ReviewComment.objects.create(
        response=published.responses.get(indicator__node__code=response.indicator.node.code),
        author=users[Role.ADMINISTRATOR],
        body="Seen before publication.",
    )
    evidence = evidence_add(
        response=response,
        user=users[Role.CONSULTANT],
        upload=SimpleUploadedFile("plan.pdf", TINY_PDF, content_type="application/pdf"),
    )[0]
    region = Region.objects.get(code="G60")
    report = Report(
        kind=Report.Kind.CITY,
        city=city,
        region=region,
        framework=framework,
        period=PERIOD,
        language="en",
        input_key="security-suite",
        status=Report.Status.DONE,
        progress=100,
        requested_by=users[Role.CONSULTANT],
    )
    report.file.save("security-suite.pdf", ContentFile(TINY_PDF), save=False)
    report.save()
    from datetime import timedelta

    from django.utils import timezone

    link = ReportLink.objects.create(
        report=report,
        created_by=users[Role.CONSULTANT],
        recipient="Office",
        expires_at=timezone.now() + timedelta(days=3),
    )
    manager_link = ReportLink.objects.create(
        report=report,
        created_by=users[Role.CITY_MANAGER],
        recipient="Municipal Office",
        expires_at=timezone.now() + timedelta(days=3),
    )
    stakeholder_report = Report(
        kind=Report.Kind.REGION,
        region=region,
        framework=framework,
        period=PERIOD,
        language="zh-hans",
        input_key="security-suite-region",
        status=Report.Status.DONE,
        progress=100,
        requested_by=users[Role.STAKEHOLDER],
    )
    stakeholder_report.file.save("security-suite-region.pdf", ContentFile(TINY_PDF), save=False)
    stakeholder_report.save()
    full_report = Report(
        kind=Report.Kind.CITY,
        city=city,
        region=region,
        framework=framework,
        period=PERIOD,
        language="en",
        audience=Report.Audience.FULL,
        input_key="security-suite-full",
        status=Report.Status.DONE,
        progress=100,
        requested_by=users[Role.CITY_MANAGER],
    )
    full_report.file.save("security-suite-full.pdf", ContentFile(TINY_PDF), save=False)
    full_report.save()
    campaign = campaign_open(
        user=None,
        framework=framework,
        period=PERIOD,
        reviewer=users[Role.REVIEWER],
        consultants=[users[Role.CONSULTANT]],
        cities=[draft.city],
    ).campaign
    # A blind second rating of the draft by a consultant of neither team, submitted: the agreement
    # report is open to the draft's team, its reviewer and administrators (tests/integration/test_calibration.py).
    rater = UserFactory(username="security-blind-rater", roles=[Role.CONSULTANT])
    blind_rating = request_blind_rating(assessment=draft, rater=rater, by=users[Role.REVIEWER])
    save_blind_answers(
        rating=blind_rating,
        by=rater,
        choices={indicator.pk: "3" for indicator in level_indicators(draft)},
        submit=True,
    )
    return World(
        users=users,
        others=others,
        published_comment=published_comment,
        manager_link=manager_link,
        stakeholder_report=stakeholder_report,
        full_report=full_report,
        framework=framework,
        draft=draft,
        published=published,
        response=response,
        dimension_code=response.indicator.node.parent.code,
        comment=comment,
        evidence=evidence,
        report=report,
        link=link,
        agreement=Agreement.objects.order_by("key").first(),
        region=region,
        city=city,
        campaign=campaign,
        extra={"blind_rating": blind_rating, "blind_rater": rater},
    )
