"""Input errors of the scoring engine.

No formula here: every check in the engine that rejects its input collects
`Problem`s (which row, which column, why) and raises one `ScoringInputError`
carrying all of them, so a user fixes a file in one pass instead of one
error per run.  Rows are whatever the caller can find again: a line number of
a CSV file, a unit code, an indicator code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Problem", "ScoringInputError"]

# A file with thousands of bad cells should still give a readable message.
_MESSAGE_PROBLEM_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an input is refused, located by row and column: the one problem type of the project.

    The engine's inputs, a framework document, an uploaded workbook and the
    reference-data files all report with it.  ``row`` is whatever the caller
    can find again: a line of a CSV file, a row of a sheet (``sheet`` names
    it), a unit, node or indicator code, or a place in words ("node W1.3 ·
    weight").  ``text`` is the whole message in the reader's language when the
    caller wrote one (the apps translate; this module cannot); without it,
    ``str()`` writes the engine's English.
    """

    row: int | str | None
    column: str | None
    reason: str
    sheet: str | None = None
    text: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        if self.text is not None:
            return self.text
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ScoringInputError(ValueError):
    """The engine's input is invalid; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"{self.source}: " if self.source else ""
        shown = [str(problem) for problem in self.problems[:_MESSAGE_PROBLEM_LIMIT]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"... and {hidden} more problems")
        if len(shown) == 1:
            return head + shown[0]
        return head + f"{len(self.problems)} problems:\n" + "\n".join(f"  {line}" for line in shown)

    def with_source(self, source: str) -> ScoringInputError:
        """Return the same problems attributed to `source` (e.g. a file name)."""
        return ScoringInputError(self.problems, source=source)
