import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Hazards leave for remediation, memberships for access, the site clusters arrive from geodata:
# all state only, the tables stay. Sites get who created them, as the other audited records.


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0001_memberships_from_sites'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('geodata', '0008_site_clusters_to_sites'),
        ('remediation', '0002_hazards_from_sites'),
        ('sites', '0007_site_drafts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalhazard',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='historicalhazard',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalhazard',
                    name='priority_approved_by',
                ),
                migrations.RemoveField(
                    model_name='historicalhazard',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='historicalmembership',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmembership',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.CreateModel(
                    name='SiteCluster',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('zoom', models.SmallIntegerField()),
                        ('cx', models.IntegerField()),
                        ('cy', models.IntegerField()),
                        ('commodity', models.CharField(max_length=32)),
                        ('country', models.CharField(max_length=2)),
                        ('status', models.CharField(max_length=32)),
                        ('is_published', models.BooleanField()),
                        ('n', models.IntegerField()),
                        ('sum_x', models.FloatField(help_text="Sum of the sites' EPSG:3857 x, for the cluster's centroid.")),
                        ('sum_y', models.FloatField()),
                        ('sum_id', models.BigIntegerField(help_text="Sum of the site ids: the site's id when n is 1.")),
                    ],
                    options={
                        'db_table': 'geodata_sitecluster',
                        'indexes': [models.Index(condition=models.Q(('n', 0)), fields=['id'], name='site_cluster_empty')],
                        'constraints': [models.UniqueConstraint(fields=('zoom', 'commodity', 'cx', 'cy', 'country', 'status', 'is_published'), name='unique_site_cluster_cell')],
                    },
                ),
                migrations.DeleteModel(
                    name='Hazard',
                ),
                migrations.DeleteModel(
                    name='HistoricalHazard',
                ),
                migrations.DeleteModel(
                    name='HistoricalMembership',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
            ],
        ),
        migrations.AddField(
            model_name='historicalminesite',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='minesite',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
