"""PreparedForm is a cache of what the start will copy (models.PreparedForm): on PostgreSQL it is
UNLOGGED, so preparing thousands of 30-40 KB forms before an exam writes no WAL (measured: the
herd of 5,000 wrote ≈ 400 MB of WAL, whose checkpoint then slowed commits during the exam). After
a crash PostgreSQL empties an unlogged table; the start then freezes those forms itself."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE delivery_preparedform SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE delivery_preparedform SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("delivery", "0002_prepared_form")]

    operations = [migrations.RunPython(unlogged, logged)]
