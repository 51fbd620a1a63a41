"""Every audited event of issue 23 that happens outside the user administration: one test per event type.

Each test does the real thing (a page through the test client from a known
address, or a management command) and checks that exactly one audit record
was written for it, with the right actor, client address, object, outcome and
detail; refusals are recorded too. Records written while a test builds its
data (the builders go through the same services) are ignored: only records
after ``since`` count.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.command_audit import os_user_name
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import Role
from assessment.models import Evidence, Framework, Report, ReportLink, ReviewComment, StageRung
from assessment.services.evidence import evidence_add
from assessment.services.framework import framework_import
from assessment.views.workbook import _responses
from assessment.workbook import workbook_build
from cities.models import City, Region
from tests.assessment_builders import answer_everything, assessment_with_team
from tests.factories import UserFactory
from tests.framework_documents import valid_document

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"
# Services record without a request (transitions, evidence upload and removal): the address comes from the
# page being served, which accounts/request_context.py keeps.
SERVICE_IP = IP
PASSWORD = "test-password-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OK, FAILED, DENIED = AuditRecord.Outcome.SUCCESS, AuditRecord.Outcome.FAILURE, AuditRecord.Outcome.DENIED


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A storage of this test's own, so uploads and backups never touch the shared test media folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def since() -> int:
    """The newest record's id now: what a test did afterwards is recorded above it."""
    return AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def only(event: AuditEvent, after: int) -> AuditRecord:
    """The one record of ``event`` written after ``after``; fails when there are none or several."""
    found = list(AuditRecord.objects.filter(event=event, pk__gt=after))
    assert len(found) == 1, [(r.event, r.actor_name, r.outcome, r.detail) for r in found]
    return found[0]


def signed_in(user) -> Client:
    """A client from IP, signed in; the sign-in's own record is written before the test takes ``since``."""
    client = Client(REMOTE_ADDR=IP)
    client.force_login(user)
    return client


def check(entry: AuditRecord, *, actor=None, actor_name: str = "", target=None, outcome=OK, ip: str | None = IP):
    assert entry.outcome == outcome
    assert entry.ip == ip
    if actor is not None:
        assert entry.actor_id == actor.pk and entry.actor_name == actor.get_username()
    else:
        assert entry.actor_id is None and entry.actor_name == actor_name
    if target is not None:
        assert (entry.object_type, entry.object_id) == (target._meta.label_lower, str(target.pk))


# ---------------------------------------------------------------- sign-in, sign-out, password


@pytest.mark.parametrize("page", ["/accounts/login/", "/admin/login/"])
def test_sign_in_through_the_login_page_and_the_admin_login(page):
    user = UserFactory(username="alice", is_staff=True)
    after = since()
    reply = Client(REMOTE_ADDR=IP).post(page, {"username": "alice", "password": PASSWORD})
    assert reply.status_code == 302
    entry = only(AuditEvent.SIGN_IN, after)
    check(entry, actor=user)
    assert entry.detail["backend"] == "django.contrib.auth.backends.ModelBackend"


@pytest.mark.parametrize("name", ["alice", "nobody-by-this-name"])
def test_a_failed_sign_in_names_the_user_name_tried(name):
    UserFactory(username="alice")
    after = since()
    reply = Client(REMOTE_ADDR=IP).post("/accounts/login/", {"username": name, "password": "wrong-password"})
    assert reply.status_code == 200
    check(only(AuditEvent.SIGN_IN_FAILED, after), actor_name=name, outcome=FAILED)
    assert not AuditRecord.objects.filter(pk__gt=after).exclude(event=AuditEvent.SIGN_IN_FAILED).exists()


