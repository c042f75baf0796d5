"""Mapbox vector tiles from PostGIS: the engine every tile source uses, and the survey layers' own tiles.

The engine: tile addresses, the `TileRequest` a source builds (a key naming everything the bytes
depend on, the tile's SQL, and a subject: the row the tile is drawn from, whose first column is the
data version), `serve_tile` (one round trip: 304s from the ETag, a bounded cache kept next to its
version, so an edit never serves an old tile) and the SQL pieces tile sources share (`drawn_shape`,
`thinned`, `mercator_centre`, `inline_sql`, `lonlat_envelope`).

Apps contribute their sources with `register_source` from their AppConfig.ready() (sites: the
site clusters; remediation: treated areas and hazards); tile_urls.py serves what was registered.
Adding a source takes four small pieces:
1. a statement trigger on its table calling `geodata_tile_source_changed('<source>')` (migration
   0005 defines it), so the source's token changes with every write; a tile that also depends on
   another table names both in `source_versions(...)`;
2. a `<source>_tile_sql(address, ...) -> (sql, params)` in the app's tiles.py: ST_AsMVT over
   ST_AsMVTGeom. Small tables take a queryset already narrowed by access.visibility (so tiles and
   pages share one rule), filtered on `lonlat_envelope(address)` and inlined by `inline_sql`;
   shapes are simplified on the fly (`drawn_shape`) and thinned below z12 (`thinned`);
3. a thin view calling `tile_response` with a `TileRequest` whose key holds everything the tile
   depends on (the address, the filters and who sees what), and `is_public` false whenever the
   tile carries anything a stranger may not see;
4. `register_source(...)` with that view (and the view answering a click on one feature).

The survey layers' own tiles and their generalised copies are in geodata/layer_tiles.py.
"""

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import quote_etag

from geodata.models import TileVersion
from geodata.prepared import execute_prepared

MAX_ZOOM = 22
LARGEST_ID = 2**63 - 1  # ids are bigint: a larger one in a tile statement would be an SQL error, not a 404
EXTENT = 4096  # tile coordinate units per side
BUFFER = 64  # units drawn beyond the edge so symbols and strokes are not cut at tile seams
# One generalised copy per zoom up to 11 (each copy only holds what is at least a pixel at its zoom, so
# the low-zoom copies are small); from z12 features are read as stored.
GENERALISED_BANDS = tuple(range(12))
DENSEST_CELL_PIXELS = 4  # in a generalised copy, at most one feature per 4 x 4 pixels
WEB_MERCATOR_WORLD_M = 40075016.685578488
TILE_PIXELS = 256
FEATURES_LAYER = "features"
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
        body = None if subject is None or subject[0] in known else fetch_tile(*tile.query)
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
        execute_prepared(cursor, *subject)
        return cursor.fetchone()


def _fetch_subject_and_tile(tile: TileRequest) -> tuple[tuple | None, bytes | None]:
    """The subject row and the tile in one statement; the tile is built only when the row exists."""
    (subject_sql, subject_params), (tile_sql, tile_params) = tile.subject, tile.query
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            f"SELECT subject.*, coalesce(({tile_sql}), ''::bytea) FROM ({subject_sql}) AS subject",
            {**tile_params, **subject_params},
        )
        row = cursor.fetchone()
    return (None, None) if row is None else (row[:-1], bytes(row[-1]))


# --- sources contributed by the apps, and their HTTP answers -----------------------------------


@dataclass(frozen=True)
class RegisteredSource:
    """A tile source an app contributes: served at tiles/<name>/{z}/{x}/{y}.pbf, named `tiles:<name>`.

    `feature_view`, when given, answers a click on one feature at tiles/<name>/<id>.json, named
    `tiles:<feature_name>`.
    """

    name: str
    tile_view: Callable
    feature_view: Callable | None = None
    feature_name: str = ""


_SOURCES: dict[str, RegisteredSource] = {}


def register_source(name: str, tile_view: Callable, *, feature_view: Callable | None = None, feature_name: str = ""):
    """Add an app's tile source; called from its AppConfig.ready()."""
    _SOURCES[name] = RegisteredSource(name, tile_view, feature_view, feature_name or f"{name}-feature")


def registered_sources() -> list[RegisteredSource]:
    return list(_SOURCES.values())


