"""DSMF's consistency rules (issue 21): a database loaded before them gets the shipped rules for DSMF 1.0.

The version is published, so load_frameworks leaves it alone; the rules are read from the shipped
document (fixtures/frameworks/dsmf-1.0.json), and a version whose rules someone already set keeps them.
"""

import json
from pathlib import Path

from django.db import migrations, models

SHIPPED = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks" / "dsmf-1.0.json"


def shipped_rules(apps, schema_editor):
    framework = apps.get_model("assessment", "Framework")
    if not SHIPPED.exists():
        return
    rules = json.loads(SHIPPED.read_text(encoding="utf-8")).get("consistency_rules", [])
    framework.objects.filter(code="DSMF", version="1.0", consistency_rules=[]).update(consistency_rules=rules)


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0019_city_respondents'),
    ]

    operations = [
        migrations.AddField(
            model_name='framework',
            name='consistency_rules',
            field=models.JSONField(blank=True, default=list, help_text='Answers that must go together, checked on the review page: a list of {"if": {"indicator": "W3.2", "at_least": 4}, "then": {"indicator": "W3.1", "at_least": 3}, "because": {"zh": "…", "en": "…"}} (a level for level indicators, a value for the others).', verbose_name='consistency rules'),
        ),
        migrations.RunPython(shipped_rules, migrations.RunPython.noop),
    ]