def test_a_sign_in_refused_while_locked_is_recorded_once_and_not_as_a_failure(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(username="alice")
    client = Client(REMOTE_ADDR=IP)
    for _try in range(2):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
    after = since()
    # The right password now: refused all the same, and recorded as the lock, not as a failed guess.
    reply = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert reply.status_code == 200 and "_auth_user_id" not in client.session
    check(only(AuditEvent.SIGN_IN_LOCKED, after), actor_name="alice", outcome=DENIED)
    assert not AuditRecord.objects.filter(pk__gt=after).exclude(event=AuditEvent.SIGN_IN_LOCKED).exists()


def test_sign_out():
    user = UserFactory(username="alice")
    client = signed_in(user)
    after = since()
    assert client.post("/accounts/logout/").status_code == 302
    check(only(AuditEvent.SIGN_OUT, after), actor=user)


@pytest.mark.parametrize(
    ("old", "outcome"), [(PASSWORD, OK), ("not-my-password", FAILED)], ids=["changed", "wrong-current"]
)
def test_password_change(old, outcome):
    user = UserFactory(username="alice")
    client = signed_in(user)
    after = since()
    new = "A-new-passphrase-2025!"
    client.post("/accounts/password_change/", {"old_password": old, "new_password1": new, "new_password2": new})
    check(only(AuditEvent.PASSWORD_CHANGED, after), actor=user, outcome=outcome)
    user.refresh_from_db()
    assert user.check_password(new) == (outcome == OK)


# ---------------------------------------------------------------- the assessment workflow


def transition(client: Client, assessment, action: str):
    return client.post(reverse("assessment:assessment_transition", args=[assessment.pk, action]))


def test_every_workflow_transition_is_recorded_with_its_states():
    assessment = assessment_with_team()
    answer_everything(assessment)
    consultant, reviewer = assessment.consultants.first(), assessment.reviewer
    as_consultant, as_reviewer = signed_in(consultant), signed_in(reviewer)
    steps = [
        (as_consultant, consultant, "submit", "draft", "submitted"),
        (as_reviewer, reviewer, "start_review", "submitted", "in_review"),
        (as_reviewer, reviewer, "return", "in_review", "returned"),
        (as_consultant, consultant, "submit", "returned", "submitted"),
        (as_reviewer, reviewer, "approve", "submitted", "approved"),
        (as_reviewer, reviewer, "publish", "approved", "published"),
    ]
    for client, user, action, before, after_state in steps:
        if action == "return":
            response = assessment.responses.first()
            ReviewComment.objects.create(response=response, author=reviewer, body="Source?", returns_indicator=True)
        if action == "submit" and before == "returned":
            ReviewComment.objects.filter(response__assessment=assessment).update(resolved=True)
        after = since()
        assert transition(client, assessment, action).status_code == 302
        entry = only(AuditEvent.ASSESSMENT_STATE_CHANGED, after)
        check(entry, actor=user, target=assessment, ip=SERVICE_IP)
        assert (entry.detail["from"], entry.detail["to"]) == (before, after_state), action
    after = since()
    transition(as_reviewer, assessment, "revise")
    entry = only(AuditEvent.ASSESSMENT_STATE_CHANGED, after)
    revision = assessment.replaced_by
    check(entry, actor=reviewer, target=revision, ip=SERVICE_IP)
    assert entry.detail == {"from": "published", "to": "draft", "replaces": assessment.pk}


def test_a_refused_transition_is_recorded_as_denied_or_failed():
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    client = signed_in(consultant)
    after = since()
    assert transition(client, assessment, "approve").status_code == 403  # not the reviewer
    entry = only(AuditEvent.ASSESSMENT_STATE_CHANGED, after)
    check(entry, actor=consultant, target=assessment, outcome=DENIED)
    assert entry.detail == {"action": "approve", "from": "draft"}
    after = since()
    transition(client, assessment, "submit")  # nothing answered yet
    entry = only(AuditEvent.ASSESSMENT_STATE_CHANGED, after)
    check(entry, actor=consultant, target=assessment, outcome=FAILED)
    assert entry.detail["missing"] == assessment.responses.count()
    assessment.refresh_from_db()
    assert assessment.status == "draft"


# ---------------------------------------------------------------- evidence


def test_evidence_upload_and_a_refused_one():
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    response = assessment.responses.first()
    client = signed_in(consultant)
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    after = since()
    client.post(url, {"file": SimpleUploadedFile("audit.pdf", PDF, content_type="application/pdf")})
    evidence = Evidence.objects.get(response=response, kind=Evidence.Kind.FILE)
    entry = only(AuditEvent.EVIDENCE_UPLOADED, after)
    check(entry, actor=consultant, target=evidence, ip=SERVICE_IP)
    assert entry.detail == {"kind": "file", "size": len(PDF)}
    after = since()
    client.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf")})
    entry = only(AuditEvent.EVIDENCE_UPLOADED, after)
    check(entry, actor=consultant, target=response, outcome=FAILED)
    assert entry.detail["reason"]
    assert Evidence.objects.filter(response=response).count() == 1


def test_evidence_download_and_a_denied_one():
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    response = assessment.responses.first()
    (evidence,) = evidence_add(response=response, user=consultant, upload=SimpleUploadedFile("a.pdf", PDF))
    url = reverse("assessment:evidence_download", args=[evidence.pk])
    after = since()
    reply = signed_in(consultant).get(url)
    assert b"".join(reply.streaming_content) == PDF
    check(only(AuditEvent.EVIDENCE_DOWNLOADED, after), actor=consultant, target=evidence)
    # Another team's consultant: the same 404 as for no such file (nothing leaks), and the try on record.
    stranger = UserFactory(roles=[Role.CONSULTANT])
    after = since()
    assert signed_in(stranger).get(url).status_code == 404
    check(only(AuditEvent.EVIDENCE_DOWNLOADED, after), actor=stranger, target=evidence, outcome=DENIED)
    after = since()
    assert signed_in(stranger).get(reverse("assessment:evidence_download", args=[evidence.pk + 999])).status_code == 404
    assert not AuditRecord.objects.filter(pk__gt=after, event=AuditEvent.EVIDENCE_DOWNLOADED).exists()


def test_evidence_removal():
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    (evidence,) = evidence_add(
        response=assessment.responses.first(), user=consultant, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    after = since()
    signed_in(consultant).post(reverse("assessment:evidence_remove", args=[evidence.pk]))
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    entry = only(AuditEvent.EVIDENCE_REMOVED, after)
    check(entry, actor=consultant, target=evidence, ip=SERVICE_IP)
    assert entry.object_repr == "a.pdf" and entry.detail["kind"] == "file"


# ---------------------------------------------------------------- workbook


def test_workbook_export():
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    after = since()
    reply = signed_in(consultant).get(reverse("assessment:workbook_download", args=[assessment.pk]))
    assert reply.status_code == 200
    entry = only(AuditEvent.WORKBOOK_EXPORTED, after)
    check(entry, actor=consultant, target=assessment)
    assert entry.detail == {"rows": assessment.responses.count()}


def _workbook_with(assessment, level) -> SimpleUploadedFile:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook_build(assessment, _responses(assessment))))
    sheet = book["D1"]
    row = next(cells[0].row for cells in sheet.iter_rows(min_row=2) if cells[0].value == "D1.1")
    sheet.cell(row=row, column=6).value = level
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("answers.xlsx", buffer.getvalue())


