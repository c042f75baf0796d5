"""What officers type: hazards, measures, visits with their readings, and evidence uploads."""

from django import forms
from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.forms.utils import pretty_name
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.models import Country
from geodata.geometry import GeometryProblem, checked_lonlat_geometry
from geodata.widgets import LocalOSMWidget
from remediation.evidence_files import inspect_upload
from remediation.models import (
    Hazard,
    MeasurementUnit,
    MonitoringVisit,
    PairRole,
    Parameter,
    RemediationMeasure,
)
from sites.models import MineSite

HAZARD_GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon")
TREATED_AREA_GEOMETRY_TYPES = ("MultiPolygon",)  # a Polygon is promoted
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GEOMETRY_HELP = _(
    "GeoJSON or WKT in longitude/latitude (WGS 84), e.g. POLYGON((121.50 -2.50, 121.51 -2.50, 121.51 -2.49, "
    "121.50 -2.50))."
)


class GeometryTextField(forms.CharField):
    """A geometry typed or pasted as GeoJSON or WKT: simple to fill in, to test and to copy from a GIS."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def __init__(self, *, geometry_types: tuple[str, ...], **kwargs):
        self.geometry_types = geometry_types  # a Polygon is promoted where only MultiPolygon is listed
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", GEOMETRY_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.geojson if isinstance(value, GEOSGeometry) else value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            geometry = GEOSGeometry(text)
        except (ValueError, TypeError, GEOSException, GDALException):
            raise forms.ValidationError(
                gettext("This is not GeoJSON or WKT that can be read. %(help)s") % {"help": GEOMETRY_HELP}
            ) from None
        try:
            return checked_lonlat_geometry(geometry, allowed_types=self.geometry_types)
        except GeometryProblem as problem:
            raise forms.ValidationError(str(problem)) from None


def _checked_drawing(geometry, geometry_types: tuple[str, ...]):
    """A geometry drawn on the map widget, held to the same rules as a pasted one."""
    if geometry is None:
        return None
    try:
        return checked_lonlat_geometry(geometry, allowed_types=geometry_types)
    except GeometryProblem as problem:
        raise forms.ValidationError(str(problem)) from None


class HazardForm(forms.ModelForm):
    """The location is drawn on a map, or pasted as text (which wins when both are given)."""

    location_text = GeometryTextField(geometry_types=HAZARD_GEOMETRY_TYPES, label=_("…or paste the location"))

    class Meta:
        model = Hazard
        fields = [
            "hazard_type",
            "priority",
            "status",
            "made_safe_on",
            "quantity",
            "quantity_unit",
            "location",
            "estimated_cost_amount",
            "estimated_cost_currency",
            "notes",
        ]
        widgets = {"made_safe_on": DATE, "notes": forms.Textarea(attrs={"rows": 3}), "location": LocalOSMWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = self.instance.site
        self.fields["location"].widget.attrs.update(
            {"default_lon": site.location.x, "default_lat": site.location.y, "default_zoom": 14}
        )
        self.fields["location"].help_text = _("A point or a polygon near the site, drawn on the map.")
        self.order_fields([*self.Meta.fields[: self.Meta.fields.index("location") + 1], "location_text"])

    def clean_location(self):
        return _checked_drawing(self.cleaned_data["location"], HAZARD_GEOMETRY_TYPES)

    def clean(self):
        data = super().clean()
        if data.get("location_text") is not None:
            data["location"] = data["location_text"]
        return data


class MeasureForm(forms.ModelForm):
    """The treated area is drawn on a map, or pasted as text (which wins when both are given)."""

    treated_area_text = GeometryTextField(
        geometry_types=TREATED_AREA_GEOMETRY_TYPES,
        label=_("…or paste the treated area"),
    )

    class Meta:
        model = RemediationMeasure
        fields = [
            "measure_type",
            "stage",
            "hazards",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "responsible_agency",
            "contractor",
            "funding_source",
            "budget_amount",
            "actual_cost_amount",
            "cost_currency",
            "treated_area",
            "description",
            "closure_criteria",
        ]
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "actual_start": DATE,
            "actual_end": DATE,
            "hazards": forms.CheckboxSelectMultiple,
            "treated_area": LocalOSMWidget,
            "description": forms.Textarea(attrs={"rows": 3}),
            "closure_criteria": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = self.instance.site
        self.fields["hazards"].queryset = Hazard.objects.filter(site=site)
        if not self.fields["hazards"].queryset.exists():
            self.fields["hazards"].help_text = _(
                "No hazards are recorded at this site; a measure can also stand alone."
            )
        self.fields["treated_area"].widget.attrs.update(
            {"default_lon": site.location.x, "default_lat": site.location.y, "default_zoom": 14}
        )
        self.fields["treated_area"].help_text = _("Draw the treated polygons on the map.")
        self.order_fields([*self.Meta.fields[: self.Meta.fields.index("treated_area") + 1], "treated_area_text"])

    def clean_treated_area(self):
        return _checked_drawing(self.cleaned_data["treated_area"], TREATED_AREA_GEOMETRY_TYPES)

    def clean(self):
        data = super().clean()
        if data.get("treated_area_text") is not None:
            data["treated_area"] = data["treated_area_text"]
        return data


class VisitForm(forms.ModelForm):
    class Meta:
        model = MonitoringVisit
        fields = ["measure", "visited_on", "next_visit_due", "observations"]
        widgets = {"visited_on": DATE, "next_visit_due": DATE, "observations": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = RemediationMeasure.objects.filter(site=self.instance.site)
        self.fields["measure"].required = False


class MeasurementForm(forms.Form):
    parameter = forms.ChoiceField(choices=[("", "—")] + Parameter.choices, required=False, label=_("Parameter"))
    parameter_detail = forms.CharField(max_length=100, required=False, label=_("Detail"))
    value = forms.DecimalField(max_digits=14, decimal_places=4, required=False, label=_("Value"))
    unit = forms.ChoiceField(choices=[("", "—")] + MeasurementUnit.choices, required=False, label=_("Unit"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rows sit under column headings, so each box is named for screen readers: "Value, reading 2".
        number = (self.prefix or "").rsplit("-", 1)[-1]
        for name, field in self.fields.items():
            label = field.label or pretty_name(name)
            field.widget.attrs["aria-label"] = (
                gettext("%(field)s, reading %(number)s") % {"field": label, "number": int(number) + 1}
                if number.isdigit()
                else label
            )

    def clean(self):
        data = super().clean()
        filled = [name for name in ("parameter", "value", "unit") if data.get(name) not in (None, "")]
        if filled and len(filled) < 3:
            raise forms.ValidationError(_("A reading needs its parameter, value and unit."))
        if data.get("parameter") == Parameter.PH and data.get("value") is not None and not 0 <= data["value"] <= 14:
            self.add_error("value", _("pH lies between 0 and 14."))
        if data.get("parameter") == Parameter.VEGETATION_COVER and data.get("value") is not None:
            if not 0 <= data["value"] <= 100:
                self.add_error("value", _("A cover is a percentage between 0 and 100."))
        return data

    @property
    def is_blank(self) -> bool:
        return not self.cleaned_data.get("parameter")


MeasurementFormSet = forms.formset_factory(MeasurementForm, extra=3, max_num=50, validate_max=True)


class EvidenceForm(forms.Form):
    attached_to = forms.ChoiceField(label=_("Attach to"))
    file = forms.FileField(label=_("File"))
    caption = forms.CharField(max_length=300, label=_("Caption"))
    pair_role = forms.ChoiceField(
        choices=[("", "—")] + PairRole.choices,
        required=False,
        label=_("Before / after"),
        help_text=_("For photo pairs."),
    )

    def __init__(self, *args, site: MineSite, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.records, groups = {}, []
        for prefix, group, records in (
            ("hazard", gettext("Hazards"), site.hazards.all()),
            ("measure", gettext("Remediation measures"), site.measures.all()),
            ("visit", gettext("Monitoring visits"), site.visits.all()),
        ):
            choices = []
            for record in records:
                self.records[f"{prefix}:{record.pk}"] = record
                choices.append((f"{prefix}:{record.pk}", str(record)))
            if choices:
                groups.append((group, choices))
        self.fields["attached_to"].choices = groups
        if not groups:
            nothing = gettext(
                "Nothing to attach to yet: record a hazard, a measure or a monitoring visit at this site first."
            )
            self.fields["attached_to"].help_text = nothing
        limit = filesizeformat(settings.EVIDENCE_MAX_BYTES)  # "500.0 KB", never "0 MB"
        self.fields["file"].help_text = gettext("A photo (JPEG, PNG, WebP) or a PDF document, at most %(limit)s.") % {
            "limit": limit
        }

    def clean_attached_to(self):
        return self.records[self.cleaned_data["attached_to"]]

    def clean_file(self):
        return inspect_upload(self.cleaned_data["file"])

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and data.get("pair_role") and upload.kind != "photo":
            self.add_error("pair_role", _("Only photos make before/after pairs."))
        return data


class ReportForm(forms.Form):
    """The report's country and year, from the URL (?country=ID&year=2025&format=csv)."""

    country = forms.ChoiceField(
        choices=[("", _("All countries"))] + Country.choices, required=False, label=_("Country")
    )
    year = forms.IntegerField(min_value=1900, max_value=2100, required=False, label=_("Year"))
    format = forms.ChoiceField(choices=[("", _("page")), ("csv", "CSV")], required=False, label=_("Format"))
    # Which table the CSV holds: the year's progress (empty) or a section of the overview. Codes, not words.
    table = forms.ChoiceField(
        choices=[("", "progress"), ("sites", "sites"), ("costs", "costs"), ("trend", "trend")],
        required=False,
        label=_("Table"),
    )

    def error_text(self) -> str:
        return "; ".join(
            gettext("%(field)s: %(errors)s") % {"field": self.fields[name].label or name, "errors": " ".join(errors)}
            for name, errors in self.errors.items()
        )
