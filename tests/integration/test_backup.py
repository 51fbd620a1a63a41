"""Full backups: export_all and import_all round-trip every row, file and history entry, all or nothing."""

import hashlib
import io
import json
import shutil
import zipfile

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from assessment.backup import restore
from assessment.backup.archive import FORMAT_VERSION, backed_up_models, occupied_tables
from assessment.models import (
    Assessment,
    AssessmentResult,
    Evidence,
    Framework,
    Report,
    ReportLink,
    ReportLinkAccess,
    Response,
    ReviewComment,
)
from assessment.services import assessments as workflow
from assessment.services.evidence import evidence_add, evidence_remove
from assessment.services.reports import link_access, link_create
from cities.models import Agreement, City, Region
from tests.assessment_builders import answer_everything, assessment_with_team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REPORT_PDF = b"%PDF-1.7\n% a rendered city report\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A storage of this test's own: other tests share the default test media folder."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


@pytest.fixture
def dataset(reference_data, default_framework):
    """Reference data, agreements, a demo city, and one assessment taken through the whole loop by hand."""
    call_command("load_agreements", verbosity=0)
    call_command("load_demo", cities="310000", quiet=True)
    reviewers = Group.objects.get_or_create(name=Role.REVIEWER)[0]
    reviewers.permissions.add(Permission.objects.get(codename="view_assessment"))
    consultant = UserFactory(username="backup-consultant", roles=[Role.CONSULTANT])
    consultant.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    reviewer = UserFactory(username="backup-reviewer", roles=[Role.REVIEWER])
    manager = UserFactory(username="backup-manager", roles=[Role.CITY_MANAGER])
    City.objects.get(code="320500").managers.add(manager)
    admin = UserFactory(username="backup-admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)

    published = assessment_with_team(city=City.objects.get(code="320500"), consultant=consultant, reviewer=reviewer)
    answer_everything(published)
    response = published.responses.get(indicator__node__code="D1.1")
    evidence_add(response=response, user=consultant, upload=SimpleUploadedFile("plan.pdf", PDF))
    workflow.assessment_submit(assessment=published, user=consultant)
    workflow.assessment_start_review(assessment=published, user=reviewer)
    comment = workflow.review_comment_add(response=response, user=reviewer, body="来源？", returns_indicator=True)
    workflow.review_comment_add(response=response, user=consultant, body="See the plan.", parent=comment)
    workflow.assessment_return(assessment=published, user=reviewer)
    response.refresh_from_db()
    workflow.response_save(response=response, user=consultant, values={"level": 3}, base_version=response.version)
    workflow.review_comment_resolve(comment=comment, user=reviewer)
    workflow.assessment_submit(assessment=published, user=consultant)
    workflow.assessment_approve(assessment=published, user=reviewer)
    workflow.assessment_publish(assessment=published, user=reviewer)

    draft = assessment_with_team(city=City.objects.get(code="320200"), consultant=consultant, reviewer=reviewer)

    report = Report(
        kind=Report.Kind.CITY,
        city_id="310000",
        region=Region.objects.get(code="G60"),
        framework=default_framework,
        period=2025,
        language="zh",
        input_key="f" * 64,
        status=Report.Status.DONE,
        progress=100,
        size=len(REPORT_PDF),
        requested_by=manager,
        finished_at=timezone.now(),
    )
    report.file.save("report.pdf", ContentFile(REPORT_PDF), save=False)
    report.save()
    link = link_create(report=report, user=manager, days=7, recipient="市发改委")
    link_access(link=link, outcome=ReportLinkAccess.Outcome.SERVED, ip="10.0.0.1", user_agent="test")

    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Agreement),
        object_id=str(Agreement.objects.first().pk),
        object_repr="agreement",
        action_flag=CHANGE,
        change_message="[]",
    )
    return {
        "published": published,
        "draft": draft,
        "consultant": consultant,
        "reviewer": reviewer,
        "report": report,
    }


@pytest.fixture
def small_dataset():
    """One assessment with an evidence file and a comment: enough for the checks that refuse an archive."""
    assessment = assessment_with_team()
    answer_everything(assessment)
    consultant = assessment.consultants.first()
    response = assessment.responses.get(indicator__node__code="D1.1")
    evidence_add(response=response, user=consultant, upload=SimpleUploadedFile("plan.pdf", PDF))
    evidence_add(response=response, user=consultant, upload=SimpleUploadedFile("annex.pdf", PDF + b"%annex"))
    workflow.review_comment_add(response=response, user=assessment.reviewer, body="来源？", returns_indicator=True)
    return assessment


