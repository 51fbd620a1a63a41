"""One problem type: the engine, a framework document, a workbook and a reference file all report a Problem.

Each app writes the message in the reader's language when it makes one; the words are the ones the
app's own type used to write (same msgids).
"""

from django.utils import translation

from assessment.framework.document import document_problem
from assessment.scoring.errors import Problem
from assessment.workbook import workbook_problem
from cities.reference_import import row_problem


def test_every_kind_of_input_reports_the_same_type_located_by_row_and_column():
    problems = [
        Problem(3, "Weight", "missing column"),
        document_problem("node W1.3 · weight", "must be greater than 0 (it is 0)"),
        workbook_problem("W1", 4, "level", "is empty"),
        row_problem(7, "name_en", "is empty"),
    ]
    assert all(type(problem) is Problem for problem in problems)
    assert [(problem.row, problem.column) for problem in problems] == [
        (3, "Weight"),
        ("node W1.3 · weight", None),
        (4, "level"),
        (7, "name_en"),
    ]
    assert problems[2].sheet == "W1"


def test_the_messages_read_as_before_in_both_languages():
    assert str(Problem(3, "Weight", "missing column")) == "row 3, column 'Weight': missing column"
    with translation.override("en"):
        assert str(document_problem("line 4", "Direction must be 1 or -1")) == "line 4: Direction must be 1 or -1"
        assert str(workbook_problem("W1", None, None, "is missing")) == "sheet “W1”: is missing"
        assert str(workbook_problem("W1", 4, None, "is empty")) == "sheet “W1”, row 4: is empty"
        assert str(row_problem(None, None, "the file is empty")) == "the file is empty"
        assert str(row_problem(7, None, "is empty")) == "line 7: is empty"
    with translation.override("zh-hans"):
        assert str(workbook_problem("W1", 4, None, "x")) == "工作表“W1”第 4 行：x"
        assert str(row_problem(7, None, "x")) == "第 7 行：x"
