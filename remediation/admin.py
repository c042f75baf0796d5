"""Admin for hazards, measures, visits and evidence, limited by the same per-country rules as the pages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from access import proposals
from access.admin import ReadOnlyAdmin
from access.models import Role
from access.roles import countries_with_role, may_record_remediation, working_countries
from geodata.widgets import LocalOSMWidget
from remediation import services
from remediation.models import (
    Evidence,
    Hazard,
    Measurement,
    MonitoringVisit,
    PublicReport,
    RemediationMeasure,
    may_change_stage,
)
from remediation.queries import public_report_countries
from sites.models import MineSite


class SiteRecordAdmin(SimpleHistoryAdmin, GISModelAdmin):
    """Admin for records officers keep per site: the same country rules as the pages.

    Officers see and change records of their countries (drafts only for deletion), reviewers see
    them and may publish; nobody else sees them at all.
    """

    gis_widget = LocalOSMWidget
    gis_widget_kwargs = {"attrs": {"default_lon": 115, "default_lat": 5, "default_zoom": 4}}

    def get_queryset(self, request):
        countries = working_countries(request.user, Role.ENVIRONMENTAL_OFFICER)
        return super().get_queryset(request).filter(site__country__in=countries)

    def has_module_permission(self, request):
        return bool(working_countries(request.user, Role.ENVIRONMENTAL_OFFICER))

    def has_view_permission(self, request, obj=None):
        countries = working_countries(request.user, Role.ENVIRONMENTAL_OFFICER)
        return obj.site.country in countries if obj is not None else bool(countries)

    def has_add_permission(self, request, obj=None):
        return bool(countries_with_role(request.user, Role.ENVIRONMENTAL_OFFICER))

    def has_change_permission(self, request, obj=None):
        officer_countries = countries_with_role(request.user, Role.ENVIRONMENTAL_OFFICER)
        return obj.site.country in officer_countries if obj is not None else bool(officer_countries)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return bool(countries_with_role(request.user, Role.ENVIRONMENTAL_OFFICER))
        return not obj.is_published and may_record_remediation(request.user, obj.site.country)

    def get_readonly_fields(self, request, obj=None):
        # Publication goes through the reviewers' publish button, never an officer's form.
        return [*super().get_readonly_fields(request, obj), "is_published", "created_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            countries = countries_with_role(request.user, Role.ENVIRONMENTAL_OFFICER)
            kwargs["queryset"] = MineSite.objects.filter(country__in=countries)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        hazards = list(form.cleaned_data["hazards"]) if "hazards" in form.cleaned_data else None
        try:
            services.save_record(obj, by=request.user, hazards=hazards)
        except proposals.ProposalRefused as refusal:
            self.message_user(request, " ".join(refusal.messages), level=messages.ERROR)
            return
        held = getattr(obj, "held_change", None)
        if held is not None:
            self.message_user(request, proposals.waits_message(held))

    def save_related(self, request, form, formsets, change):
        # A change held for review leaves the published record's hazards and readings as they are.
        if not proposals.needs_review(form.instance, request.user):
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        services.delete_record(obj, by=request.user)

    def get_actions(self, request):
        return {}  # bulk deletes would skip the per-record checks


@admin.register(Hazard)
class HazardAdmin(SiteRecordAdmin):
    list_display = ["__str__", "priority", "priority_is_approved", "status", "is_published", "updated_at"]
    list_filter = ["status", "priority", "hazard_type", "is_published", "site__country"]
    search_fields = ["site__name", "notes"]
    raw_id_fields = ["site"]
    exclude = ["priority_approved_by", "priority_approved_at", "priority_is_approved"]


class MeasureAdminForm(forms.ModelForm):
    class Meta:
        model = RemediationMeasure
        fields = ["stage"]  # the admin passes the full field list when it builds the form

    def clean_stage(self):
        """The stage graph, checked here so the admin shows a message instead of failing on save."""
        stage = self.cleaned_data["stage"]
        if self.instance.pk and not may_change_stage(self.instance.stage, stage):
            raise forms.ValidationError(
                gettext("A measure cannot go from “%(stage)s” to this stage.")
                % {"stage": self.instance.get_stage_display()}
            )
        return stage


@admin.register(RemediationMeasure)
class RemediationMeasureAdmin(SiteRecordAdmin):
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
class MonitoringVisitAdmin(SiteRecordAdmin):
    list_display = ["__str__", "measure", "next_visit_due", "is_published"]
    list_filter = ["is_published", "site__country"]
    raw_id_fields = ["site", "measure", "officer"]
    inlines = [MeasurementInline]


@admin.register(Evidence)
class EvidenceAdmin(SiteRecordAdmin):
    """Evidence is added through the site pages, where the file's content is checked; here it is read-only."""

    list_display = ["caption", "kind", "site", "is_published", "created_at"]
    list_filter = ["kind", "is_published", "site__country"]
    readonly_fields = ["file", "thumbnail", "content_type", "size_bytes", "taken_at", "taken_location"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PublicReport)
class PublicReportAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only: officers and reviewers acknowledge and close reports on their list page, through one service."""

    list_display = ["site", "kind", "state", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["site__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).in_countries(public_report_countries(request.user))

    def has_module_permission(self, request):
        return bool(public_report_countries(request.user))

    def has_view_permission(self, request, obj=None):
        countries = public_report_countries(request.user)
        return obj.site.country in countries if obj is not None else bool(countries)
