"""Build the low-zoom copies of the layers that were loaded before tiles existed."""

from django.db import migrations


def generalise_existing_layers(apps, schema_editor):
    # The current tile code on purpose: it is the one definition of the copies, and it only reads
    # the feature table and writes the table made by 0004.
    from geodata.models import Layer
    from geodata.layer_tiles import refresh_generalised_features

    for layer in Layer.objects.filter(feature_count__gt=0).only("pk"):
        refresh_generalised_features(layer)


class Migration(migrations.Migration):
    dependencies = [("geodata", "0005_site_cluster_trigger")]

    operations = [migrations.RunPython(generalise_existing_layers, migrations.RunPython.noop)]