def snapshot() -> dict[str, list]:
    """Every backed-up row as plain data; permissions and content types by natural key, many-to-many sorted."""
    rows = {}
    by_natural_key = {Group, get_user_model(), LogEntry}
    for model in backed_up_models():
        serialized = serializers.serialize(
            "python",
            model._base_manager.order_by("pk"),
            use_natural_foreign_keys=model in by_natural_key,
        )
        for row in serialized:
            for name, value in row["fields"].items():
                if isinstance(value, list) and name in {f.name for f in model._meta.many_to_many}:
                    row["fields"][name] = sorted(value, key=str)
        rows[model._meta.label_lower] = serialized
    return rows


def stored_files() -> dict[str, bytes]:
    names = [e.file.name for e in Evidence.objects.exclude(file="")] + [
        r.file.name for r in Report.objects.exclude(file="")
    ]
    return {name: default_storage.open(name, "rb").read() for name in names}


def exported(tmp_path):
    out = tmp_path / "backup.zip"
    call_command("export_all", out=str(out), stdout=io.StringIO())
    return out


def no_files_in(media) -> bool:
    return not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def wipe(media) -> None:
    """What a new machine has: a migrated database (content types and permissions only) and no files.

    Rows are deleted rather than truncated (PostgreSQL refuses TRUNCATE inside the test's transaction),
    and content types and permissions come back from post_migrate with new ids, as on another machine.
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")
        # A new database counts ids from 1: the restore must move the counters past the restored ids.
        sequences = connection.introspection.sequence_list()
        for statement in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(statement)
    emit_post_migrate_signal(0, False, connection.alias)
    shutil.rmtree(media, ignore_errors=True)


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path, contents: dict[str, bytes], *, reseal: bool) -> None:
    """Write an archive; `reseal` recomputes the manifest's checksums so only the content is wrong."""
    if reseal:
        manifest = json.loads(contents["manifest.json"])
        manifest["members"] = {
            name: hashlib.sha256(data).hexdigest() for name, data in contents.items() if name != "manifest.json"
        }
        contents = {**contents, "manifest.json": json.dumps(manifest).encode()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def data_member(contents: dict[str, bytes], label: str) -> str:
    return next(name for name in contents if name.startswith("data/") and name.endswith(f"-{label}.json"))


def test_every_model_is_backed_up_except_what_migrate_creates_sessions_and_the_task_queue():
    backed_up = {model._meta.label_lower for model in backed_up_models()}
    left_out = {model._meta.label_lower for model in apps.get_models()} - backed_up
    assert left_out == {
        "contenttypes.contenttype",
        "auth.permission",
        "sessions.session",
        "accounts.auditrecord",  # the installation's own trail: a restore neither erases nor replaces it
        *(m._meta.label_lower for m in apps.get_app_config("django_tasks_database").get_models()),
    }
    for label in (
        "auth.user",
        "auth.group",
        "admin.logentry",
        "cities.agreement",
        "cities.historicalagreement",
        "assessment.historicalresponse",
        "assessment.assessmentresult",
        "assessment.reportlinkaccess",
    ):
        assert label in backed_up


def test_a_backup_restores_every_row_file_and_history_entry_into_a_new_database(
    dataset, media, tmp_path, client_factory
):
    before, files_before = snapshot(), stored_files()
    counts_before = {label: len(rows) for label, rows in before.items()}
    assert counts_before["assessment.historicalresponse"] > 0 and counts_before["cities.agreement"] > 0
    assert len(files_before) == 2
    out = tmp_path / "backup.zip"
    stdout = io.StringIO()
    call_command("export_all", out=str(out), stdout=stdout)
    assert "2 files" in stdout.getvalue()

    contents = members(out)
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format_version"] == FORMAT_VERSION and manifest["database_vendor"]
    assert manifest["counts"]["assessment.response"] == counts_before["assessment.response"]
    assert manifest["counts"]["assessment.assessment_consultants"] == sum(
        len(row["fields"]["consultants"]) for row in before["assessment.assessment"]
    )
    groups = json.loads(contents[data_member(contents, "auth.group")])
    reviewer_group = next(row for row in groups if row["fields"]["name"] == Role.REVIEWER)
    # Permission ids differ per machine: the backup names them.
    assert reviewer_group["fields"]["permissions"] == [["view_assessment", "assessment", "assessment"]]

    wipe(media)
    assert Assessment.objects.count() == 0 and get_user_model().objects.count() == 0
    assert occupied_tables() == {}  # what migrate makes (content types, permissions, empty role groups) is no data
    stdout = io.StringIO()
    call_command("import_all", str(out), stdout=stdout)
    assert "Restored" in stdout.getvalue()

    after = snapshot()
    assert {label: len(rows) for label, rows in after.items()} == counts_before
    for label, rows in before.items():
        for old, new in zip(rows, after[label], strict=True):
            assert new == old, (
                label,
                {k: (v, new["fields"].get(k)) for k, v in old["fields"].items() if new["fields"].get(k) != v},
            )
    assert stored_files() == files_before
    evidence = Evidence.objects.get(kind=Evidence.Kind.FILE)
    assert evidence.file.open("rb").read() == PDF
    published, draft = dataset["published"], dataset["draft"]
    assert AssessmentResult.objects.get(assessment=published).stage
    assert ReviewComment.objects.filter(response__assessment=published, resolved=True).count() == 1
    assert set(Framework.objects.values_list("code", flat=True)) == {"DSMF", "TEST"}
    assert ReportLink.objects.get().is_usable

    # The application works on the restored data, and new rows get fresh ids.
    consultant = client_factory(get_user_model().objects.get(username="backup-consultant"))
    page = consultant.get(reverse("assessment:assessment_detail", args=[draft.pk]))
    assert page.status_code == 200
    history = client_factory(get_user_model().objects.get(username="backup-reviewer")).get(
        reverse("assessment:assessment_history", args=[published.pk])
    )
    assert history.status_code == 200
    dashboard = consultant.get(reverse("assessment:region_dashboard", args=["G60"]))
    assert dashboard.status_code == 200 and "上海" in dashboard.content.decode()
    stranger = client_factory(UserFactory(username="stranger", roles=[Role.CONSULTANT]))
    assert stranger.get(reverse("assessment:evidence_download", args=[evidence.pk])).status_code == 404
    reviewer = client_factory(get_user_model().objects.get(username="backup-reviewer"))
    served = reviewer.get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert b"".join(served.streaming_content) == PDF

    response = Response.objects.filter(assessment=draft).first()
    history_before = Response.history.count()
    saved = workflow.response_save(
        response=response,
        user=draft.consultants.first(),
        values={"source": "after restore"},
        base_version=response.version,
    )
    assert saved.source == "after restore" and Response.history.count() == history_before + 1
    fresh = UserFactory(username="after-restore")
    assert fresh.pk > max(row["pk"] for row in before["auth.user"])


def test_a_database_that_holds_data_is_refused_and_left_as_it_is(small_dataset, media, tmp_path):
    out = exported(tmp_path)
    Response.objects.filter(assessment=small_dataset).update(source="changed after the backup")
    before, files_before = snapshot(), stored_files()
    with pytest.raises(CommandError, match=r"already holds data \(assessment\.assessment \(1\),.*--replace"):
        call_command("import_all", str(out), stdout=io.StringIO())
    assert snapshot() == before
    assert stored_files() == files_before


def test_replace_puts_the_backup_in_place_of_the_current_data_and_files(small_dataset, media, tmp_path):
    out = exported(tmp_path)
    before, files_before = snapshot(), stored_files()
    # Changes after the backup: a new evidence file, changed answers, a new account.
    response = small_dataset.responses.get(indicator__node__code="D1.2")
    consultant = small_dataset.consultants.first()
    late = evidence_add(response=response, user=consultant, upload=SimpleUploadedFile("late.pdf", PDF + b"%late"))
    late_file = late[0].file.name
    Response.objects.filter(assessment=small_dataset).update(source="changed after the backup")
    UserFactory(username="joined-later")
    assert default_storage.exists(late_file)

    stdout = io.StringIO()
    call_command("import_all", str(out), "--replace", stdout=stdout)

    # The two files the backup shares with the current data are left as they are; the late one goes.
    assert "(2 already in place); 1 old files removed" in stdout.getvalue()
    assert snapshot() == before
    assert stored_files() == files_before
    assert not default_storage.exists(late_file)
    assert not get_user_model().objects.filter(username="joined-later").exists()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("checksum", r"data/.*cities\.city\.json is damaged: its checksum does not match"),
        (
            "missing_file",
            r"files/evidence/.* is listed in the manifest but missing from the archive",
        ),
        ("broken_json", r"data/.*assessment\.response\.json is not valid JSON"),
        ("unknown_version", r"format version 99 is unknown"),
        ("not_a_zip", r"is not a zip archive"),
        ("no_manifest", r"has no manifest\.json"),
        ("unknown_model", r"holds shop\.order, which this version of DualSpace does not know"),
        (
            "unreferenced_file",
            r"assessment\.evidence \d+ refers to the file evidence/.*, which is not in the archive",
        ),
        ("unsafe_name", r"\.\./\.\./etc/cron\.d/x is not a safe file name"),
        ("extra_member", r"files/evidence/smuggled is in the archive but not in the manifest"),
        ("newer_schema", r"database changes this installation has not applied \(assessment\.9999_future\)"),
    ],
)
def test_a_damaged_archive_is_refused_with_a_message_naming_the_problem_and_nothing_written(
    small_dataset, media, tmp_path, damage, message
):
    contents = members(exported(tmp_path))
    manifest = json.loads(contents["manifest.json"])
    bad = tmp_path / "bad.zip"
    evidence_member = next(name for name in contents if name.startswith("files/evidence/"))
    if damage == "checksum":
        city = data_member(contents, "cities.city")
        write_zip(bad, {**contents, city: contents[city].replace(b"[", b"[ ", 1)}, reseal=False)
    elif damage == "missing_file":
        write_zip(
            bad,
            {name: data for name, data in contents.items() if name != evidence_member},
            reseal=False,
        )
    elif damage == "broken_json":
        member = data_member(contents, "assessment.response")
        write_zip(bad, {**contents, member: contents[member][:-10]}, reseal=True)
    elif damage == "unknown_version":
        manifest["format_version"] = 99
        write_zip(bad, {**contents, "manifest.json": json.dumps(manifest).encode()}, reseal=False)
    elif damage == "not_a_zip":
        bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    elif damage == "no_manifest":
        write_zip(
            bad,
            {name: data for name, data in contents.items() if name != "manifest.json"},
            reseal=False,
        )
    elif damage == "unknown_model":
        manifest["models"].append({"label": "shop.order", "member": "data/999-shop.order.json", "count": 0})
        extra = {"manifest.json": json.dumps(manifest).encode(), "data/999-shop.order.json": b"[]"}
        write_zip(bad, {**contents, **extra}, reseal=True)
    elif damage == "unreferenced_file":
        manifest["files"] = [entry for entry in manifest["files"] if entry["member"] != evidence_member]
        kept = {name: data for name, data in contents.items() if name != evidence_member}
        write_zip(bad, {**kept, "manifest.json": json.dumps(manifest).encode()}, reseal=True)
    elif damage == "newer_schema":
        manifest["migrations"].append("assessment.9999_future")
        write_zip(bad, {**contents, "manifest.json": json.dumps(manifest).encode()}, reseal=False)
    elif damage == "extra_member":
        write_zip(bad, {**contents, "files/evidence/smuggled": b"x"}, reseal=False)
    elif damage == "unsafe_name":
        manifest["files"].append({"name": "../../etc/cron.d/x", "member": "files/../../etc/cron.d/x", "size": 1})
        extra = {"manifest.json": json.dumps(manifest).encode(), "files/../../etc/cron.d/x": b"x"}
        write_zip(bad, {**contents, **extra}, reseal=True)
    wipe(media)

    with pytest.raises(CommandError, match=message) as raised:
        call_command("import_all", str(bad), stdout=io.StringIO())
    assert "nothing was changed" in str(raised.value)
    assert occupied_tables() == {}
    assert no_files_in(media)


