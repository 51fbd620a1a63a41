"""The auditor reads the audit log and reaches nothing else; the administrator cannot read it (三员分立).

Two auditors, as for every role: the audit log is one for the installation,
so both see the same records. Every URL the security matrix knows is tried
as an auditor: only the audit log and the auditor's own account pages answer.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditEvent, AuditRecord
from accounts.roles import Role
from tests.factories import UserFactory
from tests.security.matrix import CASES

pytestmark = pytest.mark.django_db

AUDITOR_REACHES = {
    "audit_log",
    "audit_log_csv",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    # Their own second factor (an installation may require it of auditors).
    "two_factor_setup",
    "two_factor_verify",
    "two_factor_manage",
    "two_factor_recovery_codes",
    "two_factor_remove",
    # Their own notifications (an auditor has none, but the menu offers the page to everyone).
    "assessment:notification_list",
    "assessment:notifications_read",
}


@pytest.fixture
def auditors(client_factory):
    return [client_factory(UserFactory(username=f"auditor-{n}", roles=[Role.AUDITOR])) for n in (1, 2)]


@pytest.fixture
def trail(rf):
    """Records of several kinds, users and addresses, one of them with a formula-like name; only these exist."""
    # Making the account is recorded too; then other suites' data (the security world) and that are cleared.
    consultant = UserFactory(username="consultant-a", roles=[Role.CONSULTANT])
    AuditRecord.objects.all().delete()
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    record(
        AuditEvent.SIGN_IN_FAILED, request=request, actor_name="=cmd|' /C calc'!A0", outcome=AuditRecord.Outcome.FAILURE
    )
    request.user = consultant
    record(AuditEvent.SIGN_IN, request=request)
    record(AuditEvent.EVIDENCE_DOWNLOADED, request=request, target=consultant, size=12)
    return consultant


def test_both_auditors_read_the_whole_log_and_filter_it(auditors, trail):
    for client in auditors:
        page = client.get(reverse("audit_log"))
        assert page.status_code == 200
        assert page.context["total"] == AuditRecord.objects.count() == 3
        failed = client.get(reverse("audit_log"), {"outcome": "failure"})
        assert [entry.event for entry in failed.context["page"]] == [AuditEvent.SIGN_IN_FAILED]
        by_user = client.get(reverse("audit_log"), {"user": "consultant-a", "event": AuditEvent.EVIDENCE_DOWNLOADED})
        assert by_user.context["total"] == 1
        assert client.get(reverse("audit_log"), {"ip": "10.9.9.9"}).context["total"] == 0
        today = timezone.localdate()
        dated = {"since": str(today - timedelta(days=1)), "until": str(today)}
        assert client.get(reverse("audit_log"), dated).context["total"] == 3
        assert client.get(reverse("audit_log"), {"since": str(today + timedelta(days=1))}).context["total"] == 0
        wrong = client.get(reverse("audit_log"), {"since": str(today), "until": str(today - timedelta(days=2))})
        assert wrong.context["form"].errors["until"] and wrong.context["total"] == 0


def test_the_export_is_csv_excel_reads_with_inert_cells_and_is_itself_recorded(auditors, trail):
    reply = auditors[0].get(reverse("audit_log_csv"), {"outcome": "success"})
    assert reply.status_code == 200 and reply["Content-Type"].startswith("text/csv")
    text = b"".join(reply.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 2  # the header and the two successful records
    everything = b"".join(auditors[0].get(reverse("audit_log_csv")).streaming_content).decode()
    assert "'=cmd|" in everything and "\n=cmd" not in everything
    exports = AuditRecord.objects.filter(event=AuditEvent.AUDIT_EXPORTED).order_by("at")
    assert [entry.detail["rows"] for entry in exports] == [2, 4]  # the second export holds the first one's record
    assert exports[0].detail["filters"] == {"outcome": "success"} and exports[0].actor_name == "auditor-1"


def test_the_administrator_cannot_read_the_log_and_nobody_can_change_it(role_clients, auditors, trail):
    admin = role_clients[Role.ADMINISTRATOR]
    assert admin.get(reverse("audit_log")).status_code in (403, 404)
    assert admin.get(reverse("audit_log_csv")).status_code in (403, 404)
    # Not in the admin site at all, so no change or delete page exists for it.
    assert admin.get("/admin/accounts/auditrecord/").status_code == 404
    for client in [*auditors, *role_clients.values()]:
        assert client.post(reverse("audit_log"), {"event": "sign_in"}).status_code in (403, 404, 405)
    assert AuditRecord.objects.count() == 3
    entry = AuditRecord.objects.first()
    with pytest.raises(PermissionError):
        entry.delete()


def test_an_auditor_reaches_nothing_but_the_audit_log_and_their_own_account(world, as_role, as_other):
    client, second = as_role(Role.AUDITOR), as_other(Role.AUDITOR)
    assert second.get(reverse("audit_log")).status_code == 200
    assert client.get("/").url == reverse("audit_log")
    for case in CASES:
        if case.name in AUDITOR_REACHES or case.name == "home" or case.method != "get":
            continue
        reply = client.get(reverse(case.name, kwargs=case.kwargs(world)) + case.query)
        assert reply.status_code in (302, 403, 404), f"{case.id} answered {reply.status_code} to an auditor"
        if reply.status_code == 302:
            assert "/login/" in reply["Location"], f"{case.id} redirected an auditor to {reply['Location']}"
    page = client.get(reverse("audit_log")).content.decode()
    assert reverse("audit_log") in page and reverse("cities:region_list") not in page
