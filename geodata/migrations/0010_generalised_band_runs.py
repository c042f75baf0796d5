"""A generalised copy serves a run of bands (a point's one copy serves them all), and bulk loads skip
row-by-row foreign-key checks on features and copies."""

from django.db import migrations, models

import django.db.models.deletion
from django.contrib.postgres.indexes import GistIndex


def generalise_layers_without_copies(apps, schema_editor):
    # The current loader on purpose: it is the one definition of the copies, and it only reads the
    # feature table and writes the copies' table as this migration leaves it.
    from geodata.loading import regeneralise
    from geodata.models import GeneralisedFeature, Layer

    with_copies = GeneralisedFeature.objects.values("layer_id")
    for layer in Layer.objects.filter(feature_count__gt=0).exclude(pk__in=with_copies).only("pk"):
        regeneralise(layer)


class Migration(migrations.Migration):
    dependencies = [("geodata", "0009_layer_created_by")]

    operations = [
        migrations.AlterField(
            model_name="feature",
            name="layer",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="features",
                to="geodata.layer",
            ),
        ),
        migrations.AlterField(
            model_name="generalisedfeature",
            name="layer",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geodata.layer",
            ),
        ),
        migrations.RemoveIndex(model_name="generalisedfeature", name="generalised_layer_band_geom"),
        migrations.AlterField(
            model_name="generalisedfeature",
            name="band",
            field=models.SmallIntegerField(help_text="The lowest zoom this copy serves."),
        ),
        migrations.AddField(
            model_name="generalisedfeature",
            name="last_band",
            field=models.SmallIntegerField(default=0, help_text="The highest zoom this copy serves."),
            preserve_default=False,
        ),
        # Copies written before served exactly one band.
        migrations.RunSQL("UPDATE geodata_generalisedfeature SET last_band = band", migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="generalisedfeature",
            index=GistIndex(fields=["layer", "band", "last_band", "geom"], name="generalised_layer_bands_geom"),
        ),
        migrations.RunPython(generalise_layers_without_copies, migrations.RunPython.noop),
    ]
