"""Admin for measures, visits and evidence, limited by the same per-country rules as the pages."""

from django import forms
from django.contrib import admin

from remediation.models import Evidence, Measurement, MonitoringVisit, RemediationMeasure, may_change_stage
from sites.admin import CountryScopedAdmin
from sites.models import Hazard, Role
from sites.permissions import countries_with_role


class MeasureAdminForm(forms.ModelForm):
    class Meta:
        model = RemediationMeasure
        fields = ["stage"]  # the admin passes the full field list when it builds the form

    def clean_stage(self):
        """The stage graph, checked here so the admin shows a message instead of failing on save."""
        stage = self.cleaned_data["stage"]
        if self.instance.pk and not may_change_stage(self.instance.stage, stage):
            raise forms.ValidationError(
                f"A measure cannot go from “{self.instance.get_stage_display()}” to this stage."
            )
        return stage


@admin.register(RemediationMeasure)
class RemediationMeasureAdmin(CountryScopedAdmin):
    list_display = ["__str__", "stage", "treated_area_ha", "budget_amount", "cost_currency", "is_published"]
    list_filter = ["stage", "measure_type", "funding_source", "is_published", "site__country"]
    search_fields = ["site__name", "contractor", "responsible_agency"]
    raw_id_fields = ["site"]
    filter_horizontal = ["hazards"]
    exclude = ["signed_off_by", "signed_off_at"]
    form = MeasureAdminForm

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "hazards":
            countries = countries_with_role(request.user, Role.ENVIRONMENTAL_OFFICER)
            kwargs["queryset"] = Hazard.objects.in_countries(countries).select_related("site")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "treated_area_ha"]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0


@admin.register(MonitoringVisit)
class MonitoringVisitAdmin(CountryScopedAdmin):
    list_display = ["__str__", "measure", "next_visit_due", "is_published"]
    list_filter = ["is_published", "site__country"]
    raw_id_fields = ["site", "measure", "officer"]
    inlines = [MeasurementInline]


@admin.register(Evidence)
class EvidenceAdmin(CountryScopedAdmin):
    """Evidence is added through the site pages, where the file's content is checked; here it is read-only."""

    list_display = ["caption", "kind", "site", "is_published", "created_at"]
    list_filter = ["kind", "is_published", "site__country"]
    readonly_fields = ["file", "thumbnail", "content_type", "size_bytes", "taken_at", "taken_location"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
