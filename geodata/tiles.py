"""Mapbox vector tiles from PostGIS: tile addresses, the SQL of each tile source, and the tile cache.

Each tile source is one function that returns the tile's SQL (`site_tile_sql`, `layer_tile_sql`,
`remediation_tile_sql`, `hazard_tile_sql`). A view wraps it in a `TileRequest` with a key naming
everything the bytes depend on and a subject: the row the tile is drawn from, whose first column is
the data version. For tables kept by triggers that is their `TileVersion` tokens (`source_versions`);
for a survey layer it is the layer itself, found among the layers the requester may see, with its
`updated_at` (`layer_subject`), so a hidden layer has no tiles. `serve_tile` reads the subject and
builds the tile only when no copy is current, in one round trip; it answers 304s from the ETag and
keeps built tiles in a bounded cache next to their version, so an edit never serves an old tile.

Adding a source takes four small pieces (remediation areas and hazards are the examples):
1. a statement trigger on its table calling `geodata_tile_source_changed('<source>')` (migration
   0005 defines it, 0007 adds the measures' and hazards' triggers), so the source's token
   changes with every write; a tile that also depends on sites (publication, country) names both
   in `source_versions(...)`;
2. a `<source>_tile_sql(address, ...) -> (sql, params)` here: ST_AsMVT over ST_AsMVTGeom. Small
   tables take a queryset already narrowed to what the requester may see (so tiles and pages share
   one visibility rule), filtered on `lonlat_envelope(address)` and inlined by `_inline_sql`; shapes are simplified
   on the fly (`_drawn_shape`: half a pixel, a point when under two pixels) and thinned below z12
   (`_thinned`: one feature per 4 x 4 pixels, decided on box centres before reprojecting);
3. a thin view calling `_tile_response` with a `TileRequest` whose key holds everything the tile
   depends on (the source, the address, the filters and who sees what: the sorted draft countries,
   for hazards also the sorted countries seen exactly), and `is_public` false whenever the tile
   carries anything a stranger may not see;
4. a path in tile_urls.py.

Hazards: a priority-1 hazard (open shaft, adit...) of a country outside the requester's
`countries_seeing_exact_hazards` is drawn at the node of a 1 km grid in EPSG:3857 nearest its
centre (ST_SnapToGrid(ST_Centroid(...), 1000)), and the identify endpoint uses the same expression
(`hazard_location`). Tiles search a kilometre beyond their edges and keep what the snapped point
puts inside, so which tile shows a hazard gives away nothing finer than the grid.

Why the sites tiles read a cluster table up to z14: a tile query that groups 1M points still reads
every point (~0.4 s at z3), and pre-generated tiles would have to be rebuilt for every filter
combination. `geodata_sitecluster` holds per-cell counts for zooms 0-14, split by country, status,
commodity and publication, so every filter of the map is answered exactly by summing a few hundred
small rows; database triggers keep it in step with any write to the sites (migration 0005).
Polygons below z12 come from `GeneralisedFeature`: copies simplified once per zoom, with
the features too small to see at that zoom left out, so a low-zoom tile never reads every polygon.
"""

import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Polygon
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.urls import reverse

from geodata.models import Feature, GeneralisedFeature, Layer, LayerStatus, SiteCluster, TileVersion
from geodata.queries import visible_layers
from remediation.models import RemediationMeasure
from remediation.queries import site_progress_sql
from sites.models import Hazard, MineSite

