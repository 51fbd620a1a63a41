"""Evidence and report PDFs in S3-protocol object storage: stored, downloaded after the check, migrated.

A real server answers (moto's standalone S3 server in its own process,
tests/services.py); the app reaches it only through Django's storage API
with the settings STORAGE_BACKEND=s3 gives (config/services.py).
"""

import hashlib
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.roles import Role
from assessment.models import Evidence, Report
from assessment.services import report_worker
from cities.models import Region
from config import services
from tests.assessment_builders import assessment_with_team
from tests.factories import UserFactory
from tests.services import S3Server, s3_server

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english_commands(english_pages):
    """Commands speak LANGUAGE_CODE; their lines are asserted against the English msgids."""


@pytest.fixture(scope="module")
def s3_process():
    with s3_server() as server:
        yield server


@pytest.fixture
def bucket(s3_process):
    """A fresh bucket on the module's server, so no test sees another's objects."""
    server = S3Server(endpoint=s3_process.endpoint, bucket=f"dualspace-{uuid.uuid4().hex[:8]}")
    server.client().create_bucket(Bucket=server.bucket)
    return server


def use_s3(settings, monkeypatch, server: S3Server, **extra: str) -> None:
    """The settings a process started with STORAGE_BACKEND=s3 and the server's variables would have."""
    for name, value in server.env(**extra).items():
        monkeypatch.setenv(name, value)
    # Changing STORAGES makes Django drop the storages it made (django.test.signals), default_storage too.
    settings.STORAGES = {**settings.STORAGES, "default": services.default_storage(Path("unused"))}
    settings.STORAGE_DOWNLOADS = services.download_mode()
    settings.STORAGE_URL_EXPIRY = services.download_url_expiry()


def use_local(settings, folder: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "config.storage.AtomicFileSystemStorage", "OPTIONS": {"location": folder}},
    }


@pytest.fixture
def team(client_factory):
    assessment = assessment_with_team()
    return {
        "assessment": assessment,
        "consultant": client_factory(assessment.consultants.first()),
        "reviewer": client_factory(assessment.reviewer),
        "other_consultant": client_factory(UserFactory(roles=[Role.CONSULTANT])),
    }


def upload_evidence(team, content: bytes = PDF, name: str = "plan.pdf") -> Evidence:
    assessment = team["assessment"]
    response = assessment.responses.order_by("pk").first()
    url = reverse("assessment:evidence_add", args=[assessment.pk, response.pk])
    reply = team["consultant"].post(url, {"file": SimpleUploadedFile(name, content)})
    assert reply.status_code == 302
    return Evidence.objects.filter(response=response, kind=Evidence.Kind.FILE).latest("pk")


def audit_report(default_framework, content: bytes = PDF) -> Report:
    """A statistical audit annex (reviewers only) stored by the worker's own step."""
    report = Report.objects.create(
        kind=Report.Kind.AUDIT,
        region=Region.objects.get(code="G60"),
        framework=default_framework,
        period=2025,
        language="en",
        input_key=uuid.uuid4().hex * 2,
        status=Report.Status.DONE,
    )
    report.file.name = report_worker._store(report, content)
    report.save(update_fields=["file"])
    return report


def body(reply) -> bytes:
    return b"".join(reply.streaming_content)


def fetch(url: str):  # type: ignore[no-untyped-def]
    """Status, headers (any case) and body of a plain GET, as a browser following the redirect."""
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the test's own S3 server
        return answer.status, answer.headers, answer.read()


