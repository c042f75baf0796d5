"""Features and copies lose their own layer index: the indexes that start with the layer cover it, and
every bulk-loaded row updated it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geodata", "0010_generalised_band_runs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="feature",
            name="layer",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
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
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geodata.layer",
            ),
        ),
    ]
