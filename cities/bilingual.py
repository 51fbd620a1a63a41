"""Chinese first, English second: which of a pair of `_zh`/`_en` fields a reader sees.

The one place that decides "is the reader's language English". Every model with
bilingual fields, every chart label and every report reads it from here.
"""

from typing import Any

from django.utils.translation import get_language


def in_english() -> bool:
    """Whether the active language is English (any variant); Chinese otherwise."""
    return (get_language() or "").startswith("en")


def bilingual(obj: Any, field: str) -> str:
    """`obj.<field>_en` in English, `obj.<field>_zh` otherwise."""
    return getattr(obj, f"{field}_en" if in_english() else f"{field}_zh")


def either_language(first: str, english: str) -> str:
    """A free text written first (in Chinese, or in the only language given) with an optional English version:
    the English to an English reader and the first to others, each falling back on the other when empty."""
    return (english or first) if in_english() else (first or english)
