"""Bulk-load features into PostGIS with binary COPY: the one write path for layer features.

Rows go to PostgreSQL in its binary COPY format: geometries as the EWKB bytes shapely writes
(PostGIS's binary form of geometry), properties as jsonb's binary form (a version byte, then the
JSON text), so nothing is hex-encoded, quoted or parsed as CSV on either side. Each chunk's
generalised copies (geodata/generalise.py) are written with it, so a layer is ready at every zoom
when its last chunk is in. The ingest prepares the next chunk in a thread while PostgreSQL writes
this one.
"""

import io
import json
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import Polygon
from django.db import connection, transaction

from geodata import generalise
from geodata.models import Feature, GeneralisedFeature, Layer

# Features are read, prepared and sent in chunks of this many, so memory stays flat for large layers.
COPY_CHUNK_ROWS = 20_000
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
# Field counts per row: a feature has id, layer_id, geometry, jsonb and source_index; a copy has
# layer_id, feature_id, band, last_band and geometry. Each field is its length, then its bytes.
_FEATURE_ROW_START = struct.pack(">h", 5)
_COPY_ROW_START = struct.pack(">h", 5)
_LENGTH = struct.Struct(">i")
_BIGINT = struct.Struct(">iq")
_INTEGER = struct.Struct(">ii")
_SMALLINT = struct.Struct(">ih")
_JSONB_VERSION = b"\x01"
_READ_SIZE = 1 << 20  # bytes psycopg2 asks for per read
_ID_RESERVATION_LOCK = 0x6665617475726573  # an advisory lock key of its own ("features")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def json_encoder() -> json.JSONEncoder:
    """The JSON encoding of properties: non-ASCII kept, numpy scalars and dates converted."""
    return json.JSONEncoder(default=_json_default, ensure_ascii=False)


def properties_json(properties: Iterable[dict]) -> list[str]:
    """Each feature's properties as JSON object text."""
    encode = json_encoder().encode
    return [encode(props) for props in properties]


@transaction.atomic
def replace_features(
    layer: Layer,
    geometries: np.ndarray,
    properties: Sequence[dict],
    source_indexes: Sequence[int],
) -> None:
    """Replace all features of `layer` with the given EPSG:4326 shapely geometries, in one transaction.

    Writes their generalised copies and updates the layer's feature count, geometry type and extent.
    """
    boxes, vertices = shapely.bounds(geometries), shapely.get_num_coordinates(geometries)
    copies = generalise.plan(boxes, generalise.is_point(geometries), vertices)
    writer = LayerWriter(layer, copies.finest_band)
    ids = writer.reserve_ids(len(geometries))
    writer.write(
        writer.encode(
            geometries, properties_json(properties), np.asarray(source_indexes, dtype=np.int64), ids, copies.coarsest
        )
    )
    summarise_layer(layer)


def delete_features(layer: Layer) -> None:
    """Remove the layer's features and their generalised copies."""
    Feature.objects.filter(layer=layer).delete()
    GeneralisedFeature.objects.filter(layer=layer).delete()


@dataclass(frozen=True)
class EncodedRows:
    """One chunk of a layer's rows as binary COPY streams: its features and their generalised copies."""

    features: bytes
    copies: bytes


class LayerWriter:
    """Writes a layer's features chunk by chunk, inside the caller's transaction.

    Its old features and copies go first. `reserve_ids` hands out feature ids before a chunk is
    encoded, so a chunk's features and their generalised copies can be encoded together away from
    the database connection (`encode` touches no connection and may run in another thread); `write`
    sends both with COPY.
    """

    def __init__(self, layer: Layer, finest_band: int):
        self.layer = layer
        self.finest_band = finest_band  # the layer's generalisation plan (generalise.plan)
        delete_features(layer)

    def reserve_ids(self, count: int) -> np.ndarray:
        """`count` new consecutive feature ids; a lock keeps other loaders from drawing ids in between."""
        if count < 1:
            return np.zeros(0, dtype=np.int64)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_ID_RESERVATION_LOCK])
            try:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Feature._meta.db_table])
                first = cursor.fetchone()[0]
                if count > 1:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                        [Feature._meta.db_table, first + count - 1],
                    )
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_ID_RESERVATION_LOCK])
        return np.arange(first, first + count, dtype=np.int64)

    def encode(
        self,
        geometries: np.ndarray,
        properties: Sequence[str],
        source_indexes: np.ndarray,
        feature_ids: np.ndarray,
        coarsest: np.ndarray,
    ) -> EncodedRows:
        """The COPY streams of one chunk; `coarsest` is each feature's coarsest band (generalise.plan)."""
        feature_ids = feature_ids[: len(geometries)]
        copies = generalise.copies_of(geometries, coarsest, self.finest_band)
        return EncodedRows(
            features=b"".join(_feature_rows(self.layer.pk, feature_ids, geometries, properties, source_indexes)),
            copies=b"".join(_copy_rows(self.layer.pk, feature_ids, copies)),
        )

    def write(self, rows: EncodedRows) -> None:
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {Feature._meta.db_table} (id, layer_id, geom, properties, source_index) "
                "FROM STDIN WITH (FORMAT binary)",
                io.BytesIO(rows.features),
                size=_READ_SIZE,
            )
            _copy_in_copies(cursor, rows.copies)


