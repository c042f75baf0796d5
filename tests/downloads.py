"""Helpers for download tests: fetch an export, save it as a file, reopen it the way GIS software does."""

import io
import json
import zipfile
from pathlib import Path

import pyogrio

# The CSV downloads carry geometry as WKT in this column; GDAL's CSV driver is told where to look.
CSV_GEOMETRY = {"GEOM_POSSIBLE_NAMES": "geometry_wkt", "KEEP_GEOM_COLUMNS": "NO"}


def present(value):
    """A read value, or None for the ways formats write a missing one (null, NaN, empty CSV cell)."""
    return None if value is None or value == "" or value != value else value


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def save(response, tmp_path: Path, file_format: str) -> Path:
    path = tmp_path / f"download.{file_format}"
    path.write_bytes(body(response))
    return path


def reopen(path: Path, file_format: str):
    """The downloaded file as a GeoDataFrame read by pyogrio (GDAL); a shapefile's fields get their full names back."""
    if file_format == "csv":
        return pyogrio.read_dataframe(path, **CSV_GEOMETRY)
    if file_format == "shp.zip":
        frame = pyogrio.read_dataframe(f"/vsizip/{path}")
        return frame.rename(columns=shapefile_side_file(path)["shapefile_fields"])
    return pyogrio.read_dataframe(path)


def shapefile_side_file(path: Path) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    (name,) = [member for member in archive.namelist() if member.endswith(".metadata.json")]
    return json.loads(archive.read(name))
