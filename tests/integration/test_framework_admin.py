import pytest
from django.urls import reverse

from accounts.roles import Role
from assessment.models import Framework, LevelDescriptor
from assessment.services.framework import framework_import
from tests.framework_documents import valid_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(role_clients):
    return role_clients[Role.ADMINISTRATOR]


def test_a_published_version_is_read_only_in_the_admin(admin_client, default_framework):
    page = admin_client.get(reverse("admin:assessment_framework_change", args=[default_framework.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_the_publish_action_runs_the_invariants(admin_client):
    draft = framework_import(document=valid_document())
    LevelDescriptor.objects.filter(indicator__node__code="D1.1", level=2).delete()
    url = reverse("admin:assessment_framework_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Framework.Status.DRAFT
    LevelDescriptor.objects.create(
        indicator=draft.nodes.get(code="D1.1").indicator, level=2, text_zh="二级", text_en="Level two"
    )
    reply = admin_client.post(url, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Framework.Status.PUBLISHED
    assert reply.status_code == 200


def test_the_clone_action_starts_the_next_draft(admin_client, default_framework):
    latest = Framework.objects.get(code="DSMF", version="1.1")
    url = reverse("admin:assessment_framework_changelist")
    admin_client.post(url, {"action": "clone_as_next_version", "_selected_action": [latest.pk]}, follow=True)
    draft = Framework.objects.get(code="DSMF", version="1.2")
    assert draft.status == Framework.Status.DRAFT and draft.previous == latest
    page = admin_client.get(reverse("admin:assessment_framework_change", args=[draft.pk]))
    assert 'name="_save"' in page.content.decode()
