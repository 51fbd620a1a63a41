"""DSMF 1.0 loaded before issue 19 states its uncertainty method in figures (1,000 draws, 0.5 to 1.5)
that the application never ran. Replace that section 9, in both languages, by the shipped one, which
names the numbers as placeholders filled from the version's method parameters, and store the shipped
method. Only an untouched old section 9 is replaced; the rest of the text and the scores do not change,
so the published version keeps its meaning. The historical model bypasses the published-version lock.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations

SECTION_START = {"zh": ("九、", "十、"), "en": ("9. ", "10. ")}
OLD_SECTION = {"zh": "九、不确定性与排名区间。", "en": "9. Uncertainty and rank intervals."}


def _section(text, language):
    """(start, end) of section 9 in a methodology text: its paragraphs up to section 10."""
    opening, following = SECTION_START[language]
    start = text.find("\n\n" + opening)
    start = 0 if text.startswith(opening) else (start + 2 if start >= 0 else -1)
    end = text.find("\n\n" + following, start)
    return start, (len(text) if end < 0 else end)


def forwards(apps, schema_editor):
    Framework = apps.get_model("assessment", "Framework")
    path = Path(settings.BASE_DIR) / "fixtures" / "frameworks" / "dsmf-1.0.json"
    if not path.exists():
        return
    shipped = json.loads(path.read_text(encoding="utf-8"))
    for framework in Framework.objects.filter(code=shipped["code"], version=shipped["version"]):
        changed = False
        for language in ("zh", "en"):
            field = f"methodology_{language}"
            text = getattr(framework, field)
            if OLD_SECTION[language] not in text:
                continue
            start, end = _section(text, language)
            new_start, new_end = _section(shipped["methodology"][language], language)
            if start < 0 or new_start < 0:
                continue
            setattr(framework, field, text[:start] + shipped["methodology"][language][new_start:new_end] + text[end:])
            changed = True
        if changed and not framework.method:
            framework.method = shipped.get("method") or {}
        if changed:
            framework.save(update_fields=["methodology_zh", "methodology_en", "method"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0009_framework_method"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