def test_evidence_and_reports_are_stored_in_the_bucket_and_streamed_after_the_check(
    settings, monkeypatch, bucket, team, reference_data, default_framework, client_factory
):
    use_s3(settings, monkeypatch, bucket)
    evidence = upload_evidence(team)
    report = audit_report(default_framework)
    assert bucket.keys() == sorted([evidence.file.name, report.file.name])
    assert evidence.file.name.startswith("evidence/") and report.file.name.startswith("reports/")

    served = team["reviewer"].get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert served.status_code == 200 and body(served) == PDF
    assert served["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert team["other_consultant"].get(reverse("assessment:evidence_download", args=[evidence.pk])).status_code == 404

    pdf = team["reviewer"].get(reverse("assessment:report_download", args=[report.pk]))
    assert pdf.status_code == 200 and body(pdf) == PDF and pdf["Content-Type"] == "application/pdf"
    assert team["consultant"].get(reverse("assessment:report_download", args=[report.pk])).status_code == 404

    # Gone from the bucket: the page says so, no error.
    bucket.client().delete_object(Bucket=bucket.bucket, Key=report.file.name)
    missing = team["reviewer"].get(reverse("assessment:report_download", args=[report.pk]))
    assert missing.status_code == 404


def test_a_second_report_under_the_same_name_gets_its_own_object(
    settings, monkeypatch, bucket, reference_data, default_framework
):
    use_s3(settings, monkeypatch, bucket)
    first = audit_report(default_framework, b"%PDF first")
    second = Report.objects.get(pk=first.pk)
    name = report_worker._store(second, b"%PDF second")
    assert name != first.file.name and bucket.keys() == sorted([first.file.name, name])
    assert default_storage.open(first.file.name).read() == b"%PDF first"


def test_with_redirect_a_permitted_user_gets_a_short_lived_signed_url_and_no_one_else_does(
    settings, monkeypatch, bucket, team, reference_data, default_framework
):
    use_s3(settings, monkeypatch, bucket, STORAGE_DOWNLOADS="redirect", STORAGE_URL_EXPIRY="30")
    evidence = upload_evidence(team, name="城市规划.pdf")
    report = audit_report(default_framework)

    reply = team["reviewer"].get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert reply.status_code == 302 and reply["Cache-Control"] == "no-store"
    url = reply["Location"]
    assert url.startswith(bucket.endpoint) and "Signature=" in url
    status, headers, content = fetch(url)
    assert status == 200 and content == PDF
    assert headers["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E5%9F%8E%E5%B8%82%E8%A7%84%E5%88%92.pdf" in headers["Content-Disposition"]
    assert headers["Content-Type"] == "application/pdf"

    refused = team["other_consultant"].get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert refused.status_code == 404 and "Location" not in refused and bucket.endpoint not in refused.text

    pdf = team["reviewer"].get(reverse("assessment:report_download", args=[report.pk]))
    assert pdf.status_code == 302
    status, headers, content = fetch(pdf["Location"])
    assert content == PDF and headers["Content-Disposition"] == 'attachment; filename="' + report.filename + '"'
    assert team["consultant"].get(reverse("assessment:report_download", args=[report.pk])).status_code == 404


def test_the_local_disk_streams_even_when_redirects_are_asked_for(settings, tmp_path, team):
    use_local(settings, tmp_path / "media")
    settings.STORAGE_DOWNLOADS = "redirect"
    evidence = upload_evidence(team)
    served = team["reviewer"].get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert served.status_code == 200 and body(served) == PDF


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_migrate_files_to_storage_copies_every_file_verified_and_a_second_run_copies_nothing(
    settings, monkeypatch, tmp_path, bucket, team, reference_data, default_framework, capsys
):
    media = tmp_path / "media"
    use_local(settings, media)
    big = PDF + bytes(range(256)) * 12_000  # several read chunks
    evidence = [upload_evidence(team), upload_evidence(team, big, "big.pdf")]
    report = audit_report(default_framework)
    names = sorted([*(item.file.name for item in evidence), report.file.name])
    local = {name: sha256((media / name).read_bytes()) for name in names}

    use_s3(settings, monkeypatch, bucket)
    call_command("migrate_files_to_storage", "--from", str(media), "--dry-run")
    out = capsys.readouterr().out
    assert all(f"would copy {name}" in out for name in names) and bucket.keys() == []
    assert out.strip().endswith("would copy 3, already there 0, missing 0, different 0")

    call_command("migrate_files_to_storage", "--from", str(media))
    assert capsys.readouterr().out.strip().endswith("copied 3, already there 0, missing 0, different 0")
    assert bucket.keys() == names
    stored = {name: sha256(bucket.client().get_object(Bucket=bucket.bucket, Key=name)["Body"].read()) for name in names}
    assert stored == local

    # Every download works from the bucket.
    assert body(team["reviewer"].get(reverse("assessment:evidence_download", args=[evidence[1].pk]))) == big

    call_command("migrate_files_to_storage", "--from", str(media))
    assert capsys.readouterr().out.strip().endswith("copied 0, already there 3, missing 0, different 0")

    # A row whose file is in neither place, and an object with other bytes: named, not overwritten, exit 1.
    lost = Evidence.objects.create(
        response=evidence[0].response, kind=Evidence.Kind.FILE, file="evidence/0/lost", original_name="lost.pdf"
    )
    bucket.client().put_object(Bucket=bucket.bucket, Key=names[0], Body=b"other bytes")
    with pytest.raises(CommandError, match="2 missing or different"):
        call_command("migrate_files_to_storage", "--from", str(media))
    streams = capsys.readouterr()
    assert f"missing from {media}: {lost.file.name}" in streams.err
    assert f"different in the storage, not overwritten: {names[0]}" in streams.err
    assert streams.out.strip().endswith("copied 0, already there 2, missing 1, different 1")
    assert bucket.client().get_object(Bucket=bucket.bucket, Key=names[0])["Body"].read() == b"other bytes"


def test_migrate_files_to_storage_exits_non_zero_when_a_file_is_missing(tmp_path, team, settings, capsys):
    """The exit status an operator's script sees is 1, and the missing file is named."""
    use_local(settings, tmp_path / "target")
    upload_evidence(team)
    empty = tmp_path / "empty"
    empty.mkdir()
    Evidence.objects.filter(kind=Evidence.Kind.FILE).update(file="evidence/0/nowhere")
    # The status manage.py exits with is the CommandError's returncode (BaseCommand.run_from_argv). Not run
    # through run_from_argv here: it closes every database connection, and with it this test's transaction.
    with pytest.raises(CommandError) as stopped:
        call_command("migrate_files_to_storage", "--from", str(empty))
    assert stopped.value.returncode == 1
    assert "evidence/0/nowhere" in capsys.readouterr().err


def test_migrate_files_to_storage_names_the_storage_it_cannot_reach_instead_of_a_traceback(
    settings, monkeypatch, tmp_path, s3_process, team
):
    media = tmp_path / "media"
    use_local(settings, media)
    upload_evidence(team)
    # A bucket nobody created on the real server: the store answers NoSuchBucket to the first write.
    missing = S3Server(endpoint=s3_process.endpoint, bucket="no-such-bucket")
    use_s3(settings, monkeypatch, missing)
    with pytest.raises(CommandError) as refused:
        call_command("migrate_files_to_storage", "--from", str(media))
    message = str(refused.value)
    assert f"The storage {s3_process.endpoint}/no-such-bucket could not be read or written" in message
    assert "NoSuchBucket" in message and "run the command again" in message


def test_a_backup_is_saved_into_the_bucket_and_restored_from_it(
    settings, monkeypatch, bucket, team, reference_data, default_framework, capsys
):
    use_s3(settings, monkeypatch, bucket)
    evidence = upload_evidence(team)
    call_command("export_all", "--to-storage", "backups/all.zip")
    assert capsys.readouterr().out.startswith("Wrote backups/all.zip: ")
    assert bucket.keys() == sorted(["backups/all.zip", evidence.file.name])

    call_command("import_all", "--from-storage", "backups/all.zip", "--replace")
    assert "(1 already in place)" in capsys.readouterr().out
    assert Evidence.objects.get(pk=evidence.pk).file.name == evidence.file.name

    with pytest.raises(CommandError, match="There is no backup backups/none.zip in the storage"):
        call_command("import_all", "--from-storage", "backups/none.zip", "--replace")
    with pytest.raises(CommandError, match="Give either the zip file or --from-storage NAME"):
        call_command("import_all")
