import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# Memberships move from the sites app: their tables stay where they are (state only).


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('sites', '0007_site_drafts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalMembership',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('country', models.CharField(choices=[('BN', 'Brunei Darussalam'), ('KH', 'Cambodia'), ('ID', 'Indonesia'), ('LA', 'Lao PDR'), ('MY', 'Malaysia'), ('MM', 'Myanmar'), ('PH', 'Philippines'), ('SG', 'Singapore'), ('TH', 'Thailand'), ('VN', 'Viet Nam'), ('TL', 'Timor-Leste')], max_length=2)),
                        ('role', models.CharField(choices=[('survey_uploader', 'Survey uploader'), ('environmental_officer', 'Environmental officer'), ('reviewer', 'Reviewer')], max_length=32)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical membership',
                        'verbose_name_plural': 'historical memberships',
                        'db_table': 'sites_historicalmembership',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('country', models.CharField(choices=[('BN', 'Brunei Darussalam'), ('KH', 'Cambodia'), ('ID', 'Indonesia'), ('LA', 'Lao PDR'), ('MY', 'Malaysia'), ('MM', 'Myanmar'), ('PH', 'Philippines'), ('SG', 'Singapore'), ('TH', 'Thailand'), ('VN', 'Viet Nam'), ('TL', 'Timor-Leste')], max_length=2)),
                        ('role', models.CharField(choices=[('survey_uploader', 'Survey uploader'), ('environmental_officer', 'Environmental officer'), ('reviewer', 'Reviewer')], max_length=32)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'sites_membership',
                        'constraints': [models.UniqueConstraint(fields=('user', 'country', 'role'), name='unique_membership')],
                    },
                ),
            ],
        ),
    ]
