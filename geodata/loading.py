"""Bulk-load features into PostGIS with COPY: the one write path for layer features."""

import csv
import io
import json
from collections.abc import Sequence

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection, transaction

from geodata import tiles
from geodata.models import Feature, Layer

# Rows are streamed to COPY in chunks so memory stays flat for large layers.
COPY_CHUNK_ROWS = 20_000


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _copy_chunk(cursor, layer_id: int, wkb_hex: Sequence[str], properties: Sequence[dict], indexes: Sequence[int]):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for geom_hex, props, index in zip(wkb_hex, properties, indexes, strict=True):
        writer.writerow((layer_id, geom_hex, json.dumps(props, default=_json_default, ensure_ascii=False), index))
    buffer.seek(0)
    table = Feature._meta.db_table
    cursor.copy_expert(
        f"COPY {table} (layer_id, geom, properties, source_index) FROM STDIN WITH (FORMAT csv)",
        buffer,
    )


@transaction.atomic
def replace_features(
    layer: Layer,
    geometries: np.ndarray,
    properties: Sequence[dict],
    source_indexes: Sequence[int],
) -> None:
    """Replace all features of `layer` with the given EPSG:4326 shapely geometries, in one transaction.

    Updates the layer's feature count, geometry type and extent from what was stored.
    """
    Feature.objects.filter(layer=layer).delete()
    wkb_hex = shapely.to_wkb(shapely.set_srid(geometries, 4326), hex=True, include_srid=True)
    with connection.cursor() as cursor:
        for start in range(0, len(wkb_hex), COPY_CHUNK_ROWS):
            stop = start + COPY_CHUNK_ROWS
            _copy_chunk(cursor, layer.pk, wkb_hex[start:stop], properties[start:stop], source_indexes[start:stop])
    summarise_layer(layer)
    tiles.refresh_generalised_features(layer)


def summarise_layer(layer: Layer) -> None:
    """Set feature count, geometry type(s) and extent from the stored features."""
    table = Feature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*), ST_AsEWKT(ST_Envelope(ST_Extent(geom)::geometry)),
                       string_agg(DISTINCT GeometryType(geom), ',' ORDER BY GeometryType(geom))
                FROM {table} WHERE layer_id = %s""",
            [layer.pk],
        )
        count, extent_ewkt, types = cursor.fetchone()
    layer.feature_count = count
    layer.geometry_type = types or ""
    layer.extent = _extent_polygon(extent_ewkt)
    layer.save(update_fields=["feature_count", "geometry_type", "extent", "updated_at"])


def _extent_polygon(extent_ewkt: str | None):
    if not extent_ewkt:
        return None
    envelope = GEOSGeometry(extent_ewkt)
    if envelope.geom_type != "Polygon":  # a single point or a straight line: pad it into a polygon
        xmin, ymin, xmax, ymax = envelope.extent
        envelope = Polygon.from_bbox((xmin, ymin, xmax + 1e-9, ymax + 1e-9))
        envelope.srid = 4326
    return envelope