@pytest.mark.parametrize(("level", "outcome"), [(3, OK), (7, FAILED)], ids=["applied", "refused-out-of-range"])
def test_workbook_import(level, outcome):
    assessment = assessment_with_team()
    consultant = assessment.consultants.first()
    client = signed_in(consultant)
    after = since()
    preview = client.post(
        reverse("assessment:workbook_upload", args=[assessment.pk]), {"workbook": _workbook_with(assessment, level)}
    )
    if outcome == OK:
        assert not AuditRecord.objects.filter(pk__gt=after, event=AuditEvent.WORKBOOK_IMPORTED).exists()
        token = preview.context["token"]
        client.post(reverse("assessment:workbook_apply", args=[assessment.pk]), {"token": token})
    entry = only(AuditEvent.WORKBOOK_IMPORTED, after)
    check(entry, actor=consultant, target=assessment, outcome=outcome)
    assert entry.detail == ({"rows": 1} if outcome == OK else {"problems": 1, "file": "answers.xlsx"})


# ---------------------------------------------------------------- reports and shared links


@pytest.fixture
def manager(reference_data):
    user = UserFactory(roles=[Role.CITY_MANAGER])
    City.objects.get(code="310000").managers.add(user)
    return user


def finished_report(user, framework, audience=Report.Audience.STAKEHOLDER) -> Report:
    report = Report.objects.create(
        kind=Report.Kind.CITY,
        city_id="310000",
        region=Region.objects.get(code="G60"),
        framework=framework,
        period=2025,
        language="en",
        audience=audience,
        status=Report.Status.DONE,
        progress=100,
        requested_by=user,
    )
    report.file.save(f"audit-test-{audience}.pdf", ContentFile(PDF))
    return report


