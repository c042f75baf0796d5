"""Read paths for survey layers: visibility, GeoJSON of small layers, and the map's reference overlays."""

import json

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse

from access.visibility import visible
from geodata.import_report import stage_label
from geodata.maps import CATEGORY_PALETTE, Overlay
from geodata.models import Feature, Layer, LayerStatus

# Overlays drawn on the public map, by the slug of the layer the demo ships, with their style.
REFERENCE_OVERLAYS = [
    ("asean-country-outlines", "#3f5a7a", 1.0, 0.03),
    ("gem-active-faults", "#b2182b", 1.5, 0.0),
    ("mining-areas", "#7b3294", 1.5, 0.3),
]
# Above this many features a layer is too big to send as one GeoJSON document.
GEOJSON_FEATURE_LIMIT = 10_000


def visible_layers(user) -> QuerySet[Layer]:
    """The layers `user` may see (access.visibility): published ones, and the drafts of their countries.

    Staged changes (a new file waiting to become a layer's data, geodata/versions.py) are no layers of their own.
    """
    return visible(Layer.objects.layers(), user)


def reference_overlays(*, show: bool = True) -> list[Overlay]:
    layers = {
        layer.slug: layer for layer in Layer.objects.published().filter(slug__in=[s for s, *_ in REFERENCE_OVERLAYS])
    }
    return [
        Overlay(layers[slug].title, reverse("geodata:geojson", args=[layers[slug].pk]), colour, weight, fill, show)
        for slug, colour, weight, fill in REFERENCE_OVERLAYS
        if slug in layers
    ]


def layer_geojson(layer: Layer) -> bytes:
    """The layer as one GeoJSON FeatureCollection, built inside PostGIS, properties in the file's field order."""
    table = Feature._meta.db_table
    # json (unlike jsonb) keeps the order its keys are added in; fields outside the schema go last.
    ordered_properties = """(SELECT coalesce(json_object_agg(key, value ORDER BY
                                 coalesce(array_position(%(fields)s::text[], key), 2147483647), key), '{}'::json)
                             FROM jsonb_each(properties))"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                    json_build_object('type', 'Feature', 'id', source_index,
                                      'geometry', ST_AsGeoJSON(geom, 6)::json, 'properties', {ordered_properties})
                    ORDER BY source_index), '[]'::json))::text
                FROM {table} WHERE layer_id = %(layer)s""",
            {"layer": layer.pk, "fields": [field["name"] for field in layer.field_schema]},
        )
        return cursor.fetchone()[0].encode()


def layer_attribute(layer: Layer, name: str) -> str:
    """A field of the layer chosen for styling, checked against its schema ("" for none)."""
    if name and name not in {field["name"] for field in layer.field_schema}:
        raise ValidationError(f"Layer {layer.pk} has no attribute {name!r}.")
    return name


def layer_categories(layer: Layer, attribute: str) -> list[tuple[str, str]]:
    """The attribute's most frequent values with a colour each, for the map and its legend (cached per version)."""
    key = f"layer-categories:{layer.pk}:{layer.updated_at.timestamp()}:{attribute}"
    values = cache.get(key)
    if values is None:
        rows = (
            Feature.objects.filter(layer=layer)
            .annotate(value=KeyTextTransform(attribute, "properties"))
            .exclude(value=None)
            .values("value")
            .annotate(count=Count("id"))
            .order_by("-count", "value")[: len(CATEGORY_PALETTE)]
        )
        values = [row["value"] for row in rows]
        cache.set(key, values, 3600)
    return list(zip(values, CATEGORY_PALETTE, strict=False))


def describe_too_big(layer: Layer) -> bytes:
    return json.dumps(
        {
            "error": f"Layer {layer.pk} has {layer.feature_count} features, more than {GEOJSON_FEATURE_LIMIT} "
            "can be sent as one GeoJSON document; use the vector tiles or the paginated API."
        }
    ).encode()


def filtered_layers(layers: QuerySet[Layer], *, q="", country="", theme="", agency="") -> QuerySet[Layer]:
    if q:
        layers = layers.filter(Q(title__icontains=q) | Q(abstract__icontains=q) | Q(keywords__icontains=q))
    if country:
        layers = layers.filter(country=country)
    if theme:
        layers = layers.filter(theme=theme)
    if agency:
        layers = layers.filter(agency__icontains=agency)
    return layers


def layer_features_page(layer: Layer, page_number, per_page: int = 50):
    """A page of the attribute table, in the file's order."""
    features = Feature.objects.filter(layer=layer).only("source_index", "properties").order_by("source_index")
    return Paginator(features, per_page).get_page(page_number)


def attribute_rows(layer: Layer, features) -> list[tuple[int, list]]:
    """Each feature's number in the file and its values in the order of the layer's fields (None where it lacks one).

    Stored as jsonb, properties come back in jsonb's own key order (shortest first), not the file's.
    """
    names = [field["name"] for field in layer.field_schema]
    return [(feature.source_index, [feature.properties.get(name) for name in names]) for feature in features]


def in_field_order(layer: Layer, properties: dict) -> dict:
    """A feature's properties with the layer's fields first, in the file's order, then any others."""
    ordered = {field["name"]: properties[field["name"]] for field in layer.field_schema if field["name"] in properties}
    return ordered | {name: value for name, value in properties.items() if name not in ordered}


def layer_progress(layer: Layer) -> dict:
    return {
        "id": layer.pk,
        "status": layer.status,
        "status_label": str(layer.get_status_display()),
        "stage": layer.progress_stage,
        "stage_label": stage_label(layer.progress_stage),
        "percent": layer.progress_percent,
        "feature_count": layer.feature_count,
        "error": (layer.report or {}).get("error", ""),
        "finished": layer.status not in (LayerStatus.QUEUED, LayerStatus.PROCESSING),
    }
