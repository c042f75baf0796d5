"""Downloads of a layer in the formats GIS users expect: GeoPackage, zipped Shapefile, GeoJSON, CSV."""

import json
import tempfile
import zipfile
from pathlib import Path

import geopandas
import pandas
import pyogrio
import shapely
from django.db import connection

from geodata.errors import IngestError
from geodata.models import Feature, Layer

FORMATS = {
    "gpkg": ("GPKG", "application/geopackage+sqlite3"),
    "shp.zip": ("ESRI Shapefile", "application/zip"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "csv": ("CSV", "text/csv"),
}


class ExportError(IngestError):
    """The layer cannot be written in the asked format; the message says why."""


def layer_frame(layer: Layer) -> geopandas.GeoDataFrame:
    table = Feature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_index, ST_AsBinary(geom), properties FROM {table} "
            "WHERE layer_id = %s ORDER BY source_index",
            [layer.pk],
        )
        rows = cursor.fetchall()
    # Django's connection hands JSONB back as text.
    records = [row[2] if isinstance(row[2], dict) else json.loads(row[2]) for row in rows]
    attributes = pandas.DataFrame(records, index=[row[0] for row in rows]).infer_objects()
    # Columns still mixing types (or all empty) are written as text: GDAL needs one type per field.
    for name in attributes.select_dtypes(include="object").columns:
        attributes[name] = attributes[name].map(lambda value: None if value is None else str(value))
    geometries = shapely.from_wkb([bytes(row[1]) for row in rows])
    return geopandas.GeoDataFrame(attributes, geometry=geometries, crs="EPSG:4326")


def export_layer(layer: Layer, file_format: str, directory: Path) -> Path:
    """Write the layer into `directory` and return the file to send (one file; shapefiles zipped)."""
    driver, _ = FORMATS[file_format]
    frame = layer_frame(layer)
    stem = f"layer-{layer.pk}"
    if file_format == "csv":
        path = directory / f"{stem}.csv"
        frame.assign(geometry_wkt=shapely.to_wkt(frame.geometry.values)).drop(columns="geometry").to_csv(path)
        return path
    if file_format == "shp.zip":
        types = set(frame.geometry.geom_type.str.replace("Multi", ""))
        if len(types) > 1:
            raise ExportError(
                f"A shapefile holds one kind of geometry and this layer mixes {', '.join(sorted(types))}; "
                "download it as GeoPackage or GeoJSON instead."
            )
        folder = directory / stem
        folder.mkdir()
        pyogrio.write_dataframe(frame, folder / f"{stem}.shp", driver=driver, encoding="UTF-8")
        path = directory / f"{stem}.shp.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in sorted(folder.iterdir()):
                archive.write(member, member.name)
        return path
    path = directory / f"{stem}.{file_format}"
    pyogrio.write_dataframe(frame, path, driver=driver, layer=stem)
    return path


def export_to_temporary_file(layer: Layer, file_format: str):
    """The export as an open temporary file (deleted when closed) and its download name."""
    with tempfile.TemporaryDirectory(prefix="export-") as directory:
        path = export_layer(layer, file_format, Path(directory))
        handle = tempfile.TemporaryFile()
        handle.write(path.read_bytes())
        handle.seek(0)
        return handle, path.name
