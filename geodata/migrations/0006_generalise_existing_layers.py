"""Build the low-zoom copies of the layers that were loaded before tiles existed."""

from django.db import migrations


def generalise_existing_layers(apps, schema_editor):
    # Moved to migration 0010, which changes the copies' table: today's code would fail against
    # this migration's schema. 0010 builds the copies of every layer that has none.
    return


class Migration(migrations.Migration):
    dependencies = [("geodata", "0005_site_cluster_trigger")]

    operations = [migrations.RunPython(generalise_existing_layers, migrations.RunPython.noop)]