MAX_ZOOM = 22
LARGEST_ID = 2**63 - 1  # ids are bigint: a larger one in a tile statement would be an SQL error, not a 404
EXTENT = 4096  # tile coordinate units per side
BUFFER = 64  # units drawn beyond the edge so symbols and strokes are not cut at tile seams
CLUSTER_MAX_ZOOM = 14  # up to here sites come from the cluster table; above, one feature per site
CELLS_PER_TILE_SIDE = 16  # must match the grid of migration 0005
# A cluster's circle is up to 44 px wide: tiles merge 4 x 4 stored cells into one of 64 px, so that
# neighbouring clusters do not pile on top of each other (Leaflet.markercluster gathers within 80 px).
CELLS_PER_CLUSTER_SIDE = 4
# One generalised copy per zoom up to 11 (each copy only holds what is at least a pixel at its zoom, so
# the low-zoom copies are small); from z12 features are read as stored.
GENERALISED_BANDS = tuple(range(12))
DENSEST_CELL_PIXELS = 4  # in a generalised copy, at most one feature per 4 x 4 pixels
WEB_MERCATOR_WORLD_M = 40075016.685578488
TILE_PIXELS = 256
SITES_LAYER = "sites"
FEATURES_LAYER = "features"
REMEDIATION_LAYER = "remediation"
HAZARDS_LAYER = "hazards"
# Priority-1 hazards (open shafts...) are shown to the public only to the nearest node of a 1 km grid.
HAZARD_SNAP_M = 1000
SMALL_SHAPE_PIXELS = 2  # a polygon less than this across is drawn as a point on it, so it stays visible
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


def url_template(name: str, *args) -> str:
    """A tile URL with literal {z}/{x}/{y} for Leaflet (reverse() would percent-encode the braces)."""
    return (
        reverse(name, args=[*args, "__z__", "__x__", "__y__"])
        .replace("__z__", "{z}")
        .replace("__x__", "{x}")
        .replace("__y__", "{y}")
    )


# --- versions, the cache and ETags: one database round trip per tile ---------------------------


@dataclass(frozen=True)
class TileRequest:
    """Everything one tile's bytes depend on, and how to build them.

    `key` names the tile and every input that changes its bytes (address, filters, who sees what);
    `query` is the tile's SQL and parameters. `subject` is the SQL of the one row the tile is drawn
    from: its first column is the data version, the others are handed back with the tile, and no row
    means this requester has no such tile. `source_versions` and `layer_subject` build it.
    """

    key: str
    query: tuple[str, dict]
    subject: tuple[str, dict]


@dataclass(frozen=True)
class Tile:
    """A tile answer: `body` is None when the requester's copy (its ETag) is still current.

    `facts` are the subject's columns after the version (for a layer: whether strangers may see it).
    """

    body: bytes | None
    etag: str
    facts: tuple = ()


def source_versions(*sources: str) -> tuple[str, dict]:
    """The subject of a tile drawn from tables kept by triggers: their tokens joined, 'empty' for one never written."""
    params, tokens = {}, []
    for number, source in enumerate(sources):
        params[f"tile_source_{number}"] = source
        tokens.append(
            f"coalesce((SELECT token FROM {TileVersion._meta.db_table} "
            f"WHERE source = %(tile_source_{number})s), 'empty')"
        )
    joined = " || '|' || ".join(tokens)
    return f"SELECT {joined} AS version", params


def serve_tile(tile: TileRequest, *, if_none_match: str | None = None) -> Tile | None:
    """The tile for `tile`, from the requester's copy, the bounded cache or the database; None if it has none.

    One database round trip either way: when a copy is held (the requester's ETag or the cache),
    a tiny query reads the subject's version; when none is, the subject and the tile come from one
    statement, so a fresh tile costs little more than its own SQL.
    """
    key_hash = hashlib.blake2b(tile.key.encode(), digest_size=12).hexdigest()
    cache = caches[settings.TILE_CACHE_ALIAS]
    cached = cache.get(f"tile:{key_hash}")  # (version, body)
    client_version = _version_in_etag(if_none_match, key_hash)
    known = [version for version in (client_version, cached and cached[0]) if version]
    if known:
        subject = _fetch_subject(tile.subject)
        body = None if subject is None or subject[0] in known else _fetch_tile(*tile.query)
    else:
        subject, body = _fetch_subject_and_tile(tile)
    if subject is None:
        return None
    version, facts = subject[0], tuple(subject[1:])
    etag = f"{key_hash}.{version}"
    if version == client_version:
        return Tile(body=None, etag=etag, facts=facts)
    if body is None:  # the cached copy is current
        return Tile(body=cached[1], etag=etag, facts=facts)
    # Built after the version was read, a tile is never older than the version it is kept under.
    if len(body) <= settings.TILE_CACHE_MAX_TILE_BYTES:
        cache.set(f"tile:{key_hash}", (version, body))
    return Tile(body=body, etag=etag, facts=facts)


