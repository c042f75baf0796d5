"""Bulk-load features into PostGIS with binary COPY: the one write path for layer features.

Rows go to PostgreSQL in its binary COPY format: geometries as the EWKB bytes shapely writes
(PostGIS's binary form of geometry), properties as jsonb's binary form (a version byte, then the
JSON text), so nothing is hex-encoded, quoted or parsed as CSV on either side. While PostgreSQL
writes one chunk (and updates the indexes), the next one is encoded in Python.
"""

import json
import struct
import threading
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection, transaction

from geodata import layer_tiles
from geodata.models import Feature, Layer

# Rows are streamed to COPY in chunks so memory stays flat for large layers.
COPY_CHUNK_ROWS = 5_000
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
# Per row: 4 fields, then layer_id as a bigint (length 8); geometry, jsonb and source_index follow.
_ROW_START = struct.pack(">hi", 4, 8)
_LENGTH = struct.Struct(">i")
_SOURCE_INDEX = struct.Struct(">ii")  # length 4, then the integer
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

    Updates the layer's feature count, geometry type and extent from what was stored.
    """
    replace_features_json(layer, geometries, properties_json(properties), source_indexes)


@transaction.atomic
def replace_features_json(
    layer: Layer,
    geometries: np.ndarray,
    properties: Sequence[str],
    source_indexes: Sequence[int],
) -> None:
    """`replace_features` with each feature's properties already encoded as a JSON object's text."""
    Feature.objects.filter(layer=layer).delete()
    table = Feature._meta.db_table
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} (layer_id, geom, properties, source_index) FROM STDIN WITH (FORMAT binary)",
            _ChunkReader(_copy_chunks(layer.pk, geometries, properties, source_indexes)),
            size=_READ_SIZE,
        )
    summarise_layer(layer)
    layer_tiles.refresh_generalised_features(layer)


def _copy_chunks(layer_id: int, geometries: np.ndarray, properties: Sequence[str], source_indexes: Sequence[int]):
    """The binary COPY stream in chunks of rows: header, rows, trailer."""
    yield _COPY_HEADER
    row_start = _ROW_START + struct.pack(">q", layer_id)
    pack_length, pack_index = _LENGTH.pack, _SOURCE_INDEX.pack
    for start in range(0, len(geometries), COPY_CHUNK_ROWS):
        stop = start + COPY_CHUNK_ROWS
        ewkb = shapely.to_wkb(shapely.set_srid(geometries[start:stop], 4326), include_srid=True)
        parts = []
        for geom, props, index in zip(ewkb, properties[start:stop], source_indexes[start:stop], strict=True):
            props = props.encode()
            parts += (
                row_start,
                pack_length(len(geom)),
                geom,
                pack_length(len(props) + 1),
                _JSONB_VERSION,
                props,
                pack_index(4, index),
            )
        yield b"".join(parts)
    yield _COPY_TRAILER


class _ChunkReader:
    """A file-like view of a chunk iterator for copy_expert; the next chunk is encoded in a thread.

    psycopg2 sends each chunk without holding the GIL, so encoding the next chunk in Python
    overlaps with PostgreSQL writing the previous one.
    """

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self._next: list = []
        self._thread = self._prefetch()

    def _prefetch(self) -> threading.Thread:
        def work():
            try:
                self._next[:] = [next(self._chunks, None), None]
            except BaseException as error:  # re-raised in the reading thread
                self._next[:] = [None, error]

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        return thread

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            if self._thread is None:
                return b""
            self._thread.join()
            chunk, error = self._next
            if error is not None:
                raise error
            if chunk is None:
                self._thread = None
                return b""
            self._buffer = memoryview(chunk)
            self._thread = self._prefetch()
        if size < 0 or size >= len(self._buffer):
            data, self._buffer = self._buffer, memoryview(b"")
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return bytes(data)


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
