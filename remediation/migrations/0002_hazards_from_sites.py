import access.models
import django.contrib.gis.db.models.fields
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# Hazards move from the sites app: their tables stay where they are (state only).


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('remediation', '0001_initial'),
        ('sites', '0007_site_drafts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Hazard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('is_published', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('hazard_type', models.CharField(choices=[('open_shaft', 'Open shaft'), ('adit', 'Adit / portal'), ('other_vertical_opening', 'Other vertical opening'), ('highwall', 'Highwall / pit edge'), ('subsidence', 'Subsidence'), ('unstable_slope', 'Unstable slope'), ('hazardous_structure', 'Hazardous structure'), ('tailings_facility', 'Tailings facility'), ('waste_rock_dump', 'Waste rock dump'), ('acid_drainage', 'Acid or metalliferous drainage'), ('contaminated_soil', 'Contaminated soil'), ('polluted_water', 'Polluted water body'), ('dust', 'Dust'), ('gas', 'Gas'), ('explosives_chemicals', 'Explosives / chemicals'), ('other', 'Other')], max_length=32, verbose_name='type')),
                        ('priority', models.PositiveSmallIntegerField(choices=[(1, '1 — Extreme danger to people'), (2, '2 — Danger to people'), (3, '3 — Environmental or other')])),
                        ('priority_is_approved', models.BooleanField(default=False, verbose_name='priority approved')),
                        ('priority_approved_at', models.DateTimeField(blank=True, null=True)),
                        ('quantity', models.DecimalField(blank=True, decimal_places=3, max_digits=14, null=True)),
                        ('quantity_unit', models.CharField(blank=True, choices=[('count', 'count'), ('m', 'm'), ('m2', 'm²'), ('ha', 'ha'), ('m3', 'm³'), ('L', 'L')], max_length=8)),
                        ('location', django.contrib.gis.db.models.fields.GeometryField(blank=True, help_text='A point or polygon near the site.', null=True, srid=4326)),
                        ('estimated_cost_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
                        ('estimated_cost_currency', models.CharField(blank=True, choices=[('USD', 'USD — US dollar'), ('EUR', 'EUR — Euro'), ('AUD', 'AUD — Australian dollar'), ('JPY', 'JPY — Japanese yen'), ('CNY', 'CNY — Renminbi'), ('BND', 'BND — Brunei dollar'), ('KHR', 'KHR — Cambodian riel'), ('IDR', 'IDR — Indonesian rupiah'), ('LAK', 'LAK — Lao kip'), ('MYR', 'MYR — Malaysian ringgit'), ('MMK', 'MMK — Myanmar kyat'), ('PHP', 'PHP — Philippine peso'), ('SGD', 'SGD — Singapore dollar'), ('THB', 'THB — Thai baht'), ('VND', 'VND — Vietnamese dong')], max_length=3)),
                        ('status', models.CharField(choices=[('unaddressed', 'Unaddressed'), ('funded', 'Funded'), ('in_progress', 'In progress'), ('made_safe', 'Made safe'), ('monitoring', 'Monitoring')], default='unaddressed', max_length=16)),
                        ('made_safe_on', models.DateField(blank=True, null=True)),
                        ('notes', models.TextField(blank=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('priority_approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hazards', to='sites.minesite')),
                    ],
                    options={
                        'db_table': 'sites_hazard',
                        'ordering': ['site', 'priority', 'id'],
                    },
                    bases=(access.models.CountryRecord, models.Model),
                ),
                migrations.AlterField(
                    model_name='evidence',
                    name='hazard',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='remediation.hazard'),
                ),
                migrations.AlterField(
                    model_name='historicalevidence',
                    name='hazard',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='remediation.hazard'),
                ),
                migrations.AlterField(
                    model_name='remediationmeasure',
                    name='hazards',
                    field=models.ManyToManyField(blank=True, related_name='measures', to='remediation.hazard'),
                ),
                migrations.CreateModel(
                    name='HistoricalHazard',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('is_published', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('hazard_type', models.CharField(choices=[('open_shaft', 'Open shaft'), ('adit', 'Adit / portal'), ('other_vertical_opening', 'Other vertical opening'), ('highwall', 'Highwall / pit edge'), ('subsidence', 'Subsidence'), ('unstable_slope', 'Unstable slope'), ('hazardous_structure', 'Hazardous structure'), ('tailings_facility', 'Tailings facility'), ('waste_rock_dump', 'Waste rock dump'), ('acid_drainage', 'Acid or metalliferous drainage'), ('contaminated_soil', 'Contaminated soil'), ('polluted_water', 'Polluted water body'), ('dust', 'Dust'), ('gas', 'Gas'), ('explosives_chemicals', 'Explosives / chemicals'), ('other', 'Other')], max_length=32, verbose_name='type')),
                        ('priority', models.PositiveSmallIntegerField(choices=[(1, '1 — Extreme danger to people'), (2, '2 — Danger to people'), (3, '3 — Environmental or other')])),
                        ('priority_is_approved', models.BooleanField(default=False, verbose_name='priority approved')),
                        ('priority_approved_at', models.DateTimeField(blank=True, null=True)),
                        ('quantity', models.DecimalField(blank=True, decimal_places=3, max_digits=14, null=True)),
                        ('quantity_unit', models.CharField(blank=True, choices=[('count', 'count'), ('m', 'm'), ('m2', 'm²'), ('ha', 'ha'), ('m3', 'm³'), ('L', 'L')], max_length=8)),
                        ('location', django.contrib.gis.db.models.fields.GeometryField(blank=True, help_text='A point or polygon near the site.', null=True, srid=4326)),
                        ('estimated_cost_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
                        ('estimated_cost_currency', models.CharField(blank=True, choices=[('USD', 'USD — US dollar'), ('EUR', 'EUR — Euro'), ('AUD', 'AUD — Australian dollar'), ('JPY', 'JPY — Japanese yen'), ('CNY', 'CNY — Renminbi'), ('BND', 'BND — Brunei dollar'), ('KHR', 'KHR — Cambodian riel'), ('IDR', 'IDR — Indonesian rupiah'), ('LAK', 'LAK — Lao kip'), ('MYR', 'MYR — Malaysian ringgit'), ('MMK', 'MMK — Myanmar kyat'), ('PHP', 'PHP — Philippine peso'), ('SGD', 'SGD — Singapore dollar'), ('THB', 'THB — Thai baht'), ('VND', 'VND — Vietnamese dong')], max_length=3)),
                        ('status', models.CharField(choices=[('unaddressed', 'Unaddressed'), ('funded', 'Funded'), ('in_progress', 'In progress'), ('made_safe', 'Made safe'), ('monitoring', 'Monitoring')], default='unaddressed', max_length=16)),
                        ('made_safe_on', models.DateField(blank=True, null=True)),
                        ('notes', models.TextField(blank=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('priority_approved_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('site', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sites.minesite')),
                    ],
                    options={
                        'verbose_name': 'historical hazard',
                        'verbose_name_plural': 'historical hazards',
                        'db_table': 'sites_historicalhazard',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='hazard',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__isnull', True), ('quantity__gte', 0), _connector='OR'), name='hazard_quantity_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='hazard',
                    constraint=models.CheckConstraint(condition=models.Q(('quantity__isnull', True), models.Q(('quantity_unit', ''), _negated=True), _connector='OR'), name='hazard_quantity_has_unit'),
                ),
                migrations.AddConstraint(
                    model_name='hazard',
                    constraint=models.CheckConstraint(condition=models.Q(('estimated_cost_amount__isnull', True), ('estimated_cost_amount__gte', 0), _connector='OR'), name='hazard_cost_not_negative'),
                ),
                migrations.AddConstraint(
                    model_name='hazard',
                    constraint=models.CheckConstraint(condition=models.Q(('estimated_cost_amount__isnull', True), models.Q(('estimated_cost_currency', ''), _negated=True), _connector='OR'), name='hazard_cost_has_currency'),
                ),
                migrations.AddConstraint(
                    model_name='hazard',
                    constraint=models.CheckConstraint(condition=models.Q(('priority_is_approved', False), ('priority_approved_at__isnull', False), _connector='OR'), name='hazard_approval_has_date'),
                ),
                migrations.AddConstraint(
                    model_name='hazard',
                    constraint=models.CheckConstraint(condition=models.Q(('estimated_cost_currency__in', ['', 'USD', 'EUR', 'AUD', 'JPY', 'CNY', 'BND', 'KHR', 'IDR', 'LAK', 'MYR', 'MMK', 'PHP', 'SGD', 'THB', 'VND'])), name='hazard_currency_iso_4217'),
                ),
            ],
        ),
    ]
