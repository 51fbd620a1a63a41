"""Lists in running text, joined as the active language writes them.

Chinese enumerates with the enumeration comma: 苏州、无锡、常州. English
reads "Suzhou, Wuxi and Changzhou"; "、" there is a stray Chinese mark. One
helper for Python code (`join_list`) and templates (`{{ names|join_list }}`,
or `{{ cities|join_list:"name_distinct" }}` to join an attribute of each item).
"""

from collections.abc import Iterable

from django import template

from cities.bilingual import in_english

register = template.Library()


def join_list(items: Iterable[object], last: str = "and") -> str:
    """Joined for the active language; `last` ("and" or "or") is the English word before the last item."""
    texts = [str(item) for item in items]
    if not in_english():
        return "、".join(texts)
    if len(texts) <= 2:
        return f" {last} ".join(texts)
    return f"{', '.join(texts[:-1])} {last} {texts[-1]}"


@register.filter(name="join_list")
def join_list_filter(items: Iterable[object], attribute: str = "") -> str:
    """Not marked safe: the joined text is escaped like any other variable."""
    return join_list(getattr(item, attribute) if attribute else item for item in items)
