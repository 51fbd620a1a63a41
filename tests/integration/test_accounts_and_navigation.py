import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import Role
from cities.models import City

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_language_switcher_turns_pages_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in to DualSpace" in page


def test_a_wrong_password_gets_a_translated_message_and_no_session(client, reference_data):
    call_command("create_demo_accounts", verbosity=0)
    response = client.post(reverse("login"), {"username": "consultant", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("username", ["consultant", "reviewer", "manager", "stakeholder", "admin"])
def test_each_demo_account_logs_in_with_the_demo_password(client, reference_data, username):
    call_command("create_demo_accounts", verbosity=0)
    response = client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_manager_manages_shanghai(reference_data):
    call_command("create_demo_accounts", verbosity=0)
    assert list(City.objects.filter(managers__username="manager").values_list("code", flat=True)) == ["310000"]


def test_creating_demo_accounts_twice_keeps_changed_passwords(reference_data):
    from django.contrib.auth import get_user_model

    call_command("create_demo_accounts", verbosity=0)
    user = get_user_model().objects.get(username="consultant")
    user.set_password("changed-by-the-user-1")
    user.save()
    call_command("create_demo_accounts", verbosity=0)
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-1")


def test_navigation_follows_the_role(role_clients, reference_data):
    admin_page = role_clients[Role.ADMINISTRATOR].get("/").content.decode()
    assert reverse("admin:index") in admin_page
    for role in (Role.CONSULTANT, Role.REVIEWER, Role.CITY_MANAGER, Role.STAKEHOLDER):
        page = role_clients[role].get("/").content.decode()
        assert reverse("admin:index") not in page, role


def test_a_city_manager_sees_their_cities_on_the_start_page(client, reference_data, user_with_role):
    manager = user_with_role(Role.CITY_MANAGER)
    City.objects.get(code="330100").managers.add(manager)
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert 'data-testid="managed-cities"' in page
    assert "杭州" in page


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.REVIEWER, Role.CITY_MANAGER, Role.STAKEHOLDER])
def test_the_admin_site_refuses_every_role_but_administrators(role_clients, role):
    response = role_clients[role].get(reverse("admin:cities_city_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_administrator_reaches_the_city_admin_with_search(role_clients, reference_data):
    response = role_clients[Role.ADMINISTRATOR].get(reverse("admin:cities_city_changelist"), {"q": "宿州"})
    assert response.status_code == 200
    assert "341300" in response.content.decode()


def test_an_unknown_url_gets_a_friendly_404(role_clients):
    response = role_clients[Role.CONSULTANT].get("/no/such/page/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()


def test_reference_pages_show_regions_and_cities(role_clients, reference_data):
    client = role_clients[Role.STAKEHOLDER]
    regions = client.get(reverse("cities:region_list")).content.decode()
    assert "G60" in regions and "YRD" in regions and "JJJ" in regions
    g60 = client.get(reverse("cities:region_detail", args=["G60"])).content.decode()
    assert g60.count('<td class="code">') == 9
    city = client.get(reverse("cities:city_detail", args=["341300"])).content.decode()
    assert "宿州" in city and "安徽省" in city
    assert client.get(reverse("cities:city_detail", args=["999999"])).status_code == 404
    assert client.get(reverse("cities:region_detail", args=["NOPE"])).status_code == 404


def test_every_page_carries_a_csp_header_that_allows_only_this_app(role_clients, reference_data):
    response = role_clients[Role.CONSULTANT].get(reverse("cities:region_list"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_migrate_creates_the_five_role_groups_without_demo_accounts():
    """A real installation never runs create_demo_accounts, yet needs the groups roles are given by."""
    from django.contrib.auth.models import Group

    Group.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(Role.values)


@pytest.mark.django_db
def test_there_is_no_self_service_password_reset(client):
    """No mail is set up; an administrator sets forgotten passwords, so the reset pages do not exist."""
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    assert client.get("/accounts/password_reset/").status_code == 404
