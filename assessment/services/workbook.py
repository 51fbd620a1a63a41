"""Apply an uploaded workbook: every change, or none."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import Assessment, Response
from assessment.services.assessments import StaleSaveError, can_edit, response_save
from assessment.workbook import ResponseChange, display_value, field_label


@dataclass(frozen=True)
class ApplyConflict:
    code: str
    reason: str
    # True: someone saved the answer after the download. False: the answer itself was refused
    # (a rule the check step could not see, e.g. agreements recorded since), and the reason says which.
    stale: bool = False


class WorkbookApplyError(Exception):
    """Nothing was applied; ``conflicts`` says why, one entry per indicator."""

    def __init__(self, conflicts: list[ApplyConflict]) -> None:
        super().__init__("; ".join(f"{c.code}: {c.reason}" for c in conflicts))
        self.conflicts = conflicts


def workbook_apply(*, assessment: Assessment, user: AbstractBaseUser, changes: list[ResponseChange]) -> int:
    """Save every change through response_save in one transaction; roll all back on any failure."""
    if not can_edit(user, assessment):
        raise PermissionDenied(_("You cannot change this assessment in its current state."))
    conflicts: list[ApplyConflict] = []
    with transaction.atomic():
        responses = {
            r.pk: r for r in Response.objects.filter(assessment=assessment, pk__in=[c.response_id for c in changes])
        }
        for change in changes:
            response = responses.get(change.response_id)
            if response is None:
                conflicts.append(ApplyConflict(change.code, _("not part of this assessment")))
                continue
            try:
                response_save(
                    response=response, user=user, values=change.new_values(), base_version=change.base_version
                )
            except StaleSaveError as stale:
                differing = [
                    _("%(field)s: yours “%(yours)s”, saved by %(who)s “%(theirs)s”")
                    % {
                        "field": field_label(name),
                        "yours": display_value(name, new),
                        "who": stale.by,
                        "theirs": display_value(name, stale.theirs.get(name)),
                    }
                    for name, (_old, new) in change.fields.items()
                ]
                conflicts.append(
                    ApplyConflict(
                        change.code,
                        _("changed on the server after you downloaded the workbook") + " — " + "; ".join(differing),
                        stale=True,
                    )
                )
            except ValidationError as error:
                reasons = (
                    [
                        " ".join(messages) if name == NON_FIELD_ERRORS else f"{field_label(name)}: {' '.join(messages)}"
                        for name, messages in error.message_dict.items()
                    ]
                    if hasattr(error, "error_dict")
                    else error.messages
                )
                conflicts.append(ApplyConflict(change.code, "; ".join(reasons)))
        if conflicts:
            transaction.set_rollback(True)
    if conflicts:
        raise WorkbookApplyError(conflicts)
    return len(changes)