def _version_in_etag(if_none_match: str | None, key_hash: str) -> str | None:
    """The data version a requester's ETag was made from, when the ETag is for this very tile."""
    if not if_none_match:
        return None
    tag = if_none_match.strip().removeprefix("W/").strip('"')
    tile_hash, _, version = tag.partition(".")
    return version if tile_hash == key_hash and version else None


def _fetch_subject(subject: tuple[str, dict]) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(*subject)
        return cursor.fetchone()


def _fetch_subject_and_tile(tile: TileRequest) -> tuple[tuple | None, bytes | None]:
    """The subject row and the tile in one statement; the tile is built only when the row exists."""
    (subject_sql, subject_params), (tile_sql, tile_params) = tile.subject, tile.query
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT subject.*, coalesce(({tile_sql}), ''::bytea) FROM ({subject_sql}) AS subject",
            {**tile_params, **subject_params},
        )
        row = cursor.fetchone()
    return (None, None) if row is None else (row[:-1], bytes(row[-1]))


# --- sites ------------------------------------------------------------------------------------


def site_tile_sql(
    address: TileAddress,
    *,
    country="",
    status="",
    commodity="",
    include_drafts=False,
    progress_countries: list[str] | None = None,
) -> tuple[str, dict]:
    """Sites in one tile: clusters with counts up to z14, then one feature per site (id, status).

    With `progress_countries` (the countries whose draft measures the requester sees; [] for the
    public), every single site also carries `remediation`, its RemediationProgress. Clusters stay
    neutral: a dominant category would hide the sites that differ, and it would need the measures of
    every clustered site. A lone site's category is one indexed look-up, so tiles stay fast.
    """
    if address.z <= CLUSTER_MAX_ZOOM:
        return _site_cluster_sql(address, country, status, commodity, include_drafts, progress_countries)
    return _site_point_sql(address, country, status, commodity, include_drafts, progress_countries)


def _progress_column(site_id_sql: str, progress_countries, params: dict, *, when: str = "true") -> str:
    if progress_countries is None:
        return ""
    params["progress_countries"] = sorted(progress_countries)
    return f", CASE WHEN {when} THEN ({site_progress_sql(site_id_sql, 'progress_countries')}) END AS remediation"


def _site_cluster_sql(address, country, status, commodity, include_drafts, progress_countries=None):
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
    progress = _progress_column("sid::bigint", progress_countries, params, when="n = 1")
    # The centroid of a cluster is the mean of its sites; a cluster of one site carries that site's id and status.
    sql = f"""
        WITH cells AS (
            SELECT sum(n) AS n, sum(sum_x) AS sx, sum(sum_y) AS sy, sum(sum_id) AS sid, max(status) AS status
            FROM {SiteCluster._meta.db_table}
            WHERE {" AND ".join(conditions)}
            GROUP BY cx / {CELLS_PER_CLUSTER_SIDE}, cy / {CELLS_PER_CLUSTER_SIDE}
        )
        SELECT ST_AsMVT(tile, '{SITES_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT n::int AS count,
                   (CASE WHEN n = 1 THEN sid END)::bigint AS id,
                   CASE WHEN n = 1 THEN status END AS status{progress},
                   ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(sx / n, sy / n), 3857),
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM cells WHERE n > 0
        ) AS tile"""
    return sql, params


def _site_point_sql(address, country, status, commodity, include_drafts, progress_countries=None):
    conditions = ["location && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)"]
    conditions += _site_filter_conditions(country, status, include_drafts)
    if commodity:
        conditions.append("commodities @> ARRAY[%(commodity)s]::varchar[]")
    params = {**_site_filter_params(address, country, status), "commodity": commodity, "margin": BUFFER / EXTENT}
    progress = _progress_column(f"{MineSite._meta.db_table}.id", progress_countries, params)
    sql = f"""
        SELECT ST_AsMVT(tile, '{SITES_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT 1 AS count, id, status{progress},
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
    return _inline_sql(layers.order_by().values("id", "updated_at", "is_published", "status", "field_schema"))


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
    """A layer's features in one tile: `fid` (for identify) and, when asked, one attribute as `value`."""
    band = generalised_band(address.z)
    params = {"z": address.z, "x": address.x, "y": address.y, "layer": layer_id, "attribute": attribute}
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


