from assessment.models.framework import (
    Framework,
    FrameworkLockedError,
    FrameworkNode,
    Indicator,
    LevelDescriptor,
    StageRung,
)

__all__ = [
    "Framework",
    "FrameworkLockedError",
    "FrameworkNode",
    "Indicator",
    "LevelDescriptor",
    "StageRung",
]