def _copy_in_copies(cursor, stream: bytes) -> None:
    cursor.copy_expert(
        f"COPY {GeneralisedFeature._meta.db_table} (layer_id, feature_id, band, last_band, geom) "
        "FROM STDIN WITH (FORMAT binary)",
        io.BytesIO(stream),
        size=_READ_SIZE,
    )


@transaction.atomic
def regeneralise(layer: Layer) -> None:
    """Rebuild a layer's generalised copies from its stored features (the ingest writes them with them)."""
    GeneralisedFeature.objects.filter(layer=layer).delete()
    table = Feature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom),
                       GeometryType(geom) LIKE '%%POINT', ST_NPoints(geom)
                FROM {table} WHERE layer_id = %s ORDER BY id""",
            [layer.pk],
        )
        boxes = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 6)
    copies_plan = generalise.plan(boxes[:, :4], boxes[:, 4].astype(bool), boxes[:, 5])
    done = 0
    with connection.chunked_cursor() as cursor:  # a server-side cursor: the features are read a chunk at a time
        cursor.execute(f"SELECT id, ST_AsBinary(geom) FROM {table} WHERE layer_id = %s ORDER BY id", [layer.pk])
        while rows := cursor.fetchmany(COPY_CHUNK_ROWS):
            ids = np.array([row[0] for row in rows], dtype=np.int64)
            geometries = shapely.from_wkb([bytes(row[1]) for row in rows])
            copies = generalise.copies_of(
                geometries, copies_plan.coarsest[done : done + len(rows)], copies_plan.finest_band
            )
            done += len(rows)
            with connection.cursor() as writer:
                _copy_in_copies(writer, b"".join(_copy_rows(layer.pk, ids, copies)))


def _feature_rows(layer_id, feature_ids, geometries, properties, source_indexes):
    """The binary COPY stream of features: header, one row per feature, trailer."""
    yield _COPY_HEADER
    layer = _BIGINT.pack(8, layer_id)
    ewkb = shapely.to_wkb(shapely.set_srid(geometries, 4326), include_srid=True)
    pack_length, pack_id, pack_index = _LENGTH.pack, _BIGINT.pack, _INTEGER.pack
    for feature_id, geom, props, index in zip(
        feature_ids.tolist(), ewkb, properties, source_indexes.tolist(), strict=True
    ):
        props = props.encode()
        yield b"".join(
            (
                _FEATURE_ROW_START,
                pack_id(8, feature_id),
                layer,
                pack_length(len(geom)),
                geom,
                pack_length(len(props) + 1),
                _JSONB_VERSION,
                props,
                pack_index(4, index),
            )
        )
    yield _COPY_TRAILER


def _copy_rows(layer_id: int, feature_ids: np.ndarray, copies: generalise.Copies) -> Iterator[bytes]:
    """The binary COPY stream of generalised copies (EPSG:3857): header, rows, trailer."""
    yield _COPY_HEADER
    layer = _BIGINT.pack(8, layer_id)
    ewkb = shapely.to_wkb(shapely.set_srid(copies.geometries, 3857), include_srid=True)
    pack_id, pack_band, pack_length = _BIGINT.pack, _SMALLINT.pack, _LENGTH.pack
    for feature_id, coarsest, finest, geom in zip(
        feature_ids[copies.positions].tolist(), copies.coarsest.tolist(), copies.finest.tolist(), ewkb, strict=True
    ):
        yield b"".join(
            (
                _COPY_ROW_START,
                layer,
                pack_id(8, feature_id),
                pack_band(2, coarsest),
                pack_band(2, finest),
                pack_length(len(geom)),
                geom,
            )
        )
    yield _COPY_TRAILER


def summarise_layer(layer: Layer) -> None:
    """Set feature count, geometry type(s) and extent from the stored features, and save them."""
    table = Feature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT features, ST_XMin(extent), ST_YMin(extent), ST_XMax(extent), ST_YMax(extent), types
                FROM (SELECT ST_Extent(geom) AS extent,
                             array_agg(DISTINCT GeometryType(geom)) FILTER (WHERE geom IS NOT NULL) AS types,
                             count(*) AS features
                      FROM {table} WHERE layer_id = %s) AS summary""",
            [layer.pk],
        )
        count, xmin, ymin, xmax, ymax, types = cursor.fetchone()
    set_summary(layer, count, dict.fromkeys(types or [], 1), None if xmin is None else (xmin, ymin, xmax, ymax))
    layer.save(update_fields=["feature_count", "geometry_type", "extent", "updated_at"])


def set_summary(layer: Layer, count: int, type_counts: dict[str, int], bounds: tuple | None) -> None:
    """Set feature count, geometry type(s) (PostGIS's names) and extent on the layer, unsaved."""
    layer.feature_count = count
    layer.geometry_type = ",".join(sorted(name.upper() for name in type_counts))
    layer.extent = None if bounds is None else _box_polygon(*bounds)


def _box_polygon(xmin: float, ymin: float, xmax: float, ymax: float) -> Polygon:
    """A box as a polygon; a point's or a straight line's box is padded so it stays a polygon."""
    if xmin == xmax or ymin == ymax:
        xmax, ymax = xmax + 1e-9, ymax + 1e-9
    box = Polygon.from_bbox((xmin, ymin, xmax, ymax))
    box.srid = 4326
    return box
