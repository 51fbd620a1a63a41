import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import Assessment, AssessmentResult, Response, ReviewComment
from assessment.services import assessments as services
from tests.assessment_builders import answer_everything, assessment_with_team

pytestmark = pytest.mark.django_db


def consultant_of(assessment):
    return assessment.consultants.first()


def test_a_new_assessment_has_one_empty_response_per_indicator():
    assessment = assessment_with_team()
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.responses.count() == 3
    assert not any(response.is_answered for response in assessment.responses.all())


def test_submitting_needs_every_answer_and_required_evidence():
    assessment = assessment_with_team()
    with pytest.raises(ValidationError) as raised:
        services.assessment_submit(assessment=assessment, user=consultant_of(assessment))
    assert "3 indicator(s)" in str(raised.value)
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=consultant_of(assessment))
    assert assessment.status == Assessment.Status.SUBMITTED


def test_only_assigned_consultants_edit_a_draft(user_with_role):
    assessment = assessment_with_team()
    response = assessment.responses.first()
    stranger = user_with_role("consultant")
    with pytest.raises(PermissionDenied):
        services.response_save(response=response, user=stranger, values={"source": "x"}, base_version=response.version)
    with pytest.raises(PermissionDenied):
        services.response_save(
            response=response, user=assessment.reviewer, values={"source": "x"}, base_version=response.version
        )


def test_a_save_based_on_a_stale_version_is_refused_with_both_values():
    assessment = assessment_with_team()
    response = assessment.responses.get(indicator__node__code="D1.2")
    first = consultant_of(assessment)
    services.response_save(response=response, user=first, values={"value": 40.0}, base_version=1)
    with pytest.raises(services.StaleSaveError) as raised:
        services.response_save(response=response, user=first, values={"value": 55.0}, base_version=1)
    conflict = raised.value
    assert conflict.theirs["value"] == 40.0
    assert conflict.yours["value"] == 55.0
    response.refresh_from_db()
    assert response.value == 40.0 and response.version == 2


def test_answers_are_checked_against_their_indicator():
    assessment = assessment_with_team()
    consultant = consultant_of(assessment)
    level_response = assessment.responses.get(indicator__node__code="D1.1")
    with pytest.raises(ValidationError) as raised:
        services.response_save(response=level_response, user=consultant, values={"level": 6}, base_version=1)
    assert "level" in raised.value.message_dict
    count_response = assessment.responses.get(indicator__node__code="D2.1")
    with pytest.raises(ValidationError):
        services.response_save(response=count_response, user=consultant, values={"value": 2.5}, base_version=1)
    with pytest.raises(ValidationError) as raised:
        services.response_save(
            response=count_response, user=consultant, values={"not_applicable": True}, base_version=1
        )
    assert "not_applicable_reason" in raised.value.message_dict


def test_every_change_is_kept_in_the_history_with_who():
    assessment = assessment_with_team()
    response = assessment.responses.get(indicator__node__code="D1.2")
    consultant = consultant_of(assessment)
    services.response_save(response=response, user=consultant, values={"value": 10.0}, base_version=1)
    services.response_save(response=response, user=consultant, values={"value": 20.0}, base_version=2)
    values = list(Response.history.filter(id=response.pk).order_by("history_date").values_list("value", flat=True))
    assert values[-2:] == [10.0, 20.0]


def test_return_fix_resubmit_approve_publish():
    assessment = assessment_with_team()
    consultant, reviewer = consultant_of(assessment), assessment.reviewer
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_start_review(assessment=assessment, user=reviewer)
    with pytest.raises(ValidationError):
        services.assessment_return(assessment=assessment, user=reviewer)
    response = assessment.responses.get(indicator__node__code="D1.1")
    comment = services.review_comment_add(
        response=response, user=reviewer, body="Level 4 needs the audit report.", returns_indicator=True
    )
    services.assessment_return(assessment=assessment, user=reviewer)
    assert assessment.status == Assessment.Status.RETURNED
    response.refresh_from_db()
    services.response_save(response=response, user=consultant, values={"level": 3}, base_version=response.version)
    services.review_comment_resolve(comment=comment, user=reviewer)
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_approve(assessment=assessment, user=reviewer)
    assert assessment.status == Assessment.Status.APPROVED
    result = AssessmentResult.objects.get(assessment=assessment)
    assert result.stage in {"S0", "S1"}
    assert result.index_score is not None and 0 <= result.index_score <= 100
    assert set(result.scores) == {"ROOT", "D1", "D2"}
    assert len(result.input_hash) == 64
    services.assessment_publish(assessment=assessment, user=reviewer)
    assert assessment.status == Assessment.Status.PUBLISHED