# --- remediation areas and hazards -------------------------------------------------------------
# Both read querysets already narrowed to what the requester may see (remediation.queries.visible),
# so the tiles follow the same rules as the site page. The tables are small (thousands of rows), so
# shapes are simplified on the fly; below z12 one feature per 4 x 4 pixels keeps low-zoom tiles small.
# The CTEs are MATERIALIZED: inlined, PostgreSQL would reproject each shape once per use (~10x slower),
# and reprojects only what thinning keeps.


def remediation_tile_sql(address: TileAddress, measures: QuerySet) -> tuple[str, dict]:
    """Treated areas of `measures`: measure `id`, `site`, `stage` and `hectares`."""
    rows = (
        measures.filter(treated_area__isnull=False, treated_area__bboverlaps=lonlat_envelope(address))
        .order_by()
        .values("id", "treated_area_ha", "treated_area")
    )
    params = _shape_params(address)
    sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT id, -treated_area_ha AS rank, {_mercator_centre("treated_area::geometry")}
            FROM ({_inline_sql(rows)}) AS visible_measures
        ), kept AS MATERIALIZED ({_thinned("candidates", address)}
        ), projected AS MATERIALIZED (
            SELECT id, site_id, stage, treated_area_ha, ST_Transform(treated_area, 3857) AS g
            FROM kept JOIN {RemediationMeasure._meta.db_table} USING (id)
        )
        SELECT ST_AsMVT(tile, '{REMEDIATION_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT id, site_id AS site, stage, treated_area_ha::float8 AS hectares,
                   ST_AsMVTGeom({_drawn_shape("g")}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true)
                   AS geom
            FROM projected
        ) AS tile WHERE geom IS NOT NULL"""
    return sql, params


# Where a generalised hazard is drawn: the grid node nearest its centre, in Web Mercator metres.
_SNAPPED = "ST_SnapToGrid(ST_Centroid({geometry}), %(snap)s)"


def hazard_tile_sql(address: TileAddress, hazards: QuerySet, *, exact_countries: set[str]) -> tuple[str, dict]:
    """Located hazards of `hazards`: `id`, `type`, `priority`, `status`, `generalised`.

    Priority-1 hazards of a country outside `exact_countries` are generalised: one point at the
    1 km grid node nearest their centre (polygons too). Which tile shows one depends only on that
    point: the search reaches a kilometre beyond the tile, and the tile keeps what falls inside it;
    at low zoom, which hazards a crowded cell keeps is decided on the snapped centres too.
    """
    margin_m = BUFFER / EXTENT * _tile_size_m(address.z) + HAZARD_SNAP_M
    rows = (
        hazards.filter(location__isnull=False, location__bboverlaps=lonlat_envelope(address, margin_m=margin_m))
        .order_by()
        .values("id", "priority", "location", country=F("site__country"))
    )
    params = {**_shape_params(address), "snap": HAZARD_SNAP_M, "exact": sorted(exact_countries)}
    sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT id, generalised, priority AS rank,
                   CASE WHEN generalised THEN round(mx / %(snap)s) * %(snap)s ELSE mx END AS mx,
                   CASE WHEN generalised THEN round(my / %(snap)s) * %(snap)s ELSE my END AS my
            FROM (
                SELECT id, priority, {_mercator_centre("location::geometry")},
                       priority = 1 AND NOT country = ANY(%(exact)s::varchar[]) AS generalised
                FROM ({_inline_sql(rows)}) AS visible_hazards
            ) AS centred
        ), kept AS MATERIALIZED ({_thinned("candidates", address)}
        ), projected AS MATERIALIZED (
            SELECT id, hazard_type, priority, status, generalised, ST_Transform(location, 3857) AS g
            FROM kept JOIN {Hazard._meta.db_table} USING (id)
        )
        SELECT ST_AsMVT(tile, '{HAZARDS_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT id, hazard_type AS type, priority, status, generalised,
                   ST_AsMVTGeom(CASE WHEN generalised THEN {_SNAPPED.format(geometry="g")} ELSE {_drawn_shape("g")} END,
                                ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true) AS geom
            FROM projected
        ) AS tile WHERE geom IS NOT NULL"""
    return sql, params


