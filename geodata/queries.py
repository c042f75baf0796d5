"""Read paths for survey layers: visibility, GeoJSON of small layers, and the map's reference overlays."""

import json

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from geodata.maps import Overlay
from geodata.models import Feature, Layer

# Overlays drawn on the public map, by the slug of the layer the demo ships, with their style.
REFERENCE_OVERLAYS = [
    ("asean-country-outlines", "#3f5a7a", 1.0, 0.03),
    ("gem-active-faults", "#b2182b", 1.5, 0.0),
    ("mining-areas", "#7b3294", 1.5, 0.3),
]
# Above this many features a layer is too big to send as one GeoJSON document.
GEOJSON_FEATURE_LIMIT = 10_000


def visible_layers(user) -> QuerySet[Layer]:
    if user and user.is_authenticated and (user.is_staff or user.has_perm("geodata.view_layer")):
        return Layer.objects.all()
    return Layer.objects.published()


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
    """The layer as one GeoJSON FeatureCollection, built inside PostGIS."""
    table = Feature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                    json_build_object('type', 'Feature', 'id', source_index,
                                      'geometry', ST_AsGeoJSON(geom, 6)::json, 'properties', properties)
                    ORDER BY source_index), '[]'::json))::text
                FROM {table} WHERE layer_id = %s""",
            [layer.pk],
        )
        return cursor.fetchone()[0].encode()


def describe_too_big(layer: Layer) -> bytes:
    return json.dumps(
        {
            "error": f"Layer {layer.pk} has {layer.feature_count} features, more than {GEOJSON_FEATURE_LIMIT} "
            "can be sent as one GeoJSON document; use the vector tiles or the paginated API."
        }
    ).encode()
