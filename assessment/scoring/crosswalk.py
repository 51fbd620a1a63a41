"""The cross-walk between framework versions: which earlier answers carry into a later version.

Pure Python: no Django.

Each indicator of a later version says how it relates to the earlier
indicators it continues (the framework document's ``change``):

- ``same``: the same measurement; its answer carries unchanged.
- ``reworded``: the same measurement with clearer descriptors; carries.
- ``rescaled``: the same measurement with new goalposts; the raw answer
  carries and is normalised on the new goalposts.
- ``split``, ``merged``, ``new``: a different measurement; nothing carries.
- ``retired`` (in the change log): an earlier indicator with no successor.

An indicator continuing earlier ones with no stated kind (documents older
than the cross-walk) is read as ``same``. A city's earlier results are
*re-expressed* in the later version by scoring the carried answers with the
later version's tree; the indicators that do not carry are missing, and the
aggregation leaves them out as it does any missing answer. ``coverage`` is
the share of the later index's indicator weight that carried, printed beside
every re-expressed value: a value re-expressed from a third of the weight is
not the same statement as one from nine tenths, and neither is a published
result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CARRYING_CHANGES = ("same", "reworded", "rescaled")


@dataclass(frozen=True)
class Link:
    """A later indicator and the earlier ones it continues, with how."""

    code: str
    continues: tuple[str, ...]
    kind: str = ""

    @property
    def carries(self) -> bool:
        return len(self.continues) == 1 and (self.kind or "same") in CARRYING_CHANGES


def carried_answers(earlier: Mapping[str, float], links: Sequence[Link]) -> dict[str, float]:
    """Later code -> the earlier raw answer it carries; missing or non-finite earlier answers carry nothing."""
    carried: dict[str, float] = {}
    for link in links:
        if not link.carries:
            continue
        value = earlier.get(link.continues[0])
        if value is not None and math.isfinite(value):
            carried[link.code] = float(value)
    return carried


def coverage(carried: Mapping[str, float], effective_weights: Mapping[str, float]) -> float:
    """The share of the index's indicator weight (effective weights, summing to 1) whose answer carried."""
    total = sum(effective_weights.values())
    if total <= 0:
        return 0.0
    return sum(weight for code, weight in effective_weights.items() if code in carried) / total