@pytest.mark.parametrize("audience", ["stakeholder", "full"])
def test_report_request_of_either_edition_and_a_refused_one(manager, g60_demo, audience):
    client = signed_in(manager)
    data = {"kind": "city", "city": "310000", "region": "G60", "period": 2025, "language": "en"}
    after = since()
    client.post("/reports/request/", {**data, "audience": audience})  # queued; its rendering is not run here
    report = Report.objects.get(audience=audience)
    entry = only(AuditEvent.REPORT_REQUESTED, after)
    check(entry, actor=manager, target=report)
    assert entry.detail == {"kind": "city", "audience": audience, "language": "en", "period": 2025}
    after = since()
    client.post("/reports/request/", {**data, "audience": audience, "period": 1999})
    entry = only(AuditEvent.REPORT_REQUESTED, after)
    check(entry, actor=manager, outcome=FAILED)
    assert entry.object_type == "" and "1999" in entry.detail["reason"]


@pytest.mark.parametrize("audience", ["stakeholder", "full"])
def test_report_download_of_either_edition(manager, g60_demo, audience):
    report = finished_report(manager, g60_demo, audience)  # the full edition: Shanghai's manager reads its assessment
    after = since()
    reply = signed_in(manager).get(reverse("assessment:report_download", args=[report.pk]))
    assert b"".join(reply.streaming_content) == PDF
    entry = only(AuditEvent.REPORT_DOWNLOADED, after)
    check(entry, actor=manager, target=report)
    assert entry.detail == {"audience": audience}


def test_a_full_edition_download_by_someone_outside_the_city_is_denied(manager, g60_demo):
    report = finished_report(manager, g60_demo, Report.Audience.FULL)
    outsider = UserFactory(roles=[Role.CONSULTANT])
    after = since()
    assert signed_in(outsider).get(reverse("assessment:report_download", args=[report.pk])).status_code == 404
    check(only(AuditEvent.REPORT_DOWNLOADED, after), actor=outsider, target=report, outcome=DENIED)


def test_shared_link_creation(manager, default_framework):
    report = finished_report(manager, default_framework)
    after = since()
    signed_in(manager).post(
        reverse("assessment:report_link_create", args=[report.pk]), {"days": 7, "recipient": "Mayor's office"}
    )
    link = ReportLink.objects.get(report=report)
    entry = only(AuditEvent.LINK_CREATED, after)
    check(entry, actor=manager, target=link)
    assert entry.detail["days"] == 7 and entry.detail["recipient"] == "Mayor's office"


def test_shared_link_use_served_refused_and_forged(manager, default_framework):
    from django.core import signing

    from assessment.services import reports as report_service
    from assessment.views.reports import LINK_SALT

    link = report_service.link_create(report=finished_report(manager, default_framework), user=manager, days=3)
    url = f"/shared/{signing.dumps(link.key, salt=LINK_SALT)}/"
    stranger = Client(REMOTE_ADDR=IP)  # no account
    after = since()
    assert b"".join(stranger.get(url).streaming_content) == PDF
    entry = only(AuditEvent.LINK_USED, after)
    check(entry, actor_name="", target=link)
    assert entry.detail == {"access": "served", "report": link.report_id}
    report_service.link_revoke(link=link)
    after = since()
    assert stranger.get(url).status_code == 410
    entry = only(AuditEvent.LINK_USED, after)
    check(entry, target=link, outcome=DENIED)
    assert entry.detail["access"] == "revoked"
    after = since()
    assert stranger.get("/shared/forged-token/").status_code == 404
    entry = only(AuditEvent.LINK_USED, after)
    check(entry, outcome=DENIED)
    assert entry.object_type == "" and entry.detail == {"access": "bad_signature"}


