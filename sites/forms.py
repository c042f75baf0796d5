"""Validation of what people type: the site filters used by the map and the list."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Country
from sites.contributions import colourings
from sites.models import Commodity, SiteStatus
from sites.tenure import TENURE_FILTERS, LicenceType, ResponsiblePartyKind


def _optional(choices, label):
    return forms.ChoiceField(choices=[("", f"All {label}")] + list(choices), required=False, label=label.capitalize())


class SiteFilterForm(forms.Form):
    """Filters that live in the URL (?country=ID&status=active&commodity=coal&q=adaro)."""

    q = forms.CharField(required=False, max_length=100, label="Search", strip=True)
    country = _optional(Country.choices, "countries")
    status = _optional(SiteStatus.choices, "statuses")
    commodity = _optional(Commodity.choices, "commodities")
    responsible_party_kind = forms.ChoiceField(
        choices=[("", _("Any responsible party"))] + list(ResponsiblePartyKind.choices),
        required=False,
        label=_("Responsible party"),
    )
    licence_type = forms.ChoiceField(
        choices=[("", _("Any licence"))] + list(LicenceType.choices), required=False, label=_("Licence")
    )
    # "true" in the URL, as the API and the downloads take it.
    licence_expired = forms.BooleanField(
        required=False, label=_("Licence expired"), widget=forms.CheckboxInput(attrs={"value": "true"})
    )

    def __init__(self, data=None, *, with_search: bool = True, with_tenure: bool = True):
        super().__init__(data)
        if not with_search:
            del self.fields["q"]
        if not with_tenure:
            for name in TENURE_FILTERS:
                del self.fields[name]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "“%(value)s” is not a known value for this filter."

    def filters(self) -> dict:
        """The cleaned filters, empty ones included, ready for queries.filtered_sites."""
        names = ("country", "status", "commodity", "q", *(name for name in TENURE_FILTERS if name in self.fields))
        return {name: self.cleaned_data.get(name, "") for name in names}

    def active_filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value}

    def error_text(self) -> str:
        return "; ".join(f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items())


class MapOptionsForm(SiteFilterForm):
    """The public map's filters plus how to colour the sites (?colour=remediation), all kept in the URL."""

    colour = forms.ChoiceField(choices=[("", "Site status")], required=False, label="Colour by")

    def __init__(self, data=None):
        super().__init__(data, with_search=False, with_tenure=False)
        # The other colourings are contributed by the apps above sites (sites.contributions).
        self.fields["colour"].choices = [("", "Site status")] + [(each.name, each.label) for each in colourings()]
        self.fields["colour"].error_messages["invalid_choice"] = "“%(value)s” is not a way to colour the sites."

    def site_filters(self) -> dict:
        """The active filters that select sites (the colour does not)."""
        return {name: value for name, value in self.active_filters().items() if name != "colour"}


class SiteInventoryForm(forms.Form):
    """Upload of a mine-site inventory by a survey uploader (the same options as `manage.py import_sites`)."""

    file = forms.FileField(
        help_text="A zipped shapefile, GeoPackage, GeoJSON, KML, or CSV with longitude/latitude columns."
    )
    source = forms.CharField(
        max_length=200,
        required=False,
        help_text="The inventory's name; importing again under the same name updates the sites it created.",
    )
    column_map = forms.CharField(
        required=False,
        label="Columns",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "name=NAMA\ncountry=NEGARA"}),
        help_text="Only where our guess is wrong: one FIELD=COLUMN per line.",
    )
    srid = forms.IntegerField(required=False, min_value=1, label="EPSG code", help_text="Only if the file has no CRS.")
    encoding = forms.CharField(required=False, max_length=40, help_text="Only if names come out garbled, e.g. CP1252.")

    def options(self) -> dict:
        """What the import needs besides the file, as start_inventory_import takes them."""
        return {
            "source_name": self.cleaned_data["source"],
            "column_map": self.cleaned_data["column_map"],
            "srid": self.cleaned_data["srid"],
            "encoding": self.cleaned_data["encoding"],
        }

    def clean_column_map(self) -> dict[str, str]:
        from geodata.errors import IngestError
        from sites.site_columns import parse_map_options

        lines = [line.strip() for line in self.cleaned_data["column_map"].splitlines() if line.strip()]
        try:
            return parse_map_options(lines)
        except IngestError as error:
            raise forms.ValidationError(error.messages) from None


class ResourceEstimateForm(forms.ModelForm):
    class Meta:
        from sites.models import ResourceEstimate

        model = ResourceEstimate
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
            "source_url",
        ]
        widgets = {"effective_date": forms.DateInput(attrs={"type": "date"})}


class AsOfForm(forms.Form):
    """A past date for the site page's "as of" view (?as_of=2025-06-30)."""

    as_of = forms.DateField(required=False, label="As of", input_formats=["%Y-%m-%d"])

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        if value and value > datetime.date.today():
            raise forms.ValidationError("The date must not be in the future.")
        return value

    def end_of_day(self) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["as_of"], datetime.time.max, tzinfo=datetime.UTC)

    def error_text(self) -> str:
        return "As of: " + " ".join(" ".join(errors) for errors in self.errors.values()) + " Use a date as YYYY-MM-DD."