def tile_response(request, tile_request: TileRequest, *, is_public: bool) -> HttpResponse:
    tile = serve_tile(tile_request, if_none_match=request.headers.get("If-None-Match"))
    return tile_answer(tile, is_public=is_public)


def tile_answer(tile: Tile, *, is_public: bool) -> HttpResponse:
    """304 when the browser's ETag still matches; otherwise the (cached) tile with its ETag."""
    if tile.body is None:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(tile.body, content_type=CONTENT_TYPE)
    response["ETag"] = quote_etag(tile.etag)
    # Drafts depend on who asks: never let a shared cache keep them.
    response["Cache-Control"] = "public, max-age=60" if is_public else "private, no-cache"
    response["Vary"] = "Cookie"
    return response


def tile_error(error: ValidationError) -> JsonResponse:
    return JsonResponse({"error": " ".join(error.messages)}, status=400)


# --- shared SQL pieces and sizes ----------------------------------------------------------------


def generalised_band(z: int) -> int | None:
    """The generalised copy that serves zoom z, or None when features are read as stored."""
    return next((band for band in GENERALISED_BANDS if z <= band), None)


def pixel_size_m(z: int) -> float:
    return WEB_MERCATOR_WORLD_M / (TILE_PIXELS * 2**z)


def lonlat_envelope(address: TileAddress, *, margin_m: float | None = None) -> Polygon:
    """The tile's bounds, widened by `margin_m` (by default the drawing buffer), as a lon/lat polygon.

    Built in Python so the ORM can filter on it with the geometry's spatial index.
    """
    size = tile_size_m(address.z)
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


def tile_size_m(z: int) -> float:
    return WEB_MERCATOR_WORLD_M / 2**z


def shape_params(address: TileAddress) -> dict:
    pixel = pixel_size_m(address.z)
    return {
        "z": address.z,
        "x": address.x,
        "y": address.y,
        "tolerance": pixel / 2,
        "small": pixel * SMALL_SHAPE_PIXELS,
        "cell": pixel * DENSEST_CELL_PIXELS,
    }


def drawn_shape(geometry: str) -> str:
    """Points as they are, polygons simplified to half a pixel, or a point on them when under two pixels."""
    return f"""CASE WHEN GeometryType({geometry}) LIKE '%%POINT' THEN {geometry}
                    WHEN greatest(ST_XMax({geometry}) - ST_XMin({geometry}), ST_YMax({geometry}) - ST_YMin({geometry}))
                         < %(small)s THEN ST_PointOnSurface({geometry})
                    ELSE ST_SimplifyPreserveTopology({geometry}, %(tolerance)s) END"""


def thinned(table: str, address: TileAddress) -> str:
    """Below z12, one row per DENSEST_CELL_PIXELS square (by its centre `mx`, `my`), lowest rank first.

    Decided on narrow rows before any shape is read or reprojected: a crowded low-zoom tile sorts ids
    and numbers, then reads and reprojects at most 4,096 shapes.
    """
    if generalised_band(address.z) is None:
        return f"SELECT * FROM {table}"
    cell = "floor(mx / %(cell)s), floor(my / %(cell)s)"
    return f"SELECT DISTINCT ON ({cell}) * FROM {table} ORDER BY {cell}, rank, id"


def mercator_centre(geometry: str) -> str:
    """The centre of a lon/lat shape's box in Web Mercator metres (`mx`, `my`), by arithmetic: no reprojection."""
    half = WEB_MERCATOR_WORLD_M / 2
    return f"""(ST_XMin({geometry}) + ST_XMax({geometry})) / 2 * {half / 180} AS mx,
               ln(tan(radians(90 + (ST_YMin({geometry}) + ST_YMax({geometry})) / 2) / 2)) * {half / math.pi} AS my"""


def inline_sql(rows: QuerySet) -> str:
    """A queryset as SQL text with its values quoted in, to nest inside tile SQL that names its parameters.

    Django selects geometries as bytea: cast them back (`column::geometry`) before using them.
    """
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        text = cursor.mogrify(sql, params)
    return (text.decode() if isinstance(text, bytes) else text).replace("%", "%%")


# --- shared -----------------------------------------------------------------------------------


def fetch_tile(sql: str, params: dict) -> bytes:
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
