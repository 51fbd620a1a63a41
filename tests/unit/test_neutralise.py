"""Spreadsheet cells: formula-like text is made inert, plain numbers stay numbers."""

import pytest

from assessment.workbook import neutralise


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("http://x","y")', "+A1", "-1+1", "-A1", "@SUM(A1)", "-", "+", "-2e5", "\t=1", "-1;2"]
)
def test_formula_like_text_is_quoted(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-11.3", "+5.2", "-1,234.5", "-4%", "12", "0.5", "Jiangsu", "S3 ×1", ""])
def test_plain_numbers_and_ordinary_text_are_left_alone(text):
    assert neutralise(text) == text


def test_other_values_pass_through():
    assert neutralise(-11.3) == -11.3 and neutralise(None) is None