def test_a_row_that_breaks_a_rule_rolls_back_every_row(small_dataset, media, tmp_path):
    contents = members(exported(tmp_path))
    member = data_member(contents, "assessment.assessment")
    rows = json.loads(contents[member])
    rows[-1]["fields"]["period"] = 1900  # outside the plausible years the database allows
    write_zip(tmp_path / "bad.zip", {**contents, member: json.dumps(rows).encode()}, reseal=True)
    wipe(media)

    with pytest.raises(CommandError, match=rf"assessment\.assessment {rows[-1]['pk']} could not be restored"):
        call_command("import_all", str(tmp_path / "bad.zip"), stdout=io.StringIO())
    assert occupied_tables() == {}
    assert no_files_in(media)


def test_a_row_pointing_at_a_missing_indicator_is_refused(small_dataset, media, tmp_path):
    contents = members(exported(tmp_path))
    member = data_member(contents, "assessment.response")
    rows = json.loads(contents[member])
    rows[0]["fields"]["indicator"] = 999999
    write_zip(tmp_path / "bad.zip", {**contents, member: json.dumps(rows).encode()}, reseal=True)
    wipe(media)

    with pytest.raises(CommandError, match="(?s)do not fit together.*999999"):
        call_command("import_all", str(tmp_path / "bad.zip"), stdout=io.StringIO())
    assert occupied_tables() == {}
    assert no_files_in(media)


