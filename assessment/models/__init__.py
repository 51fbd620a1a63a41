from assessment.models.assessment import (
    Assessment,
    AssessmentResult,
    Evidence,
    FlagAcceptance,
    Response,
    ReviewComment,
)
from assessment.models.calibration import BlindAnswer, BlindRating
from assessment.models.campaign import Campaign
from assessment.models.framework import (
    Framework,
    FrameworkLockedError,
    FrameworkNode,
    Indicator,
    LevelDescriptor,
    StageRung,
)
from assessment.models.notification import Notification
from assessment.models.report import Report, ReportLink, ReportLinkAccess
from assessment.models.respondent import CityRespondent

__all__ = [
    "Assessment",
    "AssessmentResult",
    "BlindAnswer",
    "BlindRating",
    "Campaign",
    "CityRespondent",
    "Evidence",
    "FlagAcceptance",
    "ReviewComment",
    "Response",
    "Framework",
    "FrameworkLockedError",
    "FrameworkNode",
    "Indicator",
    "LevelDescriptor",
    "Notification",
    "StageRung",
    "Report",
    "ReportLink",
    "ReportLinkAccess",
]
