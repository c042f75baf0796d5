"""Validation of what people type: the site filters used by the map and the list."""

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.models import Country
from sites.contributions import colourings
from sites.local_names import MAX_LENGTH, cleaned_local_names, language_codes
from sites.models import Commodity, QualityFlag, SiteStatus
from sites.tenure import TENURE_FILTERS, LicenceType, ResponsiblePartyKind


def _optional(choices, label, everything):
    return forms.ChoiceField(choices=[("", everything)] + list(choices), required=False, label=label)


class SiteFilterForm(forms.Form):
    """Filters that live in the URL (?country=ID&status=active&commodity=coal&q=adaro)."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"), strip=True)
    country = _optional(Country.choices, _("Countries"), _("All countries"))
    status = _optional(SiteStatus.choices, _("Statuses"), _("All statuses"))
    commodity = _optional(Commodity.choices, _("Commodities"), _("All commodities"))
    flag = _optional(QualityFlag.choices, _("Quality flags"), _("All quality flags"))
    responsible_party_kind = forms.ChoiceField(
        choices=[("", _("Any responsible party"))] + list(ResponsiblePartyKind.choices),
        required=False,
        label=_("Responsible party"),
    )
    licence_type = forms.ChoiceField(
        choices=[("", _("Any licence"))] + list(LicenceType.choices), required=False, label=_("Mining licence")
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
            field.error_messages["invalid_choice"] = _("“%(value)s” is not a known value for this filter.")

    def filters(self) -> dict:
        """The cleaned filters, empty ones included, ready for queries.filtered_sites."""
        names = (
            "country",
            "status",
            "commodity",
            "flag",
            "q",
            *(name for name in TENURE_FILTERS if name in self.fields),
        )
        return {name: self.cleaned_data.get(name, "") for name in names}

    def active_filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value}

    def error_text(self) -> str:
        return "; ".join(
            gettext("%(field)s: %(errors)s") % {"field": self.fields[name].label, "errors": " ".join(errors)}
            for name, errors in self.errors.items()
        )


class MapOptionsForm(SiteFilterForm):
    """The public map's filters plus how to colour the sites (?colour=remediation), all kept in the URL."""

    colour = forms.ChoiceField(choices=[("", _("Site status"))], required=False, label=_("Colour by"))

    def __init__(self, data=None):
        super().__init__(data, with_search=False, with_tenure=False)
        del self.fields["flag"]  # the map's tiles are counted without the flags
        # The other colourings are contributed by the apps above sites (sites.contributions).
        self.fields["colour"].choices = [("", _("Site status"))] + [(each.name, each.label) for each in colourings()]
        self.fields["colour"].error_messages["invalid_choice"] = _("“%(value)s” is not a way to colour the sites.")

    def site_filters(self) -> dict:
        """The active filters that select sites (the colour does not)."""
        return {name: value for name, value in self.active_filters().items() if name != "colour"}


class SiteInventoryForm(forms.Form):
    """Upload of a mine-site inventory by a survey uploader (the same options as `manage.py import_sites`)."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("A zipped shapefile, GeoPackage, GeoJSON, KML, or CSV with longitude/latitude columns."),
    )
    source = forms.CharField(
        max_length=200,
        required=False,
        label=_("Source"),
        help_text=_("The inventory's name; importing again under the same name updates the sites it created."),
    )
    column_map = forms.CharField(
        required=False,
        label=_("Columns"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "name=NAMA\ncountry=NEGARA"}),
        help_text=_("Only where our guess is wrong: one FIELD=COLUMN per line."),
    )
    srid = forms.IntegerField(
        required=False, min_value=1, label=_("EPSG code"), help_text=_("Only if the file has no CRS.")
    )
    encoding = forms.CharField(
        required=False,
        max_length=40,
        label=_("Encoding"),
        help_text=_("Only if names come out garbled, e.g. CP1252."),
    )

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

    as_of = forms.DateField(required=False, label=_("As of"), input_formats=["%Y-%m-%d"])

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        if value and value > datetime.date.today():
            raise forms.ValidationError(_("The date must not be in the future."))
        return value

    def end_of_day(self) -> datetime.datetime:
        return datetime.datetime.combine(self.cleaned_data["as_of"], datetime.time.max, tzinfo=datetime.UTC)

    def error_text(self) -> str:
        errors = " ".join(" ".join(errors) for errors in self.errors.values())
        return gettext("As of: %(errors)s Use a date as YYYY-MM-DD.") % {"errors": errors}


class LocalNamesForm(forms.Form):
    """A site's names in the registry's languages, one text field each (name_th, name_km, …), kept as `local_names`.

    Mixed into the site's model form: the fields start from the site's names, and what they hold is cleaned into
    one `local_names` value, reported as one changed field, as the site services take it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = getattr(getattr(self, "instance", None), "local_names", None) or {}
        for code in language_codes():
            self.initial.setdefault(f"name_{code}", names.get(code, ""))

    def clean(self):
        cleaned = super().clean()
        cleaned["local_names"] = cleaned_local_names(
            {code: cleaned.get(f"name_{code}", "") for code in language_codes()}
        )
        return cleaned

    @property
    def changed_data(self):
        changed = super().changed_data
        other = [name for name in changed if name not in LOCAL_NAME_FIELDS]
        return other + ["local_names"] if len(other) < len(changed) else other


LOCAL_NAME_FIELDS = [f"name_{code}" for code in language_codes()]
for _code, _language in settings.LANGUAGES:  # declared here, so the admin's fieldsets may name them
    LocalNamesForm.base_fields[f"name_{_code}"] = LocalNamesForm.declared_fields[f"name_{_code}"] = forms.CharField(
        label=_language, required=False, max_length=MAX_LENGTH
    )
