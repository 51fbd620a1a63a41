"""Reference data as an English page shows it.

A city's `population_source` is stored as the source names itself, in
Chinese (fixtures/cities.csv: "第七次全国人口普查 (2020)"). The sources the
shipped data cites have an official English name, which an English page
shows instead; any other source is shown as recorded.
"""

from django import template
from django.utils.translation import gettext_lazy as _

from cities.bilingual import in_english

register = template.Library()

SOURCE_NAMES = {
    "第七次全国人口普查": _("Seventh National Population Census"),
}


@register.filter
def source_name(text: str) -> str:
    if not in_english():
        return text
    for chinese, english in SOURCE_NAMES.items():
        text = text.replace(chinese, str(english))
    return text
