"""Mapbox vector tiles from PostGIS: tile addresses, the SQL of each tile source, and the tile cache.

Each tile source is one function that returns the tile's bytes (`site_tile`, `layer_tile`) plus a
version token that changes whenever its data changes (`sites_version`, `layer_version`). Views
pass both to `serve_tile`, which answers 304s from the ETag and keeps built tiles in a bounded
cache keyed by the version, so an edit never serves an old tile.

Adding a source (remediation areas; hazards generalised for the public) takes four small pieces:
1. a statement trigger on its table calling `geodata_tile_source_changed('<source>')` (migration
   0005 defines it), so `source_version('<source>')` changes with every write;
2. a `<source>_tile(address, ...) -> bytes` here: ST_AsMVT over ST_AsMVTGeom, small tables
   simplified on the fly with ST_SimplifyPreserveTopology(geom, pixel_size_m(z) / 2); for hazards,
   snap priority-1 points (ST_SnapToGrid(ST_Transform(location, 3857), 1000)) unless the country
   is in the requester's officer countries;
3. a thin view calling `_tile_response` with a key holding everything the tile depends on (the
   address, the filters and who may see what, e.g. the sorted officer countries);
4. a path in tile_urls.py.

Why the sites tiles read a cluster table up to z14: a tile query that groups 1M points still reads
every point (~0.4 s at z3), and pre-generated tiles would have to be rebuilt for every filter
combination. `geodata_sitecluster` holds per-cell counts for zooms 0-14, split by country, status,
commodity and publication, so every filter of the map is answered exactly by summing a few hundred
small rows; database triggers keep it in step with any write to the sites (migration 0005).
Polygons below z12 come from `GeneralisedFeature`: copies simplified once per zoom, with
the features too small to see at that zoom left out, so a low-zoom tile never reads every polygon.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse

from geodata.models import Feature, GeneralisedFeature, Layer, SiteCluster, TileVersion
from sites.models import MineSite

MAX_ZOOM = 22
EXTENT = 4096  # tile coordinate units per side
BUFFER = 64  # units drawn beyond the edge so symbols and strokes are not cut at tile seams
CLUSTER_MAX_ZOOM = 14  # up to here sites come from the cluster table; above, one feature per site
CELLS_PER_TILE_SIDE = 16  # must match the grid of migration 0005
# One generalised copy per zoom up to 11 (each copy only holds what is at least a pixel at its zoom, so
# the low-zoom copies are small); from z12 features are read as stored.
GENERALISED_BANDS = tuple(range(12))
DENSEST_CELL_PIXELS = 4  # in a generalised copy, at most one feature per 4 x 4 pixels
WEB_MERCATOR_WORLD_M = 40075016.685578488
TILE_PIXELS = 256
SITES_LAYER = "sites"
FEATURES_LAYER = "features"
CONTENT_TYPE = "application/vnd.mapbox-vector-tile"

_DIGITS = re.compile(r"\d{1,9}")


class TileError(ValidationError):
    """A tile request that cannot be answered as asked (bad address or filter); its message says why."""


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: str, x: str, y: str) -> "TileAddress":
        """Check z/x/y from the URL: whole numbers, z at most 22, x and y inside the 2^z grid."""
        if not all(_DIGITS.fullmatch(part) for part in (z, x, y)):
            raise TileError("Tile coordinates must be whole numbers that are not negative.")
        address = cls(int(z), int(x), int(y))
        if address.z > MAX_ZOOM:
            raise TileError(f"Zoom must be between 0 and {MAX_ZOOM}.")
        if address.x >= 2**address.z or address.y >= 2**address.z:
            raise TileError(f"At zoom {address.z}, x and y must be below {2**address.z}.")
        return address

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"


@dataclass(frozen=True)
class Tile:
    body: bytes
    etag: str


def url_template(name: str, *args) -> str:
    """A tile URL with literal {z}/{x}/{y} for Leaflet (reverse() would percent-encode the braces)."""
    return (
        reverse(name, args=[*args, "__z__", "__x__", "__y__"])
        .replace("__z__", "{z}")
        .replace("__x__", "{x}")
        .replace("__y__", "{y}")
    )


# --- versions: what keys the cache and the ETags ------------------------------------------------


def source_version(source: str) -> str:
    """A source's data token, changed by a database trigger on every write to the source's table."""
    # Plain SQL: this runs on every tile request, and the ORM's query building costs more than the query.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TileVersion._meta.db_table} WHERE source = %s", [source])
        row = cursor.fetchone()
    return row[0] if row else "empty"


def sites_version() -> str:
    return source_version(SITES_LAYER)


def layer_version(layer: Layer) -> str:
    """Features only change through an ingest, which also saves the layer, so updated_at is enough."""
    return f"{layer.pk}-{layer.updated_at.timestamp()}"


# --- the cache --------------------------------------------------------------------------------


def serve_tile(*, source: str, version: str, key: str, build: Callable[[], bytes]) -> Tile:
    """The tile from the cache, or built and cached when small enough; its ETag hashes version and key."""
    etag = tile_etag(source=source, version=version, key=key)
    cache = caches[settings.TILE_CACHE_ALIAS]
    cache_key = f"tile:{etag}"
    body = cache.get(cache_key)
    if body is None:
        body = build()
        if len(body) <= settings.TILE_CACHE_MAX_TILE_BYTES:
            cache.set(cache_key, body)
    return Tile(body=body, etag=etag)


def tile_etag(*, source: str, version: str, key: str) -> str:
    return hashlib.blake2b(f"{source}|{version}|{key}".encode(), digest_size=16).hexdigest()


# --- sites ------------------------------------------------------------------------------------


def site_tile(address: TileAddress, *, country="", status="", commodity="", include_drafts=False) -> bytes:
    """Sites in one tile: clusters with counts up to z14, then one feature per site (id, status)."""
    if address.z <= CLUSTER_MAX_ZOOM:
        sql, params = _site_cluster_sql(address, country, status, commodity, include_drafts)
    else:
        sql, params = _site_point_sql(address, country, status, commodity, include_drafts)
    return _fetch_tile(sql, params)


def _site_cluster_sql(address, country, status, commodity, include_drafts):
    conditions = ["zoom = %(z)s", "commodity = %(commodity)s", "cx BETWEEN %(cx0)s AND %(cx1)s"]
    conditions.append("cy BETWEEN %(cy0)s AND %(cy1)s")
    conditions += _site_filter_conditions(country, status, include_drafts)
    params = {
        **_site_filter_params(address, country, status),
        "commodity": commodity,
        "cx0": address.x * CELLS_PER_TILE_SIDE,
        "cx1": address.x * CELLS_PER_TILE_SIDE + CELLS_PER_TILE_SIDE - 1,
        "cy0": address.y * CELLS_PER_TILE_SIDE,
        "cy1": address.y * CELLS_PER_TILE_SIDE + CELLS_PER_TILE_SIDE - 1,
    }
    # The centroid of a cell is the mean of its sites; a cell of one site carries that site's id and status.
    sql = f"""
        WITH cells AS (
            SELECT sum(n) AS n, sum(sum_x) AS sx, sum(sum_y) AS sy, sum(sum_id) AS sid, max(status) AS status
            FROM {SiteCluster._meta.db_table}
            WHERE {" AND ".join(conditions)}
            GROUP BY cx, cy
        )
        SELECT ST_AsMVT(tile, '{SITES_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT n::int AS count,
                   (CASE WHEN n = 1 THEN sid END)::bigint AS id,
                   CASE WHEN n = 1 THEN status END AS status,
                   ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(sx / n, sy / n), 3857),
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM cells WHERE n > 0
        ) AS tile"""
    return sql, params


def _site_point_sql(address, country, status, commodity, include_drafts):
    conditions = ["location && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)"]
    conditions += _site_filter_conditions(country, status, include_drafts)
    if commodity:
        conditions.append("commodities @> ARRAY[%(commodity)s]::varchar[]")
    params = {**_site_filter_params(address, country, status), "commodity": commodity, "margin": BUFFER / EXTENT}
    sql = f"""
        SELECT ST_AsMVT(tile, '{SITES_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT 1 AS count, id, status,
                   ST_AsMVTGeom(ST_Transform(location, 3857),
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM {MineSite._meta.db_table}
            WHERE {" AND ".join(conditions)}
        ) AS tile"""
    return sql, params


def _site_filter_conditions(country, status, include_drafts) -> list[str]:
    conditions = [] if include_drafts else ["is_published"]
    if country:
        conditions.append("country = %(country)s")
    if status:
        conditions.append("status = %(status)s")
    return conditions


def _site_filter_params(address, country, status) -> dict:
    return {"z": address.z, "x": address.x, "y": address.y, "country": country, "status": status}


def site_count(*, country="", status="", commodity="", include_drafts=False) -> int:
    """How many sites match the map's filters, from the one-cell zoom-0 rows instead of counting the sites."""
    rows = SiteCluster.objects.filter(zoom=0, commodity=commodity)
    if not include_drafts:
        rows = rows.filter(is_published=True)
    if country:
        rows = rows.filter(country=country)
    if status:
        rows = rows.filter(status=status)
    return rows.aggregate(total=Sum("n"))["total"] or 0


# --- survey layers ----------------------------------------------------------------------------


def generalised_band(z: int) -> int | None:
    """The generalised copy that serves zoom z, or None when features are read as stored."""
    return next((band for band in GENERALISED_BANDS if z <= band), None)


def layer_tile(layer: Layer, address: TileAddress, *, attribute: str = "") -> bytes:
    """A layer's features in one tile: `fid` (for identify) and, when asked, one attribute as `value`."""
    return _fetch_tile(*layer_tile_sql(layer, address, attribute=attribute))


def layer_tile_sql(layer: Layer, address: TileAddress, *, attribute: str = "") -> tuple[str, dict]:
    band = generalised_band(address.z)
    params = {"z": address.z, "x": address.x, "y": address.y, "layer": layer.pk, "attribute": attribute}
    params["margin"] = BUFFER / EXTENT
    value = "feature.properties ->> %(attribute)s" if attribute else "NULL::text"
    if band is None:
        source = f"""
            SELECT feature.id AS fid, {value} AS value, ST_Transform(feature.geom, 3857) AS geom
            FROM {Feature._meta.db_table} AS feature
            WHERE feature.layer_id = %(layer)s::bigint
              AND feature.geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)"""
    else:
        params["band"] = band
        # A lookup per feature drawn, not a join: the planner would otherwise read every feature of the layer.
        if attribute:
            value = f"(SELECT properties ->> %(attribute)s FROM {Feature._meta.db_table} WHERE id = copy.feature_id)"
        source = f"""
            SELECT copy.feature_id AS fid, {value} AS value, copy.geom
            FROM {GeneralisedFeature._meta.db_table} AS copy
            WHERE copy.layer_id = %(layer)s::bigint AND copy.band = %(band)s::smallint
              AND copy.geom && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s)"""
    sql = f"""
        SELECT ST_AsMVT(tile, '{FEATURES_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT fid, value,
                   ST_AsMVTGeom(source.geom, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM ({source}) AS source
        ) AS tile WHERE geom IS NOT NULL"""
    return sql, params


def pixel_size_m(z: int) -> float:
    return WEB_MERCATOR_WORLD_M / (TILE_PIXELS * 2**z)


@transaction.atomic
def refresh_generalised_features(layer: Layer) -> None:
    """Rebuild the layer's simplified low-zoom copies; called whenever its features are replaced.

    Each copy simplifies to half a pixel of its zoom and leaves out polygons and lines whose
    bounding box is under one pixel there, which would draw nothing. Where features crowd, it
    keeps the largest one per square of DENSEST_CELL_PIXELS (by its centre), as tippecanoe's
    drop-densest-as-needed does, so a tile holds at most (256 / 4)^2 = 4,096 of them.
    """
    GeneralisedFeature.objects.filter(layer=layer).delete()
    table = GeneralisedFeature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMPORARY TABLE projected_features ON COMMIT DROP AS
                SELECT id, ST_Transform(geom, 3857) AS geom FROM {Feature._meta.db_table} WHERE layer_id = %s""",
            [layer.pk],
        )
        for band in GENERALISED_BANDS:
            pixel = pixel_size_m(band)
            cursor.execute(
                f"""INSERT INTO {table} (layer_id, feature_id, band, geom)
                    SELECT DISTINCT ON (cell_x, cell_y) %(layer)s, id, %(band)s,
                           CASE WHEN GeometryType(geom) LIKE '%%POINT' THEN geom
                                ELSE ST_SimplifyPreserveTopology(geom, %(tolerance)s) END
                    FROM (
                        SELECT id, geom, greatest(ST_XMax(geom) - ST_XMin(geom), ST_YMax(geom) - ST_YMin(geom)) AS size,
                               floor((ST_XMin(geom) + ST_XMax(geom)) / 2 / %(cell)s) AS cell_x,
                               floor((ST_YMin(geom) + ST_YMax(geom)) / 2 / %(cell)s) AS cell_y
                        FROM projected_features
                    ) AS measured
                    WHERE GeometryType(geom) LIKE '%%POINT' OR size >= %(pixel)s
                    ORDER BY cell_x, cell_y, size DESC, id""",
                {
                    "layer": layer.pk,
                    "band": band,
                    "tolerance": pixel / 2,
                    "pixel": pixel,
                    "cell": pixel * DENSEST_CELL_PIXELS,
                },
            )
        cursor.execute("DROP TABLE projected_features")


# --- shared -----------------------------------------------------------------------------------


def _fetch_tile(sql: str, params: dict) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
