from assessment.models.assessment import (
    Assessment,
    AssessmentResult,
    Evidence,
    Response,
    ReviewComment,
)
from assessment.models.framework import (
    Framework,
    FrameworkLockedError,
    FrameworkNode,
    Indicator,
    LevelDescriptor,
    StageRung,
)

__all__ = [
    "Assessment",
    "AssessmentResult",
    "Evidence",
    "ReviewComment",
    "Response",
    "Framework",
    "FrameworkLockedError",
    "FrameworkNode",
    "Indicator",
    "LevelDescriptor",
    "StageRung",
]
