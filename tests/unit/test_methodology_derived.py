"""The methodology states the derived proposals' depth rule with the numbers the rule runs with."""

from assessment import derived_indicators
from assessment.framework.methodology import methodology_values, render_methodology, unknown_placeholders
from assessment.scoring.method import DEFAULT_METHOD


def test_the_derived_rule_numbers_are_placeholders_filled_from_the_rule():
    text = "{derived_partners} partners; {derived_agreements} agreements in {derived_modes} modes"
    assert unknown_placeholders(text) == []
    assert render_methodology(text, DEFAULT_METHOD, "en") == (
        f"{derived_indicators.ESTABLISHED_PARTNERS} partners; {derived_indicators.LEADING_AGREEMENTS} agreements"
        f" in {derived_indicators.LEADING_MODES} modes"
    )
    values = methodology_values(DEFAULT_METHOD, "zh")
    assert values["derived_modes"] == str(derived_indicators.LEADING_MODES)
