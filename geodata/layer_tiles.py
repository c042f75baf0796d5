"""The survey layers' vector tiles, and the generalised copies that serve their low zooms.

A layer tile's subject is the layer itself, found among the layers the requester may see, with its
`updated_at` (`layer_subject`), so a hidden layer has no tiles. Polygons below z12 come from
`GeneralisedFeature`: copies simplified once per zoom, with the features too small to see at that
zoom left out, so a low-zoom tile never reads every polygon. The ingest writes them with the
features (geodata/generalise.py holds their rule).
"""

import functools

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from geodata.models import Feature, GeneralisedFeature, LayerStatus
from geodata.queries import visible_layers
from geodata.tiles import (
    BUFFER,
    EXTENT,
    FEATURES_LAYER,
    TileAddress,
    generalised_band,
    inline_sql,
)


def visible_layers_sql(user) -> str:
    """`queries.visible_layers(user)` as SQL text, for a layer tile's subject.

    The public's rule has no parameters, so its SQL is compiled once: building the queryset would
    cost more than the look-up it runs, on every tile.
    """
    if user and user.is_authenticated:
        return _layer_subject_columns(visible_layers(user))
    return _public_layers_sql()


@functools.cache
def _public_layers_sql() -> str:
    return _layer_subject_columns(visible_layers(AnonymousUser()))


def _layer_subject_columns(layers: QuerySet) -> str:
    return inline_sql(layers.order_by().values("id", "updated_at", "is_published", "status", "field_schema"))


def layer_subject(layers_sql: str, layer_id: int, attribute: str = "") -> tuple[str, dict]:
    """A layer tile's subject: the layer if it is among `layers_sql` and has the attribute asked for.

    The version is the layer's `updated_at` (features only change through an ingest, which saves the
    layer); the one fact is whether strangers may see it (published and ready).
    """
    sql = f"""
        SELECT layer.id::text || '-' || extract(epoch FROM layer.updated_at)::text AS version,
               layer.is_published AND layer.status = %(subject_ready)s AS is_public
        FROM ({layers_sql}) AS layer
        WHERE layer.id = %(subject_layer)s
          AND (%(subject_attribute)s = ''
               OR layer.field_schema @> jsonb_build_array(jsonb_build_object('name', %(subject_attribute)s::text)))"""
    return sql, {"subject_layer": layer_id, "subject_attribute": attribute, "subject_ready": LayerStatus.READY.value}


def layer_tile_sql(layer_id: int, address: TileAddress, *, attribute: str = "") -> tuple[str, dict]:
    """A layer's features in one tile: `fid` (for identify) and, when asked, one attribute as `value`.

    The `fid` is also each feature's MVT id; PostGIS takes the `feature_id` column for it and leaves
    it out of the properties, so `fid` stays a property too.
    """
    band = generalised_band(address.z)
    params = {"z": address.z, "x": address.x, "y": address.y, "layer": layer_id, "attribute": attribute}
    params["margin"] = BUFFER / EXTENT
    value = "feature.properties ->> %(attribute)s" if attribute else "NULL::text"
    as_stored = f"""
        SELECT feature.id AS fid, {value} AS value, ST_Transform(feature.geom, 3857) AS geom
        FROM {Feature._meta.db_table} AS feature
        WHERE feature.layer_id = %(layer)s::bigint
          AND feature.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)"""
    if band is None:
        source = as_stored
    else:
        params["band"] = band
        # A lookup per feature drawn, not a join: the planner would otherwise read every feature of the layer.
        if attribute:
            value = f"(SELECT properties ->> %(attribute)s FROM {Feature._meta.db_table} WHERE id = copy.feature_id)"
        copies = f"""
            SELECT copy.feature_id AS fid, {value} AS value, copy.geom
            FROM {GeneralisedFeature._meta.db_table} AS copy
            WHERE copy.layer_id = %(layer)s::bigint
              AND copy.band <= %(band)s::smallint AND copy.last_band >= %(band)s::smallint
              AND copy.geom && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s)"""
        # A layer sparse at this zoom has no copies for it (generalise.plan): read its features as stored.
        # The test does not depend on the row, so PostgreSQL runs it once and skips the branch it rules out.
        has_copies = f"""EXISTS (SELECT FROM {GeneralisedFeature._meta.db_table}
                                 WHERE layer_id = %(layer)s::bigint AND last_band >= %(band)s::smallint)"""
        source = f"{copies}\n        UNION ALL{as_stored}\n          AND NOT {has_copies}"
    sql = f"""
        SELECT ST_AsMVT(tile, '{FEATURES_LAYER}', {EXTENT}, 'geom', 'feature_id') FROM (
            SELECT fid, fid AS feature_id, value,
                   ST_AsMVTGeom(source.geom, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM ({source}) AS source
        ) AS tile WHERE geom IS NOT NULL"""
    return sql, params