def test_an_approved_assessment_is_frozen():
    assessment = assessment_with_team()
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=consultant_of(assessment))
    services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    response = assessment.responses.first()
    with pytest.raises(PermissionDenied):
        services.response_save(
            response=response, user=consultant_of(assessment), values={"source": "late"}, base_version=response.version
        )


def test_a_correction_is_a_new_revision_that_points_back():
    assessment = assessment_with_team()
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=consultant_of(assessment))
    services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    services.assessment_publish(assessment=assessment, user=assessment.reviewer)
    revision = services.assessment_revise(assessment=assessment, user=assessment.reviewer)
    assert revision.replaces == assessment and revision.revision == 2
    assert revision.status == Assessment.Status.DRAFT
    assert [r.level for r in revision.responses.order_by("indicator")] == [
        r.level for r in assessment.responses.order_by("indicator")
    ]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.PUBLISHED


def test_a_new_period_starts_from_the_previous_answers_marked_to_confirm():
    previous = assessment_with_team(period=2024)
    answer_everything(previous, level=2)
    current = services.assessment_start_from_previous(
        previous=previous, period=2025, consultants=list(previous.consultants.all()), reviewer=previous.reviewer
    )
    levels = {
        r.indicator.node.code: (r.level, r.to_confirm) for r in current.responses.select_related("indicator__node")
    }
    assert levels["D1.1"] == (2, True)
    response = current.responses.get(indicator__node__code="D1.1")
    saved = services.response_save(
        response=response, user=consultant_of(current), values={"level": 3}, base_version=response.version
    )
    assert saved.to_confirm is False


def test_a_critical_indicator_below_the_floor_blocks_the_stage():
    good = assessment_with_team()
    answer_everything(good, level=5, share=1.0)
    weak = assessment_with_team()
    answer_everything(weak, level=1, share=1.0)
    for assessment in (good, weak):
        services.assessment_submit(assessment=assessment, user=consultant_of(assessment))
        services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    # D1 = (1*20 + 3*100)/4 = 80 ≥ 60, but the critical D1.1 is at 20 < 40.
    assert good.result.stage == "S1"
    assert weak.result.stage == "S0"
    assert weak.result.gap["next_stage"] == "S1"
    assert weak.result.gap["improvements"][0]["indicator"] == "D1.1"


def test_comments_are_threaded_and_only_reviewers_return_indicators():
    assessment = assessment_with_team()
    response = assessment.responses.first()
    consultant, reviewer = consultant_of(assessment), assessment.reviewer
    question = services.review_comment_add(response=response, user=reviewer, body="Source?")
    services.review_comment_add(response=response, user=consultant, body="The 2024 bulletin.", parent=question)
    assert ReviewComment.objects.get(pk=question.pk).replies.count() == 1
    with pytest.raises(PermissionDenied):
        services.review_comment_add(response=response, user=consultant, body="x", returns_indicator=True)


