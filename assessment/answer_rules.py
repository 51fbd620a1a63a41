"""The rules one answer must follow, checked without writing anything.

`services/assessments.py` applies them when it saves an answer (the form, the
autosave, the API, the workbook's apply step, the demo loader); the workbook's
check step (`workbook.py`) applies them to an uploaded file before offering to
apply it. They live apart from the services so that a reader of a file need
not import the module that writes.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessment.framework.document import is_finite_number, plain_number_text
from assessment.models import Indicator


def response_clean(indicator: Indicator, values: dict[str, Any]) -> dict[str, Any]:
    """Check one answer against its indicator; raise ValidationError naming the field."""
    errors: dict[str, str] = {}
    level, value = values.get("level"), values.get("value")
    if values.get("not_applicable"):
        if not str(values.get("not_applicable_reason") or "").strip():
            errors["not_applicable_reason"] = _("Say why the indicator does not apply.")
    elif indicator.type == Indicator.Type.LEVEL:
        if value is not None:
            errors["value"] = _("This indicator takes a level (0-5), not a value.")
        if level is not None and not 0 <= level <= 5:
            errors["level"] = _("The level must be between 0 and 5.")
    else:
        if level is not None:
            errors["level"] = _("This indicator takes a value, not a level.")
        if value is not None and not is_finite_number(value):
            # Stored, it would stop the approval: the engine cannot score it nor the result hold it.
            errors["value"] = _("“%(value)s” is not a finite number; enter an ordinary number such as 12.5.") % {
                "value": value
            }
        elif value is not None and indicator.type == Indicator.Type.BINARY and value not in (0, 1):
            errors["value"] = _("Answer 1 (yes) or 0 (no).")
        elif value is not None and indicator.type == Indicator.Type.COUNT and (value < 0 or value != int(value)):
            errors["value"] = _("A count is a whole number of zero or more.")
        elif value is not None and not str(values.get("plausibility_override_reason") or "").strip():
            plausible = indicator.plausible_range()
            if plausible is not None and value not in plausible:
                errors["value"] = _(
                    "%(value)s is outside the plausible range %(range)s: correct it, or say why it is right "
                    "in “Why the value is outside the plausible range”."
                ) % {"value": plain_number_text(value), "range": plausible.text(indicator.unit)}
        unit = str(values.get("unit") or "").strip()
        if value is not None and unit and unit not in {indicator.unit_zh, indicator.unit_en}:
            errors["unit"] = _("The unit must be %(unit)s.") % {"unit": indicator.unit or indicator.unit_zh}
    if errors:
        raise ValidationError(errors)
    return values


def derived_override_missing(proposed: float, answer: float | None, reason: str | None) -> bool:
    """An answer differs from what the agreements propose and says nothing about why: it is refused.

    The one rule the form, the autosave and the workbook's check step apply.
    """
    return answer is not None and answer != proposed and not str(reason or "").strip()
