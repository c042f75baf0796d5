"""Downloads in the formats GIS users expect (GeoPackage, zipped Shapefile, GeoJSON, CSV), streamed from PostGIS.

An export is described once as an `ExportQuery`: its columns as SQL expressions, the geometry, the
rows it reads and the metadata it carries. GeoJSON and CSV are produced row by row from a
server-side cursor; GeoPackage and Shapefile are written chunk by chunk into a temporary file.
Either way memory stays flat however many rows there are.
"""

import csv
import io
import json
import re
import tempfile
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas
import pandas
import pyogrio
import shapely
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

FORMATS = {
    "gpkg": ("GPKG", "application/geopackage+sqlite3"),
    "shp.zip": ("ESRI Shapefile", "application/zip"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "csv": ("CSV", "text/csv"),
}
STREAMED_FORMATS = {"geojson", "csv"}
# The JSON document describing an export (source, licence, filters); the CSV points to it.
METADATA_FORMAT = "metadata.json"

# Rows per round trip of the server-side cursor, and per chunk written to a GeoPackage or Shapefile.
STREAM_BATCH_ROWS = 2_000
FILE_CHUNK_ROWS = 20_000
# GeoPackage 1.2, not the 1.4 of newer GDALs: QGIS 3.22's GDAL (Debian 12) warns that a 1.4 file
# "may only be partially supported".
GEOPACKAGE_VERSION = "1.2"
SHAPEFILE_FIELD_LENGTH = 10
DBF_TEXT_BYTES = 254  # the longest text a DBF field holds

# Column kinds and the pandas dtype that keeps nulls without changing the type of the field.
_DTYPES = {"integer": "Int64", "float": "Float64", "boolean": "boolean", "string": "object"}


class ExportError(ValidationError):
    """The data cannot be written in the asked format; the message says why."""


@dataclass(frozen=True)
class Column:
    """An attribute of the export: its name, the SQL that reads it, and its kind (a key of _DTYPES)."""

    name: str
    sql: str
    kind: str = "string"


@dataclass(frozen=True)
class ExportQuery:
    """What to export: `FROM …` (with WHERE and ORDER BY) over rows that have the `geometry_sql`.

    `feature_id_sql` is the GeoJSON feature id, `properties_sql` the JSON object of each feature's
    properties (built in SQL, so Python only joins text).
    """

    name: str
    columns: list[Column]
    geometry_sql: str
    from_sql: str
    params: list
    feature_id_sql: str
    properties_sql: str
    geometry_types: list[str]
    metadata: dict = field(default_factory=dict)

    def select(self, *expressions: str) -> tuple[str, list]:
        return f"SELECT {', '.join(expressions)} {self.from_sql}", self.params


def _rows(query: ExportQuery, expressions: list[str], batch_rows: int) -> Iterator[list[tuple]]:
    """Batches of rows from a server-side cursor: the database holds the result, not Python.

    Inside a transaction the cursor sends rows as the query finds them; outside one Django would
    declare it WITH HOLD, and PostgreSQL would first copy the whole result aside.
    """
    sql, params = query.select(*expressions)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(batch_rows):
            yield batch


# --- CSV cells -------------------------------------------------------------------------------

# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_text(value):
    """A text cell a spreadsheet will not run: one that begins like a formula gets a leading `'`.

    Only text is changed; numbers (a negative longitude, a negative reading) stay numbers. Every CSV
    the registry writes passes its text cells through here.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_safe_row(row, text_columns=None) -> list:
    """A row with its text cells made safe; `text_columns` (indexes) limits it to the columns that hold text."""
    return [
        csv_safe_text(value) if text_columns is None or index in text_columns else value
        for index, value in enumerate(row)
    ]


# --- streamed formats ------------------------------------------------------------------------


def stream_geojson(query: ExportQuery) -> Iterator[bytes]:
    """A FeatureCollection with the export's metadata as a foreign member, one batch of features at a time."""
    feature = (
        f"json_build_object('type', 'Feature', 'id', {query.feature_id_sql}, "
        f"'geometry', ST_AsGeoJSON({query.geometry_sql}, 7)::json, 'properties', {query.properties_sql})::text"
    )
    head = {"type": "FeatureCollection", "name": query.name, "metadata": query.metadata}
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "features": [\n'
    separator = b""
    for batch in _rows(query, [feature], STREAM_BATCH_ROWS):
        yield separator + ",\n".join(row[0] for row in batch).encode()
        separator = b",\n"
    yield b"\n]}\n"


def stream_csv(query: ExportQuery) -> Iterator[bytes]:
    """The attribute columns and the geometry as WKT, one batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_safe_row([column.name for column in query.columns] + ["geometry_wkt"]))
    expressions = [column.sql for column in query.columns] + [f"ST_AsText({query.geometry_sql})"]
    # Only the text columns are escaped: numeric columns come from the database as numbers anyway.
    text_columns = {index for index, column in enumerate(query.columns) if column.kind == "string"}
    for batch in _rows(query, expressions, STREAM_BATCH_ROWS):
        writer.writerows(csv_safe_row(row, text_columns) for row in batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # the header of an export without rows
        yield buffer.getvalue().encode()


# --- files written in chunks ------------------------------------------------------------------


def shapefile_field_names(names: list[str]) -> dict[str, str]:
    """Each name cut to the 10 bytes a DBF field allows, made unique (DBF names ignore case)."""
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        short, number = _cut_to_bytes(name, SHAPEFILE_FIELD_LENGTH), 1
        while short.lower() in taken:
            number += 1
            suffix = f"_{number}"
            short = _cut_to_bytes(name, SHAPEFILE_FIELD_LENGTH - len(suffix)) + suffix
        taken.add(short.lower())
        chosen[name] = short
    return chosen


def _cut_to_bytes(name: str, limit: int) -> str:
    """The longest start of `name` whose UTF-8 form fits in `limit` bytes (never half a character)."""
    return name.encode()[:limit].decode(errors="ignore")


def _declared_geometry(query: ExportQuery, file_format: str) -> tuple[str, bool]:
    """The layer geometry type to declare and whether to promote single parts to multi."""
    families = {kind.upper().removeprefix("MULTI") for kind in query.geometry_types}
    if len(families) > 1:
        if file_format == "shp.zip":
            kinds = ", ".join(sorted(family.title().replace("string", "String") for family in families))
            raise ExportError(
                gettext(
                    "A shapefile holds one kind of geometry and this layer mixes %(kinds)s; "
                    "download it as GeoPackage or GeoJSON instead."
                )
                % {"kinds": kinds}
            )
        return "Unknown", False
    family = {"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon"}.get(next(iter(families), ""), "")
    if not family:
        if file_format == "shp.zip":
            raise ExportError(
                gettext(
                    "A shapefile holds points, lines or polygons only; download this layer as GeoPackage or GeoJSON."
                )
            )
        return "Unknown", False
    if any(kind.upper().startswith("MULTI") for kind in query.geometry_types):
        return f"Multi{family}", True
    return family, False


def _geometry_name(names: list[str]) -> str:
    """A name for the geometry column that no attribute has (a GeoPackage refuses a clash)."""
    taken = {name.lower() for name in names}
    return next(name for name in ("geometry", "geom", "the_geom", "shape", "geometry_1") if name not in taken)


def _frame(query: ExportQuery, batch: list[tuple], names: list[str], geometry_name: str) -> geopandas.GeoDataFrame:
    attributes = pandas.DataFrame(
        {
            name: pandas.array([row[position] for row in batch], dtype=_DTYPES[column.kind])
            for position, (name, column) in enumerate(zip(names, query.columns, strict=True))
        }
    )
    geometries = shapely.from_wkb([None if row[-1] is None else bytes(row[-1]) for row in batch])
    attributes[geometry_name] = geopandas.GeoSeries(geometries, crs="EPSG:4326")
    return geopandas.GeoDataFrame(attributes, geometry=geometry_name)


def _write_chunks(query: ExportQuery, path: Path, file_format: str, names: list[str]) -> Counter:
    """Append the rows to `path` FILE_CHUNK_ROWS at a time; the first chunk creates the layer.

    Returns how many values of each field a Shapefile had to cut (none for a GeoPackage).
    """
    driver = FORMATS[file_format][0]
    geometry_name = _geometry_name(names)
    geometry_type, promote_to_multi = _declared_geometry(query, file_format)
    options: dict = {"driver": driver, "geometry_type": geometry_type, "promote_to_multi": promote_to_multi}
    if file_format == "shp.zip":
        options["encoding"] = "UTF-8"  # also writes the .cpg that tells readers so
    else:
        # A GeoPackage names its own id column "fid": an attribute of that name needs it moved aside.
        fid = "gpkg_fid" if any(name.lower() == "fid" for name in names) else "fid"
        layer_options = {"FID": fid, "GEOMETRY_NAME": geometry_name}
        options.update(layer=query.name, layer_metadata=_text_metadata(query.metadata), layer_options=layer_options)
        # A dataset creation option: it takes effect when the first chunk creates the file; appends keep it.
        options["dataset_options"] = {"VERSION": GEOPACKAGE_VERSION}
    expressions = [column.sql for column in query.columns] + [f"ST_AsBinary({query.geometry_sql})"]
    written, cut = 0, Counter()
    with warnings.catch_warnings():
        # GDAL warns once per file that it cut a text; the metadata says how many, field by field.
        warnings.filterwarnings("ignore", message="Value .* has been truncated", category=RuntimeWarning)
        for batch in _rows(query, expressions, FILE_CHUNK_ROWS):
            frame = _frame(query, batch, names, geometry_name)
            if file_format == "shp.zip":
                cut.update(_texts_too_long_for_dbf(frame, names))
            pyogrio.write_dataframe(frame, path, append=bool(written), **options)
            written += len(batch)
        if not written:
            pyogrio.write_dataframe(_frame(query, [], names, geometry_name), path, **options)
    return cut


def _texts_too_long_for_dbf(frame: pandas.DataFrame, names: list[str]) -> Counter:
    """How many texts of each field exceed what a DBF field holds (GDAL cuts them at a character boundary)."""
    cut = Counter()
    for name in names:
        if pandas.api.types.is_string_dtype(frame[name]):
            # A character is at most 4 bytes in UTF-8: shorter texts need no encoding to know they fit.
            cut[name] = sum(
                1
                for value in frame[name]
                if isinstance(value, str) and len(value) * 4 > DBF_TEXT_BYTES and len(value.encode()) > DBF_TEXT_BYTES
            )
    return +cut  # without the fields that lost nothing


def _text_metadata(metadata: dict) -> dict[str, str]:
    """GeoPackage metadata items are text: nested values as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in metadata.items()}


def write_file(query: ExportQuery, file_format: str):
    """The GeoPackage or zipped Shapefile as an open temporary file (gone once closed) and its download name."""
    with tempfile.TemporaryDirectory(prefix="export-") as directory:
        folder = Path(directory)
        if file_format == "gpkg":
            path = folder / f"{query.name}.gpkg"
            _write_chunks(query, path, file_format, [column.name for column in query.columns])
            handle = path.open("rb")  # stays readable after the directory is removed (POSIX)
            return handle, path.name
        names = shapefile_field_names([column.name for column in query.columns])
        cut = _write_chunks(query, folder / f"{query.name}.shp", file_format, list(names.values()))
        full_names = {short: name for name, short in names.items()}
        metadata = {**query.metadata, "shapefile_fields": full_names}
        if cut:
            metadata["shapefile_cut_texts"] = {
                "note": f"A Shapefile's DBF holds at most {DBF_TEXT_BYTES} bytes of text per value: these values were "
                "cut. The GeoPackage, GeoJSON and CSV downloads keep them whole.",
                "values_cut_per_field": {full_names[short]: count for short, count in cut.items()},
            }
        (folder / f"{query.name}.metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False))
        handle = tempfile.TemporaryFile()
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in sorted(folder.iterdir()):
                archive.write(member, member.name)
        handle.seek(0)
        return handle, f"{query.name}.shp.zip"


# --- layer exports ---------------------------------------------------------------------------


def _column_kind(schema_type: str) -> str:
    """The export kind of a field, from the ingest's schema ("integer") or a pandas dtype ("int64")."""
    lowered = schema_type.lower()
    if lowered.startswith(("int", "uint")):
        return "integer"
    if lowered.startswith("float"):
        return "float"
    if lowered.startswith("bool"):
        return "boolean"
    return "string"


def _property_sql(name: str, kind: str) -> str:
    """A typed read of one JSONB property; a value of another JSON type reads as null rather than failing."""
    # A literal, quotes doubled; % doubled because the statement also carries %s parameters.
    key = "'" + name.replace("'", "''").replace("%", "%%") + "'"
    value, text = f"properties->{key}", f"(properties->>{key})"
    if kind == "integer":
        return f"CASE WHEN jsonb_typeof({value}) = 'number' THEN round({text}::numeric)::bigint END"
    if kind == "float":
        return f"CASE WHEN jsonb_typeof({value}) = 'number' THEN {text}::float8 END"
    if kind == "boolean":
        return f"CASE WHEN jsonb_typeof({value}) = 'boolean' THEN {text}::boolean END"
    return text


def layer_query(layer, *, bbox=None, metadata: dict | None = None) -> ExportQuery:
    """A layer's features in file order; with a bbox, clipped to it and those outside it left out."""
    from geodata.models import Feature

    table = Feature._meta.db_table
    columns = [Column("source_index", "source_index", "integer")]
    for spec in layer.field_schema:
        if spec["name"] == "source_index":
            continue  # the feature's own position comes first; an attribute of that name cannot overwrite it
        kind = _column_kind(str(spec.get("type", "")))
        columns.append(Column(spec["name"], _property_sql(spec["name"], kind), kind))
    if bbox is None:
        geometry, params = "geom", [layer.pk]
        from_sql = f"FROM {table} WHERE layer_id = %s ORDER BY source_index"
    else:
        envelope = "ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
        # Keep each feature's own dimension: a polygon touching the edge yields no stray line or point.
        # Stored geometries are validated by the ingest; a shipped layer might not be, and GEOS refuses to
        # intersect an invalid one, which would break the download half-way.
        valid = "CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_MakeValid(geom) END"
        # A feature whose bounding box lies inside the box is kept as it is, without any intersection.
        clipped = (
            f"CASE WHEN geom @ {envelope} THEN geom "
            f"ELSE ST_CollectionExtract(ST_Intersection({valid}, {envelope}), ST_Dimension(geom) + 1) END"
        )
        geometry = "clipped"
        from_sql = (
            f"FROM (SELECT source_index, properties, {clipped} AS clipped FROM {table} "
            f"WHERE layer_id = %s AND ST_Intersects(geom, {envelope})) AS features "
            "WHERE NOT ST_IsEmpty(clipped) ORDER BY source_index"
        )
        params = [*bbox, *bbox, layer.pk, *bbox]
    geometry_types = [kind for kind in layer.geometry_type.split(",") if kind]
    if bbox is not None:
        # A clipped polygon may fall apart in pieces: declare the multi type so every file can hold them.
        geometry_types = sorted({kind.upper().removeprefix("MULTI") for kind in geometry_types})
        geometry_types += [f"MULTI{kind}" for kind in geometry_types]
    return ExportQuery(
        name=_file_stem(layer),
        columns=columns,
        geometry_sql=geometry,
        from_sql=from_sql,
        params=params,
        feature_id_sql="source_index",
        # jsonb keeps no key order anyway; the position goes last so no attribute can replace it.
        properties_sql="properties || jsonb_build_object('source_index', source_index)",
        geometry_types=geometry_types,
        metadata=metadata or {},
    )


def _file_stem(layer) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (layer.slug or layer.title).lower()).strip("-")[:40]
    return f"layer-{layer.pk}" + (f"-{slug}" if slug else "")


# --- metadata ---------------------------------------------------------------------------------


def export_metadata(
    *, title: str, sources: list[dict], filters: dict, registry_url: str, query_url: str, exported_at
) -> dict:
    """What every export says about itself: where the data came from, under which licence, which query."""
    licences = sorted({source["license"] for source in sources if source.get("license")})
    return {
        "title": title,
        "sources": sources,
        "license": "; ".join(licences) or "not stated",
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "filters": filters,
        "registry_url": registry_url,
        "query_url": query_url,
        "crs": "EPSG:4326",
    }


def layer_metadata(layer, *, filters: dict, registry_url: str, query_url: str) -> dict:
    source = {
        "agency": layer.agency,
        "license": layer.license,
        "attribution": layer.attribution,
        "source_date": layer.source_date.isoformat() if layer.source_date else None,
    }
    return export_metadata(
        title=layer.title,
        sources=[source],
        filters=filters,
        registry_url=registry_url,
        query_url=query_url,
        exported_at=timezone.now(),
    )