def test_a_correction_keeps_the_evidence_and_shares_its_files_with_the_original(django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.models import Evidence
    from assessment.services.evidence import evidence_add, evidence_remove

    assessment = assessment_with_team()
    answer_everything(assessment)
    consultant = consultant_of(assessment)
    response = assessment.responses.get(indicator__node__code="D1.1")
    stored = evidence_add(
        response=response, user=consultant, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")
    )[0]
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_approve(assessment=assessment, user=assessment.reviewer)
    services.assessment_publish(assessment=assessment, user=assessment.reviewer)

    revision = services.assessment_revise(assessment=assessment, user=assessment.reviewer)

    def evidence_of(target):
        return sorted(
            (e.response.indicator.node.code, e.kind, e.file.name, e.note)
            for e in Evidence.objects.filter(response__assessment=target).select_related("response__indicator__node")
        )

    assert evidence_of(revision) == evidence_of(assessment) and len(evidence_of(revision)) >= 2
    # Nothing to upload again: the correction can be submitted as it stands.
    assert services.missing_answers(revision) == []
    copied = Evidence.objects.get(response__assessment=revision, kind=Evidence.Kind.FILE)
    assert copied.history.get().history_user == assessment.reviewer
    # Removing the file from the correction leaves the published original's file in place.
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=copied, user=consultant)
    assert stored.file.storage.exists(stored.file.name)
    assert Evidence.objects.filter(pk=stored.pk).exists()


def test_the_reviewer_hands_the_assessment_to_another_consultant_and_reviewer(user_with_role):
    assessment = assessment_with_team()
    leaving = consultant_of(assessment)
    answer_everything(assessment)
    newcomer, new_reviewer, old_reviewer = user_with_role("consultant"), user_with_role("reviewer"), assessment.reviewer
    services.assessment_team_set(
        assessment=assessment, user=old_reviewer, consultants=[newcomer], reviewer=new_reviewer
    )
    assessment.refresh_from_db()
    assert list(assessment.consultants.all()) == [newcomer] and assessment.reviewer == new_reviewer
    response = assessment.responses.first()
    # The newcomer edits; the one who left no longer can; earlier answers keep their author.
    services.response_save(
        response=response, user=newcomer, values={"source": "handed over"}, base_version=response.version
    )
    with pytest.raises(PermissionDenied):
        services.response_save(
            response=response, user=leaving, values={"source": "x"}, base_version=response.version + 1
        )
    assert assessment.responses.exclude(pk=response.pk).filter(updated_by=leaving).exists()
    latest = assessment.history.order_by("-history_date").first()
    assert latest.reviewer == new_reviewer and latest.history_user == old_reviewer
    assert latest.history_change_reason == services.TEAM_CHANGE + newcomer.get_username()


def test_the_team_is_changed_only_by_its_reviewer_or_an_administrator_and_only_with_the_right_roles(user_with_role):
    assessment = assessment_with_team()
    other_reviewer, consultant = user_with_role("reviewer"), user_with_role("consultant")
    for outsider in (consultant_of(assessment), other_reviewer, user_with_role("city_manager")):
        with pytest.raises(PermissionDenied):
            services.assessment_team_set(
                assessment=assessment, user=outsider, consultants=[consultant], reviewer=other_reviewer
            )
    with pytest.raises(ValidationError, match="consultant role"):
        services.assessment_team_set(
            assessment=assessment, user=assessment.reviewer, consultants=[other_reviewer], reviewer=other_reviewer
        )
    with pytest.raises(ValidationError, match="reviewer role"):
        services.assessment_team_set(
            assessment=assessment, user=assessment.reviewer, consultants=[consultant], reviewer=consultant
        )
    with pytest.raises(ValidationError, match="at least one consultant"):
        services.assessment_team_set(
            assessment=assessment, user=assessment.reviewer, consultants=[], reviewer=other_reviewer
        )
    admin = user_with_role("administrator")
    services.assessment_team_set(assessment=assessment, user=admin, consultants=[consultant], reviewer=other_reviewer)
    answer_everything(assessment)
    services.assessment_submit(assessment=assessment, user=consultant)
    services.assessment_approve(assessment=assessment, user=other_reviewer)
    services.assessment_publish(assessment=assessment, user=other_reviewer)
    with pytest.raises(PermissionDenied):
        services.assessment_team_set(
            assessment=assessment, user=admin, consultants=[consultant], reviewer=other_reviewer
        )
