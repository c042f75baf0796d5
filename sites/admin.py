"""Admin for sites and data sources, with local map widgets and the change history."""

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from geodata.widgets import LocalOSMWidget
from sites.models import Commodity, DataSource, Hazard, Membership, MineSite, ResourceEstimate, Role
from sites.permissions import countries_seeing_drafts, countries_with_role, may_record_remediation


class MineSiteForm(forms.ModelForm):
    commodities = forms.MultipleChoiceField(
        choices=Commodity.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = MineSite
        fields = [
            "name",
            "alternative_names",
            "country",
            "admin_area",
            "status",
            "mine_type",
            "commodities",
            "location",
            "footprint",
            "operator",
            "opened_year",
            "closed_year",
            "data_source",
            "source_record_id",
            "source_status",
            "source_url",
            "is_published",
        ]


class ResourceEstimateInline(admin.TabularInline):
    model = ResourceEstimate
    extra = 0
    fields = [
        "commodity",
        "category",
        "reporting_code",
        "national_code_name",
        "tonnage_mt",
        "grade",
        "grade_unit",
        "cut_off",
        "effective_date",
        "competent_person",
        "source_report",
    ]


@admin.register(MineSite)
class MineSiteAdmin(SimpleHistoryAdmin, GISModelAdmin):
    form = MineSiteForm
    inlines = [ResourceEstimateInline]
    gis_widget = LocalOSMWidget
    gis_widget_kwargs = {"attrs": {"default_lon": 115, "default_lat": 5, "default_zoom": 4}}
    list_display = ["name", "country", "status", "mine_type", "is_published", "updated_at"]
    list_filter = ["is_published", "country", "status", "mine_type", "data_source"]
    # As the public list searches, so the same indexes answer at a million sites: parts of names and
    # operators (trigram indexes), whole source record ids (an index on their upper case).
    search_fields = ["name", "operator", "=source_record_id"]
    show_full_result_count = False  # one count of every site fewer per page
    readonly_fields = ["source_record_key", "quality_flags", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "alternative_names", "country", "admin_area", "status", "mine_type", "commodities"]},
        ),
        ("Where", {"fields": ["location", "footprint"]}),
        ("Operation", {"fields": ["operator", "opened_year", "closed_year"]}),
        (
            "Provenance",
            {
                "fields": [
                    "data_source",
                    "source_record_id",
                    "source_record_key",
                    "source_status",
                    "source_url",
                    "quality_flags",
                ]
            },
        ),
        ("Publication", {"fields": ["is_published", "created_at", "updated_at"]}),
    ]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "license"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "country"]
    list_filter = ["role", "country"]
    search_fields = ["user__username", "user__email"]


@admin.register(ResourceEstimate)
class ResourceEstimateAdmin(SimpleHistoryAdmin):
    list_display = ["site", "commodity", "category", "unfc_class", "tonnage_mt", "effective_date"]
    list_filter = ["category", "reporting_code", "commodity", "site__country"]
    search_fields = ["site__name", "competent_person", "source_report"]
    autocomplete_fields = ["site"]


class CountryScopedAdmin(SimpleHistoryAdmin, GISModelAdmin):
    """Admin for records officers keep per site: the same country rules as the pages.

    Officers see and change records of their countries (drafts only for deletion), reviewers see
    them and may publish; nobody else sees them at all.
    """

    gis_widget = LocalOSMWidget
    gis_widget_kwargs = {"attrs": {"default_lon": 115, "default_lat": 5, "default_zoom": 4}}

    def get_queryset(self, request):
        return super().get_queryset(request).filter(site__country__in=countries_seeing_drafts(request.user))

    def has_module_permission(self, request):
        return bool(countries_seeing_drafts(request.user))

    def has_view_permission(self, request, obj=None):
        countries = countries_seeing_drafts(request.user)
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
        from remediation import services

        services.save_record(obj, by=request.user)

    def delete_model(self, request, obj):
        from remediation import services

        services.delete_record(obj, by=request.user)

    def get_actions(self, request):
        return {}  # bulk deletes would skip the per-record checks


@admin.register(Hazard)
class HazardAdmin(CountryScopedAdmin):
    list_display = ["__str__", "priority", "priority_is_approved", "status", "is_published", "updated_at"]
    list_filter = ["status", "priority", "hazard_type", "is_published", "site__country"]
    search_fields = ["site__name", "notes"]
    raw_id_fields = ["site"]
    exclude = ["priority_approved_by", "priority_approved_at", "priority_is_approved"]
