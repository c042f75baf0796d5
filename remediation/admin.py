"""Admin for measures, visits and evidence, limited by the same per-country rules as the pages."""

from django.contrib import admin

from remediation.models import Evidence, Measurement, MonitoringVisit, RemediationMeasure
from sites.admin import CountryScopedAdmin


@admin.register(RemediationMeasure)
class RemediationMeasureAdmin(CountryScopedAdmin):
    list_display = ["__str__", "stage", "treated_area_ha", "budget_amount", "cost_currency", "is_published"]
    list_filter = ["stage", "measure_type", "funding_source", "is_published", "site__country"]
    search_fields = ["site__name", "contractor", "responsible_agency"]
    raw_id_fields = ["site"]
    filter_horizontal = ["hazards"]
    exclude = ["signed_off_by", "signed_off_at"]

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
