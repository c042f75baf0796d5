"""Survey layers (action plan IH2) and their features, stored in EPSG:4326."""

import uuid
from pathlib import Path

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord, Country


class Theme(models.TextChoices):
    GEOLOGICAL_UNITS = "geological_units", _("Geological units")
    FAULTS = "faults", _("Faults / structures")
    MINERAL_OCCURRENCES = "mineral_occurrences", _("Mineral occurrences")
    GEOCHEMISTRY = "geochemistry", _("Geochemistry")
    GEOPHYSICS = "geophysics", _("Geophysics")
    HYDROLOGY = "hydrology", _("Hydrology")
    BOUNDARIES = "boundaries", _("Boundaries")
    OTHER = "other", _("Other")


class LayerStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    NEEDS_CRS = "needs_crs", _("Needs a coordinate reference system")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def upload_location(layer: "Layer", filename: str) -> str:
    """Uploads are stored under a generated name; the original name is only kept for display."""
    suffix = "".join(Path(filename).suffixes[-2:]).lower()
    safe_suffix = suffix if all(part[1:].isalnum() for part in Path(filename).suffixes[-2:]) else ""
    return f"uploads/{uuid.uuid4().hex}{safe_suffix}"


class ChangeKind(models.TextChoices):
    """How a file changes a layer's data: its first import, a replacement, or features added to it."""

    FIRST = "first", _("First import")
    REPLACE = "replace", _("Replacement")
    APPEND = "append", _("Appended features")


class LayerQuerySet(models.QuerySet):
    def published(self):
        return self.filter(self.model.published_condition())

    def layers(self):
        """Layers proper, without the staged changes waiting to become another layer's data."""
        return self.filter(staged_for__isnull=True)


class Layer(AuditedRecord):
    """A survey layer of one country (geological units, faults, occurrences...) and what its ingest made of it."""

    title = models.CharField(max_length=255, verbose_name=_("title"))
    slug = models.SlugField(
        max_length=80, blank=True, help_text=_("A stable name for layers the registry ships."), verbose_name=_("slug")
    )
    agency = models.CharField(max_length=200, blank=True, verbose_name=_("agency"))
    country = models.CharField(max_length=2, choices=Country.choices, blank=True, verbose_name=_("country"))
    theme = models.CharField(max_length=32, choices=Theme.choices, default=Theme.OTHER, verbose_name=_("theme"))
    abstract = models.TextField(blank=True, verbose_name=_("abstract"))
    source_date = models.DateField(null=True, blank=True, verbose_name=_("source date"))
    scale_denominator = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("scale denominator"))
    license = models.CharField(max_length=100, blank=True, verbose_name=_("license"))
    attribution = models.TextField(blank=True, verbose_name=_("attribution"))
    keywords = ArrayField(models.CharField(max_length=60), default=list, blank=True, verbose_name=_("keywords"))
    # Set by the uploader to mark the layer as its country's administrative boundaries: the attribute that
    # names each area. Other apps read such layers (geodata.boundaries); empty for every other layer.
    boundary_name_field = models.CharField(
        _("attribute naming the area"),
        max_length=100,
        blank=True,
        help_text=_("Marks the layer as administrative boundaries; the attribute that holds each area's name."),
    )

    # Derived by the ingest.
    geometry_type = models.CharField(max_length=40, blank=True, verbose_name=_("geometry type"))
    source_crs = models.TextField(
        blank=True, help_text=_("EPSG code (EPSG:32648) or WKT of the uploaded file."), verbose_name=_("source crs")
    )
    encoding = models.CharField(max_length=40, blank=True, verbose_name=_("encoding"))
    feature_count = models.PositiveIntegerField(default=0, verbose_name=_("feature count"))
    extent = models.PolygonField(srid=4326, null=True, blank=True, verbose_name=_("extent"))
    field_schema = models.JSONField(default=list, blank=True, verbose_name=_("field schema"))
    status = models.CharField(
        max_length=16, choices=LayerStatus.choices, default=LayerStatus.QUEUED, verbose_name=_("status")
    )
    progress_stage = models.CharField(max_length=80, blank=True, verbose_name=_("progress stage"))
    progress_percent = models.PositiveSmallIntegerField(default=0, verbose_name=_("progress percent"))
    report = models.JSONField(default=dict, blank=True, verbose_name=_("report"))

    upload_file = models.FileField(upload_to=upload_location, blank=True, max_length=200, verbose_name=_("upload file"))
    upload_name = models.CharField(
        max_length=255, blank=True, help_text=_("The file's name as uploaded."), verbose_name=_("upload name")
    )

    # A staged change: this row holds a new file's import for another layer until it becomes that layer's
    # data (geodata/versions.py). Staged rows are no layer of their own: no page, catalogue or API lists them.
    staged_for = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="staged_changes", editable=False
    )
    staged_change = models.CharField(max_length=8, choices=ChangeKind.choices, blank=True, editable=False)

    # Progress is saved every few seconds of an import: the history keeps what the layer is, not each step.
    history = HistoricalRecords(excluded_fields=[*AuditedRecord.UNTRACKED_FIELDS, "progress_stage", "progress_percent"])
    objects = LayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey layer")
        verbose_name_plural = _("survey layers")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=~models.Q(slug=""), name="unique_layer_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def published_condition(cls):
        """A layer is public once published and imported (a failed re-import hides it again).

        A staged change (a new file waiting to become a layer's data) never is.
        """
        return models.Q(is_published=True, status=LayerStatus.READY, staged_for__isnull=True)

    def check_publishable(self) -> None:
        if self.status != LayerStatus.READY:
            raise ValidationError("Only a layer that imported successfully can be published.")


