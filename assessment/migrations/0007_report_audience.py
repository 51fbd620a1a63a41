from django.db import migrations, models


def mark_existing_full(apps, schema_editor):
    # Every city report rendered before editions existed carries the evidence
    # annex: it is a full edition, and its stakeholder links must stop serving it.
    # (A regional report has no annex: it already is a stakeholder edition.)
    from django.utils import timezone

    city_reports = apps.get_model("assessment", "Report").objects.filter(kind="city")
    city_reports.update(audience="full")
    apps.get_model("assessment", "ReportLink").objects.filter(
        report__in=city_reports, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


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
