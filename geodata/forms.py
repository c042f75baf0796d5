"""What uploaders and visitors type about survey layers: the upload form, ingest options, catalogue filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.models import Country
from geodata.models import ChangeKind, Theme
from geodata.services import IngestOptions

ENCODINGS = [
    ("", _("Detect (from .cpg or the file)")),
    ("UTF-8", "UTF-8"),
    ("ISO-8859-1", _("Latin-1 (ISO-8859-1)")),
    ("CP1252", "Windows-1252"),
    ("CP874", _("Thai (Windows-874)")),
    ("CP1258", _("Vietnamese (Windows-1258)")),
    ("BIG5", _("Chinese traditional (Big5)")),
    ("GBK", _("Chinese simplified (GBK)")),
]
UPLOAD_SUFFIXES = (".zip", ".gpkg", ".geojson", ".json", ".kml")
# The layer description the uploader types, in form order.
METADATA_FIELDS = (
    "title",
    "agency",
    "country",
    "theme",
    "abstract",
    "source_date",
    "scale_denominator",
    "license",
    "keywords",
)


class IngestOptionsForm(forms.Form):
    srid = forms.IntegerField(
        required=False,
        min_value=1024,
        max_value=999999,
        label=_("EPSG code"),
        help_text=_("Only needed when the file has no CRS (.prj missing), e.g. 4326 or 32648."),
    )
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False, label=_("Text encoding"))
    layer_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Layer to import"),
        help_text=_("For files holding several layers."),
    )

    def options(self) -> IngestOptions:
        return IngestOptions(
            srid=self.cleaned_data.get("srid"),
            encoding=self.cleaned_data.get("encoding", ""),
            layer_name=self.cleaned_data.get("layer_name", ""),
        )


def checked_upload(upload):
    """An uploaded layer file of a format we read and a size we take."""
    if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
        raise forms.ValidationError(
            gettext(
                "“%(file)s” is not a format we read. Upload a zipped shapefile (.zip), a GeoPackage (.gpkg), "
                "GeoJSON (.geojson/.json) or KML (.kml)."
            )
            % {"file": upload.name}
        )
    if upload.size > settings.LAYER_UPLOAD_MAX_MB * 1024 * 1024:
        raise forms.ValidationError(
            gettext(
                "“%(file)s” is larger than the %(limit)s MB a layer upload may be. Split the data into several layers."
            )
            % {"file": upload.name, "limit": settings.LAYER_UPLOAD_MAX_MB}
        )
    return upload


class LayerUploadForm(IngestOptionsForm):
    file = forms.FileField(label=_("File"), help_text=_("A zipped shapefile, GeoPackage, GeoJSON or KML."))
    title = forms.CharField(max_length=255, label=_("Title"))
    agency = forms.CharField(max_length=200, required=False, label=_("Agency"))
    country = forms.ChoiceField(choices=Country.choices, label=_("Country"))
    theme = forms.ChoiceField(choices=Theme.choices, label=_("Theme"))
    abstract = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Abstract"))
    source_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Source date")
    )
    scale_denominator = forms.IntegerField(required=False, min_value=1, label=_("Scale 1:"))
    license = forms.CharField(max_length=100, required=False, initial="CC BY 4.0", label=_("Licence"))
    keywords = forms.CharField(max_length=500, required=False, label=_("Keywords"), help_text=_("Separated by commas."))

    field_order = ["file", *METADATA_FIELDS, "srid", "encoding", "layer_name"]

    def __init__(self, *args, countries: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [(code, label) for code, label in Country.choices if code in countries]

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])

    def clean_keywords(self) -> list[str]:
        return [word.strip() for word in self.cleaned_data["keywords"].split(",") if word.strip()]

    def metadata(self) -> dict:
        return {name: self.cleaned_data[name] for name in METADATA_FIELDS if self.cleaned_data[name] not in (None, "")}


class LayerFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    country = forms.ChoiceField(
        choices=[("", _("All countries"))] + list(Country.choices), required=False, label=_("Country")
    )
    theme = forms.ChoiceField(choices=[("", _("All themes"))] + list(Theme.choices), required=False, label=_("Theme"))
    agency = forms.CharField(required=False, max_length=200, label=_("Agency"))


class PublishForm(forms.Form):
    is_published = forms.BooleanField(required=False)


class LayerChangeForm(IngestOptionsForm):
    """A new file for an existing layer: its data replaced by the file's, or the file's features added."""

    kind = forms.ChoiceField(
        choices=[(ChangeKind.REPLACE, _("Replace the layer's data")), (ChangeKind.APPEND, _("Add the features"))],
        initial=ChangeKind.REPLACE,
        widget=forms.RadioSelect,
        label=_("What the file does"),
    )
    file = forms.FileField(label=_("File"), help_text=_("A zipped shapefile, GeoPackage, GeoJSON or KML."))

    field_order = ["kind", "file", "srid", "encoding", "layer_name"]

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"])


class BoundaryNamingForm(forms.Form):
    """The layer page's choice of the attribute that names each area ("" unmarks it); geodata.boundaries checks it."""

    boundary_name_field = forms.ChoiceField(required=False, label=_("Attribute naming the area"))

    def __init__(self, *args, layer, **kwargs):
        super().__init__(*args, **kwargs)
        names = [field["name"] for field in layer.field_schema]
        self.fields["boundary_name_field"].choices = [("", _("— not administrative boundaries —"))] + [
            (name, name) for name in names
        ]
        self.fields["boundary_name_field"].initial = layer.boundary_name_field
