"""The inter-rater check (issue 20, point 2): a blind second rating and its agreement report.

Hangzhou's assessment is answered by the team's consultant; the reviewer asks
a consultant of another team for a blind rating. While it is open the second
rater reads the evidence but never the assessment's pages, levels or answers;
a submission with indicators left open is refused and stores nothing; once
submitted, the agreement report gives the weighted kappa per dimension, equal
to the value worked out by hand, and lists the indicators that differ.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from assessment.models import BlindAnswer, BlindRating, Framework
from assessment.scoring.agreement import weighted_kappa
from assessment.services.assessments import assessment_create
from assessment.services.calibration import level_indicators
from assessment.services.evidence import evidence_add
from cities.models import City
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The first consultant's levels for W1's four level indicators; the blind rater's differ on two.
FIRST_W1 = {"W1.3": 3, "W1.4": 4, "W1.5": 2, "W1.6": 3}
SECOND_W1 = {"W1.3": 3, "W1.4": 2, "W1.5": 2, "W1.6": 4}
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(reference_data, default_framework, client_factory):
    framework = Framework.objects.get(code="DSMF", version="1.0")
    reviewer = UserFactory(username="reviewer", roles=[Role.REVIEWER])
    first = UserFactory(username="team-consultant", roles=[Role.CONSULTANT])
    rater = UserFactory(username="second-rater", roles=[Role.CONSULTANT])
    bystander = UserFactory(username="third-consultant", roles=[Role.CONSULTANT])
    other_reviewer = UserFactory(username="other-reviewer", roles=[Role.REVIEWER])
    assessment = assessment_create(
        city=City.objects.get(code="330100"), framework=framework, period=2026, consultants=[first], reviewer=reviewer
    )
    responses = {r.indicator.node.code: r for r in assessment.responses.select_related("indicator__node")}
    for indicator in level_indicators(assessment):
        response = responses[indicator.node.code]
        response.level = FIRST_W1.get(indicator.node.code, 3)
        response.save()
    (evidence,) = evidence_add(
        response=responses["W1.3"],
        user=first,
        upload=SimpleUploadedFile("iot-register.pdf", TINY_PDF, content_type="application/pdf"),
    )
    clients = {
        name: client_factory(user)
        for name, user in {
            "reviewer": reviewer,
            "first": first,
            "rater": rater,
            "bystander": bystander,
            "other_reviewer": other_reviewer,
        }.items()
    }
    for client in clients.values():
        client.cookies["django_language"] = "en"
    return {"assessment": assessment, "rater": rater, "first": first, "clients": clients, "evidence": evidence}


def rate(world, levels: dict[str, str], submit: bool):
    assessment, rater = world["assessment"], world["clients"]["rater"]
    rating = BlindRating.objects.get(assessment=assessment)
    data = {f"level-{i.pk}": levels.get(i.node.code, "") for i in level_indicators(assessment)}
    data["submit" if submit else "save"] = "1"
    return rating, rater.post(f"/blind-ratings/{rating.pk}/", data)


def all_levels(world, overrides: dict[str, int]) -> dict[str, str]:
    return {i.node.code: str(overrides.get(i.node.code, 3)) for i in level_indicators(world["assessment"])}


def test_the_second_rater_rates_blind_and_the_report_gives_the_kappa_worked_out_by_hand(world):
    assessment, clients = world["assessment"], world["clients"]
    reply = clients["reviewer"].post(f"/assessments/{assessment.pk}/blind-ratings/", {"rater": world["rater"].pk})
    assert reply.status_code == 302
    rating = BlindRating.objects.get(assessment=assessment)
    assert rating.is_open and rating.rater == world["rater"]

    rater = clients["rater"]
    # The rater is told on the start page; the bystander is not.
    assert 'data-testid="home-blind-ratings"' in rater.get("/").content.decode()
    assert 'data-testid="home-blind-ratings"' not in clients["bystander"].get("/").content.decode()
    # Blind: none of the assessment's pages, nor its levels on the rating page; its evidence file, yes.
    for url in (f"/assessments/{assessment.pk}/", f"/assessments/{assessment.pk}/dimensions/W1/"):
        assert rater.get(url).status_code == 404
    assert rater.get(f"/assessments/{assessment.pk}/workbook.xlsx").status_code in (403, 404)
    page = rater.get(f"/blind-ratings/{rating.pk}/")
    assert page.status_code == 200
    assert not any(row["chosen"] for row in page.context["rows"])  # nothing pre-filled from the first rating
    assert "iot-register.pdf" in page.content.decode()
    # Submitting is final, so it takes a second step: the submit button sits inside the confirmation.
    confirm = page.content.decode().split('data-testid="confirm-blind-submit"')[1].split("</details>")[0]
    assert 'name="submit" data-testid="blind-submit"' in confirm and "cannot be changed" in confirm
    assert rater.get(f"/evidence/{world['evidence'].pk}/").status_code == 200
    # The report is closed until the rating is submitted.
    assert clients["reviewer"].get(f"/blind-ratings/{rating.pk}/agreement/").status_code == 404

    # A submission with indicators left open is refused, names them, and stores nothing.
    partial = {code: str(level) for code, level in SECOND_W1.items()}
    _, reply = rate(world, partial, submit=True)
    assert reply.status_code == 400
    assert "Rate every indicator before submitting" in reply.content.decode() and "W2.1" in reply.content.decode()
    assert not BlindAnswer.objects.filter(rating=rating).exists()

    # Saved, then submitted: the rating closes.
    _, reply = rate(world, partial, submit=False)
    assert reply.status_code == 302 and BlindAnswer.objects.filter(rating=rating, level__isnull=False).count() == 4
    _, reply = rate(world, all_levels(world, SECOND_W1), submit=True)
    assert reply.status_code == 302
    rating.refresh_from_db()
    assert not rating.is_open and rating.submitted_at
    assert rater.get(f"/assessments/{assessment.pk}/").status_code == 404  # still not on the team
    _, reply = rate(world, all_levels(world, {}), submit=True)
    assert BlindAnswer.objects.get(rating=rating, indicator__node__code="W1.4").level == 2  # closed for good

    report = clients["reviewer"].get(f"/blind-ratings/{rating.pk}/agreement/")
    assert report.status_code == 200
    groups = {group.group: group for _, group in report.context["report"].groups}
    w1 = groups["W1"]
    # W1 pairs (3,3) (4,2) (2,2) (3,4): linear-weighted kappa, worked out by hand:
    # observed disagreement (2/5 + 1/5) / 4 = 0.15; by chance, with marginals {2,3,3,4} and {2,2,3,4},
    # sum p_i q_j |i-j| = 3/16 + 6/16 + 5/16 = 14/16, over 5 levels of distance 0.175; kappa = 1 - 0.15/0.175 = 1/7.
    assert w1.pairs == 4 and w1.kappa == pytest.approx(1 / 7)
    assert w1.kappa == pytest.approx(weighted_kappa([(3, 3), (4, 2), (2, 2), (3, 4)]))
    assert w1.below_floor
    assert groups["W2"].kappa_defined is False and groups["W2"].exact == 1.0  # everything at 3 on both sides
    html = report.content.decode()
    assert [row.code for row in report.context["report"].differences] == ["W1.4", "W1.6"]
    assert 'data-testid="difference-W1.4"' in html and "0.14" in html
    assert 'data-testid="kappa-reading"' in html
    # The team's consultant finds it from the assessment's page; the open rating no longer waits on the start page.
    detail = clients["first"].get(f"/assessments/{assessment.pk}/").content.decode()
    assert f'href="/blind-ratings/{rating.pk}/agreement/" data-testid="agreement-report"' in detail
    assert 'data-testid="home-blind-ratings"' not in rater.get("/").content.decode()
    # The two raters read it once it is submitted; a third consultant and another reviewer do not.
    # The way back to the assessment is offered to the team, not to the second rater, who may not open it.
    first_report = clients["first"].get(f"/blind-ratings/{rating.pk}/agreement/")
    assert first_report.status_code == 200
    assert f'href="/assessments/{assessment.pk}/" data-testid="back-to-assessment"' in first_report.content.decode()
    rater_report = clients["rater"].get(f"/blind-ratings/{rating.pk}/agreement/")
    assert rater_report.status_code == 200 and 'data-testid="back-to-assessment"' not in rater_report.content.decode()
    assert 'href="/blind-ratings/" data-testid="back-to-blind-ratings"' in rater_report.content.decode()
    # The rater was told when asked, and those who read the report when it was submitted, each with a link that opens.
    rater_notes = clients["rater"].get("/notifications/")
    assert f'href="/blind-ratings/{rating.pk}/"' in rater_notes.content.decode()
    assert "A blind second rating of Hangzhou 2026 is asked of you." in rater_notes.content.decode()
    for name in ("reviewer", "first"):
        notes = clients[name].get("/notifications/").content.decode()
        assert f'href="/blind-ratings/{rating.pk}/agreement/"' in notes, name
        assert "The blind rating of Hangzhou 2026 is submitted" in notes, name
    assert f"/blind-ratings/{rating.pk}/" not in clients["bystander"].get("/notifications/").content.decode()
    assert "is submitted" not in rater_notes.content.decode()
    assert clients["bystander"].get(f"/blind-ratings/{rating.pk}/agreement/").status_code == 404
    assert clients["other_reviewer"].get(f"/blind-ratings/{rating.pk}/agreement/").status_code == 404


def test_only_the_reviewer_asks_and_only_someone_who_has_not_seen_the_answers_rates(world):
    assessment, clients = world["assessment"], world["clients"]
    url = f"/assessments/{assessment.pk}/blind-ratings/"
    assert clients["first"].post(url, {"rater": world["rater"].pk}).status_code == 403
    assert clients["other_reviewer"].post(url, {"rater": world["rater"].pk}).status_code == 404
    reply = clients["reviewer"].post(url, {"rater": world["first"].pk})
    assert "must not have seen the answers" in reply.content.decode()
    reply = clients["reviewer"].post(url, {"rater": "not-a-number"})
    assert "Choose the consultant" in reply.content.decode()
    assert not BlindRating.objects.exists()
    page = clients["reviewer"].get(url).content.decode()
    assert "second-rater" in page and "team-consultant" not in page.split('name="rater"')[1]
    clients["reviewer"].post(url, {"rater": world["rater"].pk})
    reply = clients["reviewer"].post(url, {"rater": world["rater"].pk})
    assert BlindRating.objects.count() == 1
    # Another consultant cannot open the rater's form.
    rating = BlindRating.objects.get()
    assert clients["bystander"].get(f"/blind-ratings/{rating.pk}/").status_code == 404
    assert clients["bystander"].post(f"/blind-ratings/{rating.pk}/", {"save": "1"}).status_code == 404


def test_worked_examples_travel_with_the_framework_document_and_show_on_the_answer_form(
    reference_data, default_framework, client_factory
):
    import copy

    from assessment.selectors.framework import framework_document
    from assessment.services.framework import framework_import, framework_publish

    document = copy.deepcopy(framework_document(default_framework))
    assert all(
        "example" not in level for n in document["nodes"] for level in (n.get("indicator") or {}).get("levels") or []
    )
    w13 = next(node for node in document["nodes"] if node["code"] == "W1.3")
    example = {
        "zh": "台账显示交通和管网两个领域的设备超出试点常态运行，环境和建筑仍只在试点片区。",
        "en": (
            "The register shows traffic and pipe sensors in routine use beyond the pilots; "
            "environment and buildings only in pilot areas."
        ),
    }
    w13["indicator"]["levels"][2]["example"] = example
    document.update(code="CALIB", status="draft", previous=None)
    for node in document["nodes"]:
        if node.get("indicator"):
            node["indicator"]["continues"] = []
    framework = framework_publish(framework=framework_import(document=document))
    assert framework_document(framework)["nodes"] == document["nodes"]  # the example round-trips, nothing else moves

    consultant = UserFactory(username="examples-consultant", roles=[Role.CONSULTANT])
    assessment = assessment_create(
        city=City.objects.get(code="330100"), framework=framework, period=2026, consultants=[consultant]
    )
    client = client_factory(consultant)
    page = client.get(f"/assessments/{assessment.pk}/dimensions/W1/").content.decode()
    assert 'data-testid="examples-W1.3"' in page and example["zh"] in page
    assert 'data-testid="examples-W1.4"' not in page  # no worked example, no empty box
    client.cookies["django_language"] = "en"
    assert example["en"] in client.get(f"/assessments/{assessment.pk}/dimensions/W1/").content.decode()


def test_a_reviewer_replaced_since_asking_is_not_told_of_a_report_they_may_no_longer_open(world):
    from assessment.models import Notification

    assessment, clients = world["assessment"], world["clients"]
    clients["reviewer"].post(f"/assessments/{assessment.pk}/blind-ratings/", {"rater": world["rater"].pk})
    asker = assessment.reviewer
    successor = UserFactory(username="successor", roles=[Role.REVIEWER])
    assessment.reviewer = successor
    assessment.save(update_fields=["reviewer"])
    _, reply = rate(world, all_levels(world, SECOND_W1), submit=True)
    assert reply.status_code == 302
    told = set(
        Notification.objects.filter(kind=Notification.Kind.BLIND_RATING_SUBMITTED).values_list(
            "user__username", flat=True
        )
    )
    assert told == {"successor", "team-consultant"}, told
    assert asker.username not in told
