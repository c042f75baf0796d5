from django.db import migrations


# The site clusters move to the sites app; the table and its trigger stay (state only).


class Migration(migrations.Migration):

    dependencies = [
        ('geodata', '0007_remediation_and_hazard_tile_versions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='SiteCluster',
                ),
            ],
        ),
    ]
