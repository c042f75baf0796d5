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
from geodata.generalise import CellWinners
from geodata.models import Feature, GeneralisedFeature, Layer

# Features are read, prepared and sent in chunks of this many, so memory stays flat for large layers.
COPY_CHUNK_ROWS = 20_000
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
# Field counts per row: a feature has id, layer_id, geometry, jsonb and source_index; a copy has
# layer_id, feature_id, band and geometry. Each field is its length, then its bytes.
_FEATURE_ROW_START = struct.pack(">h", 5)
_COPY_ROW_START = struct.pack(">h", 4)
_LENGTH = struct.Struct(">i")
_BIGINT = struct.Struct(">iq")
_INTEGER = struct.Struct(">ii")
_SMALLINT = struct.Struct(">ih")
_JSONB_VERSION = b"\x01"
_READ_SIZE = 1 << 20  # bytes psycopg2 asks for per read


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
    writer = LayerWriter(layer)
    rows = writer.encode(geometries, properties_json(properties), np.asarray(source_indexes, dtype=np.int64))
    writer.write(rows)
    writer.finish()
    summarise_layer(layer)


def delete_features(layer: Layer) -> None:
    """Remove the layer's features and their generalised copies."""
    Feature.objects.filter(layer=layer).delete()
    GeneralisedFeature.objects.filter(layer=layer).delete()


@dataclass(frozen=True)
class EncodedRows:
    """One chunk of a layer's rows as binary COPY streams: its features and their generalised copies."""

    feature_count: int
    features: bytes
    copies: bytes
    settle: list  # (band, feature ids, cells, sizes) per band, for CellWinners


class LayerWriter:
    """Writes a layer's features chunk by chunk, inside the caller's transaction.

    Its old features and copies go first. `reserve_ids` hands out feature ids before a chunk is
    encoded, so the chunk's features and their generalised copies can be encoded together away from
    the database connection (`encode` is safe to run in another thread); `write` sends both with
    COPY; `finish` removes the copies that another chunk's features beat in their square.
    """

    def __init__(self, layer: Layer):
        self.layer = layer
        self._winners = CellWinners()
        delete_features(layer)

    def reserve_ids(self, count: int) -> np.ndarray:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Feature._meta.db_table, count],
            )
            return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)

    def encode(
        self,
        geometries: np.ndarray,
        properties: Sequence[str],
        source_indexes: np.ndarray,
        feature_ids: np.ndarray | None = None,
    ) -> EncodedRows:
        """The COPY streams of one chunk; ids are reserved here when not given (not thread-safe then)."""
        if feature_ids is None:
            feature_ids = self.reserve_ids(len(geometries))
        feature_ids = feature_ids[: len(geometries)]
        copies = generalise.band_copies(geometries)
        return EncodedRows(
            feature_count=len(geometries),
            features=b"".join(_feature_rows(self.layer.pk, feature_ids, geometries, properties, source_indexes)),
            copies=b"".join(_copy_rows(self.layer.pk, feature_ids, copies)),
            settle=[(copy.band, feature_ids[copy.positions], copy.cells, copy.sizes) for copy in copies],
        )

    def write(self, rows: EncodedRows) -> None:
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {Feature._meta.db_table} (id, layer_id, geom, properties, source_index) "
                "FROM STDIN WITH (FORMAT binary)",
                io.BytesIO(rows.features),
                size=_READ_SIZE,
            )
            cursor.copy_expert(
                f"COPY {GeneralisedFeature._meta.db_table} (layer_id, feature_id, band, geom) "
                "FROM STDIN WITH (FORMAT binary)",
                io.BytesIO(rows.copies),
                size=_READ_SIZE,
            )
        for settle in rows.settle:
            self._winners.add(*settle)

    def finish(self) -> None:
        _delete_beaten(self.layer.pk, self._winners)


def _delete_beaten(layer_id: int, winners: CellWinners) -> None:
    beaten = winners.beaten()
    if not beaten:
        return
    bands = np.concatenate([np.full(len(ids), band, dtype=np.int16) for band, ids in beaten])
    ids = np.concatenate([ids for _, ids in beaten])
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM {GeneralisedFeature._meta.db_table} AS copy
                USING unnest(%s::smallint[], %s::bigint[]) AS beaten (band, feature_id)
                WHERE copy.layer_id = %s AND copy.band = beaten.band AND copy.feature_id = beaten.feature_id""",
            [bands.tolist(), ids.tolist(), layer_id],
        )


@transaction.atomic
def regeneralise(layer: Layer) -> None:
    """Rebuild a layer's generalised copies from its stored features (they are written with them)."""
    GeneralisedFeature.objects.filter(layer=layer).delete()
    winners = CellWinners()
    with connection.chunked_cursor() as cursor:  # a server-side cursor: the features are read a chunk at a time
        cursor.execute(
            f"SELECT id, ST_AsBinary(geom) FROM {Feature._meta.db_table} WHERE layer_id = %s ORDER BY id", [layer.pk]
        )
        while rows := cursor.fetchmany(COPY_CHUNK_ROWS):
            ids = np.array([row[0] for row in rows], dtype=np.int64)
            copies = generalise.band_copies(shapely.from_wkb([bytes(row[1]) for row in rows]))
            with connection.cursor() as writer:
                writer.copy_expert(
                    f"COPY {GeneralisedFeature._meta.db_table} (layer_id, feature_id, band, geom) "
                    "FROM STDIN WITH (FORMAT binary)",
                    io.BytesIO(b"".join(_copy_rows(layer.pk, ids, copies))),
                    size=_READ_SIZE,
                )
            for copy in copies:
                winners.add(copy.band, ids[copy.positions], copy.cells, copy.sizes)
    _delete_beaten(layer.pk, winners)


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


def _copy_rows(layer_id: int, feature_ids: np.ndarray, copies: list) -> Iterator[bytes]:
    """The binary COPY stream of generalised copies (EPSG:3857): header, rows, trailer."""
    yield _COPY_HEADER
    layer = _BIGINT.pack(8, layer_id)
    for copy in copies:
        band = _SMALLINT.pack(2, copy.band)
        ewkb = shapely.to_wkb(shapely.set_srid(copy.geometries, 3857), include_srid=True)
        for feature_id, geom in zip(feature_ids[copy.positions].tolist(), ewkb, strict=True):
            yield b"".join((_COPY_ROW_START, layer, _BIGINT.pack(8, feature_id), band, _LENGTH.pack(len(geom)), geom))
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