def hazard_location(hazard_id: int, *, generalised: bool) -> dict | None:
    """A hazard's location as GeoJSON: exact, or the same grid node the tiles draw it at."""
    geometry = f"ST_Transform({_SNAPPED.format(geometry='ST_Transform(location, 3857)')}, 4326)"
    if not generalised:
        geometry = "location"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ST_AsGeoJSON({geometry}, 6) FROM {Hazard._meta.db_table}
                WHERE id = %(id)s AND location IS NOT NULL""",
            {"id": hazard_id, "snap": HAZARD_SNAP_M},
        )
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def lonlat_envelope(address: TileAddress, *, margin_m: float | None = None) -> Polygon:
    """The tile's bounds, widened by `margin_m` (by default the drawing buffer), as a lon/lat polygon.

    Built in Python so the ORM can filter on it with the geometry's spatial index.
    """
    size = _tile_size_m(address.z)
    margin = BUFFER / EXTENT * size if margin_m is None else margin_m
    half = WEB_MERCATOR_WORLD_M / 2
    x0 = -half + address.x * size - margin
    y1 = half - address.y * size + margin
    x1, y0 = x0 + size + 2 * margin, y1 - size - 2 * margin

    def lon(x: float) -> float:
        return max(-180.0, min(180.0, x / half * 180))

    def lat(y: float) -> float:
        return math.degrees(math.atan(math.sinh(max(-half, min(half, y)) / half * math.pi)))

    return Polygon.from_bbox((lon(x0), lat(y0), lon(x1), lat(y1)))


def _tile_size_m(z: int) -> float:
    return WEB_MERCATOR_WORLD_M / 2**z


def _shape_params(address: TileAddress) -> dict:
    pixel = pixel_size_m(address.z)
    return {
        "z": address.z,
        "x": address.x,
        "y": address.y,
        "tolerance": pixel / 2,
        "small": pixel * SMALL_SHAPE_PIXELS,
        "cell": pixel * DENSEST_CELL_PIXELS,
    }


def _drawn_shape(geometry: str) -> str:
    """Points as they are, polygons simplified to half a pixel, or a point on them when under two pixels."""
    return f"""CASE WHEN GeometryType({geometry}) LIKE '%%POINT' THEN {geometry}
                    WHEN greatest(ST_XMax({geometry}) - ST_XMin({geometry}), ST_YMax({geometry}) - ST_YMin({geometry}))
                         < %(small)s THEN ST_PointOnSurface({geometry})
                    ELSE ST_SimplifyPreserveTopology({geometry}, %(tolerance)s) END"""


def _thinned(table: str, address: TileAddress) -> str:
    """Below z12, one row per DENSEST_CELL_PIXELS square (by its centre `mx`, `my`), lowest rank first.

    Decided on narrow rows before any shape is read or reprojected: a crowded low-zoom tile sorts ids
    and numbers, then reads and reprojects at most 4,096 shapes.
    """
    if generalised_band(address.z) is None:
        return f"SELECT * FROM {table}"
    cell = "floor(mx / %(cell)s), floor(my / %(cell)s)"
    return f"SELECT DISTINCT ON ({cell}) * FROM {table} ORDER BY {cell}, rank, id"


def _mercator_centre(geometry: str) -> str:
    """The centre of a lon/lat shape's box in Web Mercator metres (`mx`, `my`), by arithmetic: no reprojection."""
    half = WEB_MERCATOR_WORLD_M / 2
    return f"""(ST_XMin({geometry}) + ST_XMax({geometry})) / 2 * {half / 180} AS mx,
               ln(tan(radians(90 + (ST_YMin({geometry}) + ST_YMax({geometry})) / 2) / 2)) * {half / math.pi} AS my"""


def _inline_sql(rows: QuerySet) -> str:
    """A queryset as SQL text with its values quoted in, to nest inside tile SQL that names its parameters.

    Django selects geometries as bytea: cast them back (`column::geometry`) before using them.
    """
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        text = cursor.mogrify(sql, params)
    return (text.decode() if isinstance(text, bytes) else text).replace("%", "%%")


# --- shared -----------------------------------------------------------------------------------


def _fetch_tile(sql: str, params: dict) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
