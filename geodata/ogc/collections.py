"""The registry of OGC API collections: sites, each published survey layer, and what plugs in later."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.db.models import Extent
from django.db.models import Max, Min, QuerySet

from geodata.models import Feature, Layer

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
    # The field `datetime` filters on; None when the features carry no time.
    datetime_field: str | None = None
    license: str = ""
    attribution: str = ""
    keywords: list[str] = field(default_factory=list)
    # A stored extent, when there is one, saves scanning every geometry.
    stored_extent: tuple[float, float, float, float] | None = None

    def spatial_extent(self, user) -> list[float] | None:
        if self.stored_extent:
            return list(self.stored_extent)
        box = self.rows(user).aggregate(box=Extent(self.geometry_field))["box"]
        return list(box) if box else None

    def temporal_extent(self, user) -> list[str | None] | None:
        if not self.datetime_field:
            return None
        span = self.rows(user).aggregate(start=Min(self.datetime_field), end=Max(self.datetime_field))
        return [value.isoformat() if value else None for value in (span["start"], span["end"])]


def _site_properties(site) -> dict:
    return {
        "name": site.name,
        "country": site.country,
        "admin_area": site.admin_area,
        "status": site.status,
        "mine_type": site.mine_type,
        "commodities": ", ".join(site.commodities),
        "operator": site.operator,
        "opened_year": site.opened_year,
        "closed_year": site.closed_year,
        "source_record_id": site.source_record_id,
        "updated_at": site.updated_at.isoformat(),
    }


def sites_collection() -> Collection:
    from sites.queries import visible_sites

    return Collection(
        id="sites",
        title="Mine sites",
        description="Mine sites of the ASEAN states and Timor-Leste: status, commodities, operator.",
        rows=lambda user: visible_sites(user).order_by("pk"),
        properties=_site_properties,
        geometry_field="location",
        datetime_field="updated_at",
        keywords=["mining", "mine sites"],
    )


def layer_collection(layer: Layer) -> Collection:
    return Collection(
        id=f"layer-{layer.pk}",
        title=layer.title,
        description=layer.abstract or f"Survey layer from {layer.agency or 'a geological survey'}.",
        rows=lambda user: Feature.objects.filter(layer_id=layer.pk).order_by("source_index"),
        properties=lambda feature: feature.properties,
        geometry_field="geom",
        id_field="source_index",
        license=layer.license,
        attribution=layer.attribution,
        keywords=list(layer.keywords),
        stored_extent=layer.extent.extent if layer.extent else None,
    )


# One entry per kind of record published as a collection; hazards and remediation areas add theirs here.
FIXED_COLLECTIONS: list[Callable[[], Collection]] = [sites_collection]
LAYER_PREFIX = "layer-"


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
