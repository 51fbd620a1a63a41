"""DSMF 1.0 loaded before issue 18 has no guidance: fill each indicator's lead agency, control and general
action, and each level's action, from the guidance as DSMF 1.0 shipped it. Only blank fields are filled, so
nothing an administrator wrote is lost; the descriptors, weights and scores do not change, so the published
version keeps its meaning. The historical models bypass the published-version lock (FrameworkPart.save),
which guards against edits of meaning, not against this added guidance.

The guidance is frozen in data/dsmf_1_0_guidance.json (written once from fixtures/frameworks/dsmf-1.0.json
when this migration was made): a migration must write the same thing whenever it runs, and the live fixture
changes with later releases.
"""

import json
from pathlib import Path

from django.db import migrations

GUIDANCE = Path(__file__).resolve().parent / "data" / "dsmf_1_0_guidance.json"


def forwards(apps, schema_editor):
    Framework = apps.get_model("assessment", "Framework")
    Indicator = apps.get_model("assessment", "Indicator")
    LevelDescriptor = apps.get_model("assessment", "LevelDescriptor")
    frozen = json.loads(GUIDANCE.read_text(encoding="utf-8"))
    guidance = frozen["indicators"]
    for framework in Framework.objects.filter(code=frozen["code"], version=frozen["version"]):
        for indicator in Indicator.objects.filter(node__framework=framework).select_related("node"):
            details = guidance.get(indicator.node.code)
            if details is None:
                continue
            action = details.get("action") or {}
            indicator.lead_agency = indicator.lead_agency or details.get("lead_agency", "")
            if indicator.control == "city":  # the column's default: nobody has chosen yet
                indicator.control = details.get("control", "city")
            indicator.action_zh = indicator.action_zh or action.get("zh", "")
            indicator.action_en = indicator.action_en or action.get("en", "")
            indicator.save(update_fields=["lead_agency", "control", "action_zh", "action_en"])
            actions = {level["level"]: level.get("action") or {} for level in details.get("levels") or []}
            for descriptor in LevelDescriptor.objects.filter(indicator=indicator):
                level_action = actions.get(descriptor.level, {})
                descriptor.action_zh = descriptor.action_zh or level_action.get("zh", "")
                descriptor.action_en = descriptor.action_en or level_action.get("en", "")
                descriptor.save(update_fields=["action_zh", "action_en"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0012_indicator_guidance"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
