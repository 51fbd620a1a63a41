"""Build assessments for tests through the same services users go through."""

from accounts.roles import Role
from assessment.models import Assessment, Evidence, Framework, Indicator
from assessment.services.assessments import assessment_create, response_save
from assessment.services.framework import framework_import, framework_publish
from tests.factories import CityFactory, UserFactory
from tests.framework_documents import valid_document


def published_test_framework() -> Framework:
    existing = Framework.objects.filter(code="TEST", version="1.0").first()
    return existing or framework_publish(framework=framework_import(document=valid_document()))


def assessment_with_team(**kwargs) -> Assessment:
    consultant = kwargs.pop("consultant", None) or UserFactory(roles=[Role.CONSULTANT])
    reviewer = kwargs.pop("reviewer", None) or UserFactory(roles=[Role.REVIEWER])
    return assessment_create(
        city=kwargs.pop("city", None) or CityFactory(),
        framework=kwargs.pop("framework", None) or published_test_framework(),
        period=kwargs.pop("period", 2025),
        consultants=[consultant],
        reviewer=reviewer,
        **kwargs,
    )


def answer_everything(assessment: Assessment, *, level: int = 4, share: float = 0.8, derived_reason: str = "") -> None:
    """Answer every indicator (with evidence where required) as the first consultant.

    ``derived_reason`` justifies answers that differ from an agreement-derived
    proposal (DSMF's X3.4, X4.1, ...), which are refused without one.
    """
    consultant = assessment.consultants.first()
    extra = {"derived_override_reason": derived_reason} if derived_reason else {}
    for response in assessment.responses.select_related("indicator"):
        indicator = response.indicator
        if indicator.type == Indicator.Type.LEVEL:
            values = {"level": level}
        else:
            values = {"value": round(indicator.lower + share * (indicator.upper - indicator.lower))}
        saved = response_save(
            response=response,
            user=consultant,
            values={**values, **extra, "source": "test"},
            base_version=response.version,
        )
        if indicator.evidence_required:
            Evidence.objects.create(response=saved, kind=Evidence.Kind.NOTE, note="checked", uploaded_by=consultant)
