"""Admin for sites and data sources, with local map widgets and the change history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from access import proposals
from access.models import Role
from access.publishing import publish
from access.roles import countries_with_role, may_upload_survey
from geodata.geometry import GeometryProblem, checked_lonlat_geometry
from geodata.widgets import LocalOSMWidget
from sites import services
from sites.admin_areas import typed_admin_area_problem
from sites.forms import LOCAL_NAME_FIELDS, LocalNamesForm
from sites.models import Commodity, Currency, DataSource, MineSite, ResourceEstimate
from sites.tenure import TENURE_FIELDS


class MineSiteForm(LocalNamesForm, forms.ModelForm):
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
            "admin_area_override_reason",
            "status",
            "mine_type",
            "commodities",
            "location",
            "footprint",
            "operator",
            "opened_year",
            "closed_year",
            *TENURE_FIELDS,
            "data_source",
            "source_record_id",
            "source_status",
            "source_url",
        ]
        widgets = {"assurance_currency": forms.Select(choices=[("", "—"), *Currency.choices])}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out, a vocabulary with a default ("unknown") takes it, as in the API and the imports.
        for name in ("licence_type", "responsible_party_kind"):
            if name in self.fields:  # a reader without the right to change gets no fields
                self.fields[name].required = False

    def clean_licence_type(self):
        return self.cleaned_data["licence_type"] or MineSite._meta.get_field("licence_type").default

    def clean_responsible_party_kind(self):
        return self.cleaned_data["responsible_party_kind"] or MineSite._meta.get_field("responsible_party_kind").default

    def clean(self):
        """A typed admin area where the boundary layers name another needs its reason (sites.admin_areas)."""
        cleaned = super().clean()
        if "admin_area" in self.changed_data and cleaned.get("location") is not None:
            problem = typed_admin_area_problem(
                country=cleaned.get("country") or "",
                location=cleaned["location"],
                admin_area=cleaned.get("admin_area") or "",
                reason=cleaned.get("admin_area_override_reason") or "",
            )
            if problem:
                self.add_error("admin_area", problem)
        return cleaned

    # The one check for geometry people draw or type (geodata.geometry), as on the pages and the API.
    def clean_location(self):
        return _checked(self, "location", ("Point",))

    def clean_footprint(self):
        return _checked(self, "footprint", ("MultiPolygon",))


def _checked(form, name: str, allowed_types: tuple[str, ...]):
    geometry = form.cleaned_data.get(name)
    if geometry is None:
        return geometry
    try:
        return checked_lonlat_geometry(geometry, allowed_types=allowed_types)
    except GeometryProblem as problem:
        raise forms.ValidationError(str(problem)) from None


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
    list_filter = [
        "is_published",
        "country",
        "status",
        "mine_type",
        "licence_type",
        "responsible_party_kind",
        "data_source",
    ]
    # As the public list searches, so the same indexes answer at a million sites: parts of names and
    # operators (trigram indexes), whole source record ids (an index on their upper case).
    search_fields = ["name", "operator", "=source_record_id"]
    show_full_result_count = False  # one count of every site fewer per page
    # Publication goes through the publish service (the actions below, the pages, the API), never the form.
    readonly_fields = ["source_record_key", "quality_flags", "is_published", "created_by", "created_at", "updated_at"]
    actions = ["publish_selected", "withdraw_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "alternative_names",
                    "country",
                    "admin_area",
                    "admin_area_override_reason",
                    "status",
                    "mine_type",
                    "commodities",
                ]
            },
        ),
        (_("Names in other languages"), {"fields": LOCAL_NAME_FIELDS}),
        (_("Where"), {"fields": ["location", "footprint"]}),
        (_("Operation"), {"fields": ["operator", "opened_year", "closed_year"]}),
        (_("Tenure and liability"), {"fields": list(TENURE_FIELDS)}),
        (
            _("Provenance"),
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
        (_("Publication"), {"fields": ["is_published", "created_by", "created_at", "updated_at"]}),
    ]

    # Who may record and change a site is the services' rule (survey uploaders of its country); staff
    # without that role read the admin's pages only.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and bool(countries_with_role(request.user, Role.SURVEY_UPLOADER))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed and bool(countries_with_role(request.user, Role.SURVEY_UPLOADER))
        return allowed and may_upload_survey(request.user, obj.country)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            try:
                site = services.update_site(site=MineSite.objects.get(pk=obj.pk), by=request.user, data=data)
            except proposals.ProposalRefused as refusal:
                self.message_user(request, " ".join(refusal.messages), level=messages.ERROR)
                return
            held = getattr(site, "held_change", None)
            if held is not None:
                self.message_user(request, proposals.waits_message(held))
        else:
            form.instance = services.create_site(by=request.user, data=data)
            obj.pk = form.instance.pk

    def save_formset(self, request, form, formset, change):
        """Estimates are recorded through the same service as on the site page."""
        estimates = formset.save(commit=False)
        for estimate in estimates:
            estimate.site = form.instance
            held = getattr(services.save_estimate(estimate=estimate, by=request.user), "held_change", None)
            if held is not None:
                self.message_user(request, proposals.waits_message(held))
        for estimate in formset.deleted_objects:
            services.delete_estimate(estimate=estimate, by=request.user)

    @admin.action(description=_("Publish the selected sites (reviewers of their countries)"))
    def publish_selected(self, request, queryset):
        self._publish(request, queryset, published=True)

    @admin.action(description=_("Withdraw the selected sites to drafts (reviewers of their countries)"))
    def withdraw_selected(self, request, queryset):
        self._publish(request, queryset, published=False)

    def _publish(self, request, queryset, *, published: bool):
        done, refused = 0, 0
        for site in queryset:
            try:
                publish(site, by=request.user, published=published)
                done += 1
            except PermissionDenied:
                refused += 1
        self.message_user(
            request,
            gettext("%(done)s sites changed; %(refused)s refused (not a reviewer of their country).")
            % {"done": done, "refused": refused},
        )


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher", "license"]


@admin.register(ResourceEstimate)
class ResourceEstimateAdmin(SimpleHistoryAdmin):
    list_display = ["site", "commodity", "category", "unfc_class", "tonnage_mt", "effective_date"]
    list_filter = ["category", "reporting_code", "commodity", "site__country"]
    search_fields = ["site__name", "competent_person", "source_report"]
    autocomplete_fields = ["site"]
    readonly_fields = ["is_published"]

    def save_model(self, request, obj, form, change):
        """Through the same service as the site page: drafts for uploaders, changes to published ones held."""
        try:
            held = getattr(services.save_estimate(estimate=obj, by=request.user), "held_change", None)
        except proposals.ProposalRefused as refusal:
            self.message_user(request, " ".join(refusal.messages), level=messages.ERROR)
            return
        if held is not None:
            self.message_user(request, proposals.waits_message(held))

    def delete_model(self, request, obj):
        services.delete_estimate(estimate=obj, by=request.user)
