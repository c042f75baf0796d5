"""The registry of OGC API collections: those the apps contribute, then each published survey layer.

Apps register a function that makes their collection (`register_collection`) from their
AppConfig.ready(): sites its sites, remediation its hazards and treated areas.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min, QuerySet
from django.utils.translation import gettext

from geodata.models import Feature, Layer
from geodata.queries import in_field_order

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class Collection:
    """How one collection reads its features; everything else (paging, links, formats) is shared."""

    id: str
    title: str
    description: str
    # The rows a user may see, and how a row becomes GeoJSON properties.
    rows: Callable[[object], QuerySet]
    properties: Callable[[object], dict]
    geometry_field: str
    id_field: str = "pk"
    # The field `datetime` filters on; None when the features carry no time. With an end field too,
    # a feature's time is the interval between them, still open while the end is empty.
    datetime_field: str | None = None
    datetime_end_field: str | None = None
    license: str = ""
    attribution: str = ""
    keywords: list[str] = field(default_factory=list)
    # A stored extent, when there is one, saves scanning every geometry.
    stored_extent: tuple[float, float, float, float] | None = None
    # When the geometry shown is computed (a generalised hazard), the stored column its spatial index
    # covers and how far, in degrees, the shown geometry may lie from the stored one: a bbox search
    # narrows on the index first, then tests what is shown.
    indexed_geometry: tuple[str, float] | None = None

    def spatial_extent(self, user) -> list[float] | None:
        if self.stored_extent:
            return list(self.stored_extent)
        box = self.rows(user).aggregate(box=Extent(self.geometry_field))["box"]
        return list(box) if box else None

    def temporal_extent(self, user) -> list[str | None] | None:
        if not self.datetime_field:
            return None
        end_field = self.datetime_end_field or self.datetime_field
        span = self.rows(user).aggregate(start=Min(self.datetime_field), end=Max(end_field))
        return [value.isoformat() if value else None for value in (span["start"], span["end"])]


def layer_collection(layer: Layer) -> Collection:
    return Collection(
        id=f"layer-{layer.pk}",
        title=layer.title,
        description=layer.abstract
        or (
            gettext("Survey layer from %(agency)s.") % {"agency": layer.agency}
            if layer.agency
            else gettext("Survey layer from a geological survey.")
        ),
        rows=lambda user: Feature.objects.filter(layer_id=layer.pk).order_by("source_index"),
        properties=lambda feature: in_field_order(layer, feature.properties),
        geometry_field="geom",
        id_field="source_index",
        license=layer.license,
        attribution=layer.attribution,
        keywords=list(layer.keywords),
        stored_extent=layer.extent.extent if layer.extent else None,
    )


def as_number(value) -> float | None:
    return float(value) if value is not None else None


def as_date(value) -> str | None:
    return value.isoformat() if value is not None else None


# One function per kind of record published as a collection, in the order the apps registered them.
FIXED_COLLECTIONS: list[Callable[[], Collection]] = []
LAYER_PREFIX = "layer-"


def register_collection(make: Callable[[], Collection]) -> None:
    """Add an app's collection (a function that makes it, so its rows are read per request)."""
    if make not in FIXED_COLLECTIONS:
        FIXED_COLLECTIONS.append(make)


def all_collections() -> list[Collection]:
    """Every collection: the fixed ones, then each published survey layer."""
    layers = Layer.objects.published().order_by("pk")
    return [make() for make in FIXED_COLLECTIONS] + [layer_collection(layer) for layer in layers]


def find_collection(collection_id: str) -> Collection | None:
    for make in FIXED_COLLECTIONS:
        collection = make()
        if collection.id == collection_id:
            return collection
    number = collection_id.removeprefix(LAYER_PREFIX)
    if collection_id.startswith(LAYER_PREFIX) and number.isdigit():
        layer = Layer.objects.published().filter(pk=int(number)).first()
        return layer_collection(layer) if layer else None
    return None