def test_shared_link_revocation(manager, default_framework):
    from assessment.services import reports as report_service

    link = report_service.link_create(report=finished_report(manager, default_framework), user=manager, days=3)
    after = since()
    signed_in(manager).post(reverse("assessment:report_link_revoke", args=[link.report_id, link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None
    check(only(AuditEvent.LINK_REVOKED, after), actor=manager, target=link)


# ---------------------------------------------------------------- framework publish


def test_framework_publish_through_the_admin_action_and_a_refused_one():
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR])
    good = framework_import(document=valid_document())
    bad = framework_import(document=valid_document(), version="9.9")
    StageRung.objects.filter(framework=bad).delete()  # a published version needs its stage ladder
    client = signed_in(admin)
    changelist = reverse("admin:assessment_framework_changelist")
    for framework, outcome in ((good, OK), (bad, FAILED)):
        after = since()
        client.post(changelist, {"action": "publish", "_selected_action": [framework.pk]})
        check(only(AuditEvent.FRAMEWORK_PUBLISHED, after), actor=admin, target=framework, outcome=outcome)
    assert Framework.objects.get(pk=good.pk).status == Framework.Status.PUBLISHED
    assert Framework.objects.get(pk=bad.pk).status == Framework.Status.DRAFT


def test_framework_publish_by_the_load_frameworks_command():
    after = since()
    call_command("load_frameworks", stdout=io.StringIO())
    entries = AuditRecord.objects.filter(event=AuditEvent.FRAMEWORK_PUBLISHED, pk__gt=after).order_by("pk")
    # One event per shipped version, each naming its file.
    shipped = sorted(
        path.stem.removeprefix("dsmf-")
        for path in (Path(settings.BASE_DIR) / "fixtures" / "frameworks").glob("dsmf-*.json")
    )
    for entry, version in zip(entries, shipped, strict=True):
        check(entry, actor_name=os_user_name(), target=Framework.objects.get(code="DSMF", version=version), ip=None)
        assert entry.detail == {"channel": "command", "file": f"dsmf-{version}.json"}


# ---------------------------------------------------------------- backups


@pytest.mark.parametrize("where", ["file", "storage"])
def test_backup_export_and_import(where, tmp_path):
    UserFactory(username="alice")
    if where == "file":
        out, export_args, import_args = str(tmp_path / "all.zip"), ["--out"], []
    else:
        out, export_args, import_args = "backups/all.zip", ["--to-storage"], ["--from-storage"]
    after = since()
    call_command("export_all", *export_args, out, stdout=io.StringIO())
    entry = only(AuditEvent.BACKUP_EXPORTED, after)
    check(entry, actor_name=os_user_name(), ip=None)
    assert entry.detail["channel"] == "command" and entry.detail[where] == out and entry.detail["rows"] > 0

    # Refused: the database holds data and --replace is not given. Nothing changed, and the refusal is on record.
    after = since()
    with pytest.raises(Exception, match="already holds data"):
        call_command("import_all", *import_args, out, stdout=io.StringIO())
    entry = only(AuditEvent.BACKUP_IMPORTED, after)
    check(entry, actor_name=os_user_name(), outcome=FAILED, ip=None)
    assert entry.detail == {"channel": "command", where: out, "problems": 1, "replace": False}

    after, kept = since(), AuditRecord.objects.count()
    call_command("import_all", *import_args, out, "--replace", stdout=io.StringIO())
    entry = only(AuditEvent.BACKUP_IMPORTED, after)
    check(entry, actor_name=os_user_name(), ip=None)
    assert entry.detail["replace"] is True and entry.detail["rows"] > 0
    # The restore replaced the data but not the audit trail: the records from before it are all still there.
    assert AuditRecord.objects.filter(pk__lte=after).count() == kept
    assert get_user_model().objects.filter(username="alice").exists()
