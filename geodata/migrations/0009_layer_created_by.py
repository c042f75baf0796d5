# Layers record who created them in the field every audited record has (`created_by`, was `uploaded_by`):
# the column is renamed, its values stay.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('geodata', '0008_site_clusters_to_sites'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(
            model_name='historicallayer',
            old_name='uploaded_by',
            new_name='created_by',
        ),
        migrations.RenameField(
            model_name='layer',
            old_name='uploaded_by',
            new_name='created_by',
        ),
        migrations.AlterField(
            model_name='layer',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
