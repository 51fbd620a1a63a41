from django.db import migrations, models


def mark_existing_full(apps, schema_editor):
    # Every report rendered before editions existed carries the evidence annex:
    # it is the full edition, and a shared link must no longer hand it out.
    apps.get_model("assessment", "Report").objects.update(audience="full")


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0006_report_message_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='audience',
            field=models.CharField(
                choices=[('stakeholder', 'stakeholder edition'), ('full', 'full edition with the evidence annex')],
                default='stakeholder',
                help_text='Who the report is written for: the full edition carries the evidence annex.',
                max_length=12,
                verbose_name='edition',
            ),
        ),
        migrations.RunPython(mark_existing_full, migrations.RunPython.noop),
    ]
