"""Read a mine-site inventory file into rows: the attributes as text plus a location in WGS 84.

Shapefiles (zipped or not), GeoPackages, GeoJSON and KML go through the same safe unpacking,
dataset choice, encoding and CRS rules as survey layers; a CSV gives its coordinates in
longitude/latitude columns (or projected x/y with `srid`). Polygon inventories keep the polygon
as the site's footprint and a point inside it as its location.
"""

import csv
import io
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.utils.translation import gettext

from geodata import crs as crs_rules
from geodata import encoding as encodings
from geodata.datasets import choose_dataset, find_datasets
from geodata.errors import IngestError
from geodata.unpack import unpack_upload

WGS84 = crs_rules.WGS84
LONGITUDE_COLUMNS = ("longitude", "lon", "long", "lng", "x", "easting")
LATITUDE_COLUMNS = ("latitude", "lat", "y", "northing")


@dataclass
class InventoryRow:
    number: int  # 1-based position among the data rows, as the report names it
    attributes: dict[str, str]
    location: Point | None = None
    footprint: MultiPolygon | None = None
    problem: str = ""


@dataclass
class Inventory:
    rows: list[InventoryRow]
    columns: list[str]
    report: dict = field(default_factory=dict)


def read_inventory(
    path: Path,
    *,
    original_name: str,
    srid: int | None = None,
    encoding: str | None = None,
    layer_name: str | None = None,
    coordinate_columns: tuple[str | None, str | None] = (None, None),
) -> Inventory:
    """Rows with their locations; a row whose location cannot be used carries `problem` instead."""
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path, original_name, srid, encoding, coordinate_columns)
    with tempfile.TemporaryDirectory(prefix="inventory-") as work_dir:
        unpacked = unpack_upload(path, Path(work_dir), original_name=original_name)
        dataset = choose_dataset(find_datasets(unpacked), layer_name)
        report = {"source_file": original_name, "dataset": dataset.name}
        if dataset.is_shapefile:
            text_encoding, decided_by = encodings.dbf_encoding(dataset.path.with_suffix(".dbf"), override=encoding)
        else:
            text_encoding, decided_by = "UTF-8", encodings.FROM_FORMAT
        report.update(encoding=text_encoding, encoding_decided_by=decided_by)
        source_crs = crs_rules.crs_from_srid(srid) if srid else crs_rules.crs_from_dataset(dataset.crs)
        if source_crs is None:
            raise IngestError(
                gettext(
                    "%(file)s does not say which coordinate reference system its coordinates are in; "
                    "give its EPSG code (--srid)."
                )
                % {"file": dataset.source_file}
            )
        report["source_crs"] = crs_rules.describe_crs(source_crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # M values and similar are dropped below, and said so
            meta, _, wkb, values = pyogrio.raw.read(
                dataset.path,
                layer=dataset.layer,
                encoding=text_encoding if dataset.is_shapefile else None,
                datetime_as_string=True,
            )
    columns = [str(name) for name in meta["fields"]]
    geometries = shapely.from_wkb(wkb if wkb is not None else [], on_invalid="ignore")
    rows = [
        InventoryRow(
            number=index + 1,
            attributes={name: _text(column[index]) for name, column in zip(columns, values, strict=True)},
        )
        for index in range(len(geometries))
    ]
    _place_rows(rows, geometries, source_crs)
    return Inventory(rows=rows, columns=columns, report=report)


def _read_csv(path, original_name, srid, encoding, coordinate_columns) -> Inventory:
    raw = path.read_bytes()
    text_encoding = encodings.validated_encoding(encoding) if encoding else "utf-8-sig"
    try:
        text = raw.decode(text_encoding)
        decided_by = encodings.FROM_USER if encoding else "format"
    except UnicodeDecodeError:
        if encoding:
            raise IngestError(
                gettext("%(file)s is not valid %(encoding)s text.") % {"file": original_name, "encoding": encoding}
            ) from None
        text, text_encoding, decided_by = raw.decode("cp1252", errors="replace"), "cp1252", encodings.DETECTED
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    columns = [name.strip() for name in reader.fieldnames or []]
    if not columns:
        raise IngestError(
            gettext("%(file)s is empty: a header line with the column names is needed.") % {"file": original_name}
        )
    x_column = _pick_column(columns, coordinate_columns[0], LONGITUDE_COLUMNS, "longitude", original_name)
    y_column = _pick_column(columns, coordinate_columns[1], LATITUDE_COLUMNS, "latitude", original_name)
    rows = []
    for number, record in enumerate(reader, start=1):
        attributes = {(key or "").strip(): (value or "").strip() for key, value in record.items() if key}
        rows.append(InventoryRow(number=number, attributes=attributes))
    source_crs = crs_rules.crs_from_srid(srid) if srid else WGS84
    points = np.array([_csv_point(row, x_column, y_column) for row in rows], dtype=object)
    _place_rows(rows, points, source_crs)
    report = {
        "source_file": original_name,
        "dataset": original_name,
        "encoding": text_encoding.removesuffix("-sig").upper(),
        "encoding_decided_by": decided_by,
        "source_crs": crs_rules.describe_crs(source_crs),
        "coordinate_columns": [x_column, y_column],
    }
    return Inventory(rows=rows, columns=columns, report=report)


def _pick_column(columns, chosen, candidates, what, original_name) -> str:
    by_lower = {name.lower(): name for name in columns}
    if chosen:
        if chosen.lower() not in by_lower:
            raise IngestError(
                gettext("%(file)s has no column %(column)r for the %(field)s; its columns: %(columns)s.")
                % {"file": original_name, "column": chosen, "field": what, "columns": ", ".join(columns)}
            )
        return by_lower[chosen.lower()]
    for candidate in candidates:
        if candidate in by_lower:
            return by_lower[candidate]
    raise IngestError(
        gettext(
            "%(file)s has no %(field)s column (looked for %(candidates)s); its columns: "
            "%(columns)s. Name it with --map %(field)s=COLUMN."
        )
        % {"file": original_name, "field": what, "candidates": ", ".join(candidates), "columns": ", ".join(columns)}
    )


def _csv_point(row: InventoryRow, x_column: str, y_column: str):
    x_text, y_text = row.attributes.get(x_column, ""), row.attributes.get(y_column, "")
    if not x_text or not y_text:
        row.problem = gettext("no coordinates (%(x)s, %(y)s empty)") % {"x": x_column, "y": y_column}
        return None
    try:
        return shapely.Point(float(x_text.replace(",", ".")), float(y_text.replace(",", ".")))
    except ValueError:
        row.problem = gettext("coordinates are not numbers (%(x)s=%(x_text)r, %(y)s=%(y_text)r)") % {
            "x": x_column,
            "x_text": x_text,
            "y": y_column,
            "y_text": y_text,
        }
        return None


def _place_rows(rows: list[InventoryRow], geometries: np.ndarray, source_crs) -> None:
    """Give each row a WGS 84 point (and footprint for polygons), or the reason it has none."""
    geometries = shapely.force_2d(np.asarray(geometries, dtype=object))
    usable = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    wgs84 = geometries.copy()
    wgs84[usable] = crs_rules.to_wgs84(geometries[usable], source_crs)
    out_of_range = crs_rules.out_of_range_reasons(wgs84)
    for row, geometry, range_problem in zip(rows, wgs84, out_of_range, strict=True):
        if row.problem:
            continue
        if geometry is None or geometry.is_empty:
            row.problem = gettext("no geometry")
        elif range_problem is not None:
            row.problem = range_problem
        else:
            _set_location(row, geometry)


def _set_location(row: InventoryRow, geometry) -> None:
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        if not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
        polygons = [part for part in getattr(geometry, "geoms", [geometry]) if part.geom_type == "Polygon"]
        if polygons:
            row.footprint = GEOSGeometry(memoryview(shapely.MultiPolygon(polygons).wkb), srid=4326)
    point = geometry if geometry.geom_type == "Point" else shapely.point_on_surface(geometry)
    row.location = Point(point.x, point.y, srid=4326)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
