"""Two-factor sign-in (issue 23, point 3), through the real sign-in page and the admin.

An administrator whose role requires a second factor reaches nothing (the
admin site included) until they enrol and give a code; the QR code is drawn
on the server; recovery codes work once; wrong codes are throttled like wrong
passwords and recorded; optional for roles that are not required.
"""

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, AuditRecord, LoginFailure
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


@pytest.fixture(autouse=True)
def administrators_must(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.ADMINISTRATOR]


@pytest.fixture
def admin_user():
    return UserFactory(username="root", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)


def signed_in(username: str) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.44")
    client.cookies["django_language"] = "en"
    reply = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert reply.status_code == 302, reply.content
    return client


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The authenticator's code now (or a step later: a code is good once, and the next step's is accepted too)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(client: Client) -> list[str]:
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__username=page.context["user"].username, confirmed=False)
    reply = client.post("/accounts/two-factor/setup/", {"code": code_of(device), "next": "/admin/"})
    assert reply.status_code == 200 and "codes" in reply.context, reply.content
    return reply.context["codes"]


def test_an_administrator_reaches_nothing_before_enrolling(admin_user):
    client = signed_in("root")
    for page in ("/admin/", "/admin/auth/user/", "/", "/assessments/"):
        reply = client.get(page)
        assert reply.status_code == 302 and reply["Location"].startswith("/accounts/two-factor/setup/?next="), page
    setup = client.get("/accounts/two-factor/setup/?next=/admin/")
    body = setup.content.decode()
    # The QR code is inline SVG drawn here; no image or script from elsewhere.
    assert "<svg" in body and "otpauth" in body and "chart.googleapis" not in body and "api.qrserver" not in body
    assert setup.context["enrolment"].uri.startswith("otpauth://totp/DualSpace%3Aroot?secret=")


def test_enrolment_then_the_admin_opens_and_the_next_sign_in_asks_for_the_code(admin_user):
    client = signed_in("root")
    codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    (enrolled,) = AuditRecord.objects.filter(event=AuditEvent.SECOND_FACTOR_ENROLLED)
    assert enrolled.actor_id == admin_user.pk and enrolled.ip == "192.0.2.44"

    again = signed_in("root")
    reply = again.get("/admin/")
    assert reply.status_code == 302 and reply["Location"] == "/accounts/two-factor/verify/?next=%2Fadmin%2F"
    # With the password alone nobody swaps in another authenticator.
    assert again.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/verify/")
    device = TOTPDevice.objects.get(user=admin_user)
    verified = again.post("/accounts/two-factor/verify/", {"code": code_of(device, 1), "next": "/admin/"})
    assert verified.status_code == 302 and verified["Location"] == "/admin/"
    assert again.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_recorded_and_counted_like_a_wrong_password(admin_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    enrol(signed_in("root"))
    client = signed_in("root")
    for _ in range(3):
        reply = client.post("/accounts/two-factor/verify/", {"code": "000000"})
        assert reply.status_code == 200 and reply.context["form"].errors
    assert AuditRecord.objects.filter(event=AuditEvent.SECOND_FACTOR_FAILED, actor=admin_user).count() == 3
    assert LoginFailure.objects.filter(username="root").count() == 3
    # Locked now: even the right code waits, and so does the password.
    device = TOTPDevice.objects.get(user=admin_user)
    locked = client.post("/accounts/two-factor/verify/", {"code": code_of(device, 1)})
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get("/admin/").status_code == 302
    assert Client().post("/accounts/login/", {"username": "root", "password": PASSWORD}).status_code == 200


def test_a_recovery_code_works_once(admin_user):
    codes = enrol(signed_in("root"))
    first = signed_in("root")
    assert first.post("/accounts/two-factor/verify/", {"code": codes[0], "next": "/admin/"})["Location"] == "/admin/"
    assert first.get("/admin/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    second = signed_in("root")
    assert second.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 200
    assert second.get("/admin/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(admin_user):
    client = signed_in("root")
    old = enrol(client)
    new = client.post("/accounts/two-factor/recovery-codes/").context["codes"]
    assert len(new) == 10 and not set(old) & set(new)
    assert StaticToken.objects.filter(device__user=admin_user).count() == 10


def test_turning_it_off_needs_a_code_and_a_required_role_enrols_again(admin_user, settings):
    # django-otp makes a device wait a second after a wrong code; this test gives the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    client = signed_in("root")
    enrol(client)
    client.post("/accounts/two-factor/remove/", {"code": "000000"})
    assert TOTPDevice.objects.filter(user=admin_user).exists()
    device = TOTPDevice.objects.get(user=admin_user)
    client.post("/accounts/two-factor/remove/", {"code": code_of(device, 1)})
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    assert AuditRecord.objects.filter(event=AuditEvent.SECOND_FACTOR_REMOVED, actor=admin_user).count() == 1
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/setup/")


def test_optional_for_a_role_that_is_not_required_and_then_always_asked(db):
    UserFactory(username="field", roles=[Role.CONSULTANT])
    client = signed_in("field")
    assert client.get("/").status_code == 200
    assert "Off" in client.get("/accounts/two-factor/").content.decode()
    enrol(client)
    later = signed_in("field")
    assert later.get("/")["Location"].startswith("/accounts/two-factor/verify/")


def test_the_auditor_reaches_the_two_factor_pages(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.AUDITOR]
    UserFactory(username="inspector", roles=[Role.AUDITOR])
    client = signed_in("inspector")
    assert client.get("/audit-log/")["Location"].startswith("/accounts/two-factor/setup/")
    enrol(client)
    assert client.get("/audit-log/").status_code == 200


def test_an_unknown_role_in_the_setting_stops_the_start(settings):
    from accounts.apps import check_two_factor_roles

    settings.TWO_FACTOR_REQUIRED_ROLES = ["administrator", "admins"]
    with pytest.raises(ImproperlyConfigured, match="admins"):
        check_two_factor_roles()