class Feature(models.Model):
    """One feature of a layer. Loaded in bulk by the ingest; never edited one by one."""

    # No database constraint: checking it row by row would cost a bulk load more than its writing; the
    # loader is the only writer, and deleting a layer deletes its features through Django. No index of its
    # own either: the (layer, source_index) and (layer, geom) indexes below start with it.
    layer = models.ForeignKey(
        Layer,
        on_delete=models.CASCADE,
        related_name="features",
        db_constraint=False,
        db_index=False,
        verbose_name=_("layer"),
    )
    geom = models.GeometryField(srid=4326, spatial_index=False, verbose_name=_("geom"))
    properties = models.JSONField(default=dict, verbose_name=_("properties"))
    source_index = models.PositiveIntegerField(
        help_text=_("Position of the feature in the uploaded file."), verbose_name=_("source index")
    )

    class Meta:
        ordering = ["layer", "source_index"]
        indexes = [
            # (layer, geom) in one GiST index keeps a bbox query inside one layer fast at millions of rows.
            GistIndex(fields=["layer", "geom"], name="feature_layer_geom_gist"),
            models.Index(fields=["layer", "source_index"], name="feature_layer_source_index"),
        ]


class TileVersion(models.Model):
    """A token that changes whenever a tile source's data changes; it keys the tile cache and ETags.

    For sites a database trigger sets it (see the tile-cluster migration), so every writer counts.
    """

    source = models.CharField(max_length=40, primary_key=True, verbose_name=_("source"))
    token = models.CharField(max_length=64, verbose_name=_("token"))

    def __str__(self) -> str:
        return f"{self.source} @ {self.token}"


class GeneralisedFeature(models.Model):
    """A layer's feature simplified for a run of low zooms, in EPSG:3857 (geodata/generalise.py has the rule)."""

    # As for features: no constraint, and its index is the first column of the GiST index below.
    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False, verbose_name=_("layer")
    )
    feature_id = models.BigIntegerField(verbose_name=_("feature id"))
    band = models.SmallIntegerField(help_text=_("The lowest zoom this copy serves."), verbose_name=_("band"))
    last_band = models.SmallIntegerField(help_text=_("The highest zoom this copy serves."), verbose_name=_("last band"))
    geom = models.GeometryField(srid=3857, spatial_index=False, verbose_name=_("geom"))

    class Meta:
        indexes = [GistIndex(fields=["layer", "band", "last_band", "geom"], name="generalised_layer_bands_geom")]


class LayerVersion(models.Model):
    """One successful import that became a layer's data: its file and what the import made of it.

    Cheap by design: the features of earlier versions are not kept (a layer holds one set of
    features); the stored upload is, so an earlier version can be downloaded and imported again.
    An append is a version of its own whose file holds only the added features; its counts are the
    layer's after the append. A layer imported before versions existed gets its first version
    written, from what it holds, when it is first replaced or appended to.
    """

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=ChangeKind.choices, default=ChangeKind.FIRST)
    stored_file = models.FileField(upload_to=upload_location, blank=True, max_length=200)
    file_name = models.CharField(max_length=255, blank=True)
    feature_count = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=list, blank=True)
    extent = models.PolygonField(srid=4326, null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["layer", "-number"]
        constraints = [models.UniqueConstraint(fields=["layer", "number"], name="unique_layer_version_number")]

    def __str__(self) -> str:
        return f"{self.layer_id} v{self.number}"
