"""The database cache's table (config/services.py: CACHE_URL unset or db://), made by `migrate` itself.

`manage.py createcachetable` creates the table of every database cache the
settings name and does nothing for Redis; running it here means no deployment,
test database or `make run` needs a set-up step of its own. A deployment that
moves from Redis to the database cache later runs `manage.py createcachetable`.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    from config.services import CACHE_TABLE

    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