def test_a_failure_after_the_files_are_written_removes_them_and_restores_overwritten_ones(
    small_dataset, media, tmp_path, monkeypatch
):
    out = exported(tmp_path)
    lost, redrawn = Evidence.objects.filter(kind=Evidence.Kind.FILE).order_by("file")
    # Since the backup one file was lost and the other changed: the restore
    # creates one and overwrites the other before it fails.
    default_storage.delete(lost.file.name)
    with open(default_storage.path(redrawn.file.name), "wb") as changed:
        changed.write(b"%PDF changed since the backup")
    before = snapshot()
    written = []
    write = restore._FileLedger.write

    def write_then_fail_on_the_last(self, storage, name, source, digest):
        write(self, storage, name, source, digest)
        written.append(name)
        if len(written) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(restore._FileLedger, "write", write_then_fail_on_the_last)

    with pytest.raises(CommandError, match="The restore failed and was undone: .*No space left"):
        call_command("import_all", str(out), "--replace", stdout=io.StringIO())
    assert written == [lost.file.name, redrawn.file.name]
    assert snapshot() == before
    assert not default_storage.exists(lost.file.name)
    assert default_storage.open(redrawn.file.name, "rb").read() == b"%PDF changed since the backup"


def test_a_file_missing_from_the_storage_is_warned_about_and_the_rest_is_backed_up(small_dataset, media, tmp_path):
    lost = Evidence.objects.filter(kind=Evidence.Kind.FILE).order_by("file").first()
    default_storage.delete(lost.file.name)
    out, stderr = tmp_path / "backup.zip", io.StringIO()
    call_command("export_all", out=str(out), stdout=io.StringIO(), stderr=stderr)
    assert f"{lost.file.name} is referred to but missing from the storage" in stderr.getvalue()
    assert out.stat().st_mode & 0o077 == 0  # password hashes inside: the owner's alone
    before = snapshot()
    wipe(media)

    call_command("import_all", str(out), stdout=io.StringIO())

    assert snapshot() == before
    assert not default_storage.exists(lost.file.name)
    assert len([e for e in Evidence.objects.exclude(file="") if default_storage.exists(e.file.name)]) == 1


def test_evidence_removed_on_purpose_is_neither_missing_nor_restored(
    small_dataset, media, tmp_path, django_capture_on_commit_callbacks
):
    removed = Evidence.objects.filter(kind=Evidence.Kind.FILE).order_by("file").first()
    pk, name = removed.pk, removed.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=removed, user=small_dataset.consultants.first())
    assert not default_storage.exists(name)
    out, stderr = tmp_path / "backup.zip", io.StringIO()
    call_command("export_all", out=str(out), stdout=io.StringIO(), stderr=stderr)
    # The history records the removal; its file name is text, not a file to back up.
    assert "missing" not in stderr.getvalue()
    assert not [member for member in members(out) if member.endswith(name)]
    before = snapshot()
    wipe(media)

    call_command("import_all", str(out), stdout=io.StringIO())

    assert snapshot() == before
    assert Evidence.history.filter(id=pk, history_type="-").exists()
    assert not default_storage.exists(name)
