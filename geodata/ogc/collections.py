"""The registry of OGC API collections: sites, hazards, remediation areas and each published survey layer."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.db.models import Extent
from django.db.models import BooleanField, ExpressionWrapper, F, Max, Min, QuerySet
from django.db.models.functions import Coalesce

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
        properties=lambda feature: in_field_order(layer, feature.properties),
        geometry_field="geom",
        id_field="source_index",
        license=layer.license,
        attribution=layer.attribution,
        keywords=list(layer.keywords),
        stored_extent=layer.extent.extent if layer.extent else None,
    )


def _hazard_properties(hazard) -> dict:
    # Who recorded or approved a hazard, and its free-text notes, are left out: they may name people.
    return {
        "site_id": hazard.site_id,
        "site_name": hazard.site.name,
        "country": hazard.site.country,
        "hazard_type": hazard.hazard_type,
        "type": str(hazard.get_hazard_type_display()),
        "priority": hazard.priority,
        "priority_label": str(hazard.get_priority_display()),
        "priority_is_approved": hazard.priority_is_approved,
        "status": hazard.status,
        "made_safe_on": _date(hazard.made_safe_on),
        "quantity": _number(hazard.quantity),
        "quantity_unit": hazard.quantity_unit,
        "estimated_cost_amount": _number(hazard.estimated_cost_amount),
        "estimated_cost_currency": hazard.estimated_cost_currency,
        "location_generalised": hazard.is_generalised,
        "updated_at": hazard.updated_at.isoformat(),
    }


def _visible_hazards(user) -> QuerySet:
    """Hazards as the hazard tiles show them: priority 1 at a 1 km grid node outside the reader's countries."""
    from remediation.queries import visible
    from sites.models import Hazard
    from sites.permissions import countries_seeing_exact_hazards
    from sites.sensitive import is_generalised, shown_location

    exact_countries = countries_seeing_exact_hazards(user)
    hazards = visible(Hazard.objects.select_related("site"), user)
    return hazards.annotate(
        shown_location=shown_location(exact_countries),
        is_generalised=ExpressionWrapper(is_generalised(exact_countries), output_field=BooleanField()),
    )


def hazards_collection() -> Collection:
    return Collection(
        id="hazards",
        title="Hazards",
        description="Hazards recorded at mine sites (open shafts, acid drainage...) with their priority and status. "
        "Priority-1 hazards are placed at a point within about 1 km, except for officers of their country.",
        rows=_visible_hazards,
        properties=_hazard_properties,
        geometry_field="shown_location",
        datetime_field="updated_at",
        keywords=["mining", "hazards", "abandoned mines"],
        # A snapped point lies at most half a grid cell's diagonal (707 Web Mercator metres, under
        # 0.0064 degrees) from the centroid, and the centroid within the stored shape's box.
        indexed_geometry=("location", 0.01),
    )


def _measure_properties(measure) -> dict:
    # No names of people: officers who signed off are in the site page, for members of its country.
    return {
        "site_id": measure.site_id,
        "site_name": measure.site.name,
        "country": measure.site.country,
        "measure_type": measure.measure_type,
        "type": str(measure.get_measure_type_display()),
        "stage": measure.stage,
        "stage_label": str(measure.get_stage_display()),
        "progress": measure.stage_progress,
        "treated_area_ha": _number(measure.treated_area_ha),
        "planned_start": _date(measure.planned_start),
        "planned_end": _date(measure.planned_end),
        "actual_start": _date(measure.actual_start),
        "actual_end": _date(measure.actual_end),
        "responsible_agency": measure.responsible_agency,
        "funding_source": measure.funding_source,
        "is_signed_off": measure.is_signed_off,
        "updated_at": measure.updated_at.isoformat(),
    }


def _visible_treated_areas(user) -> QuerySet:
    from remediation.models import RemediationMeasure
    from remediation.queries import visible

    measures = RemediationMeasure.objects.filter(treated_area__isnull=False).select_related("site")
    # The works' dates when there are any, else the plan's: what the measure's time on a map means.
    return visible(measures, user).annotate(
        works_start=Coalesce(F("actual_start"), F("planned_start")),
        works_end=Coalesce(F("actual_end"), F("planned_end")),
    )


def remediation_areas_collection() -> Collection:
    return Collection(
        id="remediation-areas",
        title="Remediation areas",
        description="Areas treated (or to be treated) by remediation measures: type, stage, progress, area "
        "and dates (the works' dates, else the planned ones).",
        rows=_visible_treated_areas,
        properties=_measure_properties,
        geometry_field="treated_area",
        datetime_field="works_start",
        datetime_end_field="works_end",
        keywords=["mining", "remediation", "rehabilitation"],
    )


def _number(value) -> float | None:
    return float(value) if value is not None else None


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


# One entry per kind of record published as a collection.
FIXED_COLLECTIONS: list[Callable[[], Collection]] = [sites_collection, hazards_collection, remediation_areas_collection]
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
