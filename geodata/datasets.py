"""Find what can be imported in an unpacked upload: shapefiles, GeoPackage/FileGDB layers, GeoJSON, KML.

Each importable layer is a candidate. When there are several, the uploader picks one by name
(`layer=`; the web form and the API offer the names) or imports every one as its own survey
layer (`services.import_every_layer`): we never merge layers or pick one silently, because that
would hide data. A broken shapefile (no .shx, only a .dbf) or an archive
with nothing readable is an error naming what is missing, never an empty success.
"""

import warnings
from dataclasses import dataclass
from pathlib import Path

import pyogrio
from django.utils.translation import gettext, ngettext
from pyogrio.errors import DataLayerError, DataSourceError

from geodata.errors import IngestError, LayerChoiceRequired
from geodata.unpack import Unpacked

SHAPEFILE = "ESRI Shapefile"
_SINGLE_FILE_EXTENSIONS = {".gpkg", ".geojson", ".json", ".kml"}


@dataclass(frozen=True)
class DatasetCandidate:
    """One importable layer: `name` is what the uploader sees and picks."""

    name: str
    path: Path
    layer: str
    driver: str
    feature_count: int
    geometry_type: str | None
    crs: str | None
    source_file: str

    @property
    def is_shapefile(self) -> bool:
        return self.driver == SHAPEFILE


@dataclass(frozen=True)
class Inventory:
    """The candidates found, plus tables we skipped because they hold no geometry (not an error)."""

    candidates: list[DatasetCandidate]
    skipped_tables: list[str]

    @property
    def names(self) -> list[str]:
        return [candidate.name for candidate in self.candidates]


def find_datasets(unpacked: Unpacked) -> Inventory:
    """Every importable layer in the unpacked upload, checked for missing shapefile parts."""
    files = sorted(path for path in unpacked.directory.rglob("*") if path.is_file() and ".gdb" not in path.parent.name)
    gdb_folders = sorted(path for path in unpacked.directory.rglob("*.gdb") if path.is_dir())
    candidates: list[DatasetCandidate] = []
    skipped: list[str] = []
    for shp in (path for path in files if path.suffix == ".shp"):
        _check_shapefile_parts(shp, unpacked)
        candidates += _layers_of(shp, unpacked, skipped)
    for path in files:
        if path.suffix in _SINGLE_FILE_EXTENSIONS:
            candidates += _layers_of(path, unpacked, skipped)
    for folder in gdb_folders:
        candidates += _layers_of(folder, unpacked, skipped)
    if not candidates:
        raise _nothing_found(files, unpacked, skipped)
    return Inventory(candidates=_unique_names(candidates), skipped_tables=skipped)


def choose_dataset(inventory: Inventory, layer_name: str | None) -> DatasetCandidate:
    """The candidate named `layer_name`, or the only one; several without a name is an error listing them."""
    candidates = inventory.candidates
    if layer_name:
        for match in (lambda c: c.name == layer_name, lambda c: c.name.lower() == layer_name.lower()):
            found = [candidate for candidate in candidates if match(candidate)]
            if len(found) == 1:
                return found[0]
        raise LayerChoiceRequired(
            gettext("There is no layer %(name)r in the upload; its layers are: %(names)s.")
            % {"name": layer_name, "names": ", ".join(inventory.names)},
            inventory.names,
        )
    if len(candidates) == 1:
        return candidates[0]
    raise LayerChoiceRequired(
        gettext(
            "The upload holds %(count)s layers: %(names)s. "
            "Choose the one to import (each layer is imported as its own survey layer)."
        )
        % {"count": len(candidates), "names": ", ".join(inventory.names)},
        inventory.names,
    )


def _check_shapefile_parts(shp: Path, unpacked: Unpacked) -> None:
    original = unpacked.original_name(shp)
    missing = [extension for extension in (".shx", ".dbf") if not shp.with_suffix(extension).exists()]
    if missing:
        stem = Path(original).stem
        names = ", ".join(f"{stem}{extension}" for extension in missing)
        raise IngestError(
            ngettext(
                "The shapefile %(file)s is incomplete: %(names)s is missing. "
                "Zip the .shp together with its .shx and .dbf (and .prj, .cpg if you have them).",
                "The shapefile %(file)s is incomplete: %(names)s are missing. "
                "Zip the .shp together with its .shx and .dbf (and .prj, .cpg if you have them).",
                len(missing),
            )
            % {"file": original, "names": names}
        )


def _layers_of(path: Path, unpacked: Unpacked, skipped: list[str]) -> list[DatasetCandidate]:
    source_file = unpacked.original_name(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # M-type and ring notices; the ingest reports them itself
            layers = pyogrio.list_layers(path)
            found = []
            for layer_name, geometry_type in layers:
                if geometry_type is None:
                    skipped.append(f"{source_file}: {layer_name}")
                    continue
                info = pyogrio.read_info(path, layer=layer_name)
                # Shapefile and GeoJSON layers are named after the (generated) file: show the uploaded name.
                name = Path(source_file).stem if layer_name == path.stem else str(layer_name)
                found.append(
                    DatasetCandidate(
                        name=name,
                        path=path,
                        layer=str(layer_name),
                        driver=info["driver"],
                        feature_count=int(info["features"]),
                        geometry_type=info["geometry_type"],
                        crs=info["crs"],
                        source_file=source_file,
                    )
                )
    except (DataSourceError, DataLayerError) as error:
        raise IngestError(
            gettext("%(file)s could not be read: %(error)s")
            % {"file": source_file, "error": _first_sentence(str(error), unpacked)}
        ) from None
    return found


def _nothing_found(files: list[Path], unpacked: Unpacked, skipped: list[str]) -> IngestError:
    if skipped:
        return IngestError(
            gettext("The upload holds only tables without geometry (%(tables)s); nothing to map.")
            % {"tables": ", ".join(skipped)}
        )
    orphans = [unpacked.original_name(path) for path in files if path.suffix in {".dbf", ".shx"}]
    if orphans:
        return IngestError(
            gettext("The upload holds %(files)s but no .shp: a shapefile needs its .shp, .shx and .dbf together.")
            % {"files": ", ".join(orphans)}
        )
    seen = ", ".join(unpacked.original_name(path) for path in files) or gettext("no files at all")
    return IngestError(
        gettext(
            "No dataset found in the upload (it holds %(files)s). Upload a zipped shapefile (.shp with .shx and .dbf), "
            "a GeoPackage, a File Geodatabase (.gdb, zipped), GeoJSON or KML."
        )
        % {"files": seen}
    )


def _unique_names(candidates: list[DatasetCandidate]) -> list[DatasetCandidate]:
    """Prefix the file name when two files hold layers of the same name, so every name picks one layer."""
    names = [candidate.name for candidate in candidates]
    result = []
    for candidate in candidates:
        if names.count(candidate.name) > 1:
            candidate = DatasetCandidate(**{**candidate.__dict__, "name": f"{candidate.source_file}/{candidate.name}"})
        result.append(candidate)
    return result


def _first_sentence(message: str, unpacked: Unpacked) -> str:
    """GDAL's message without our working paths, which mean nothing to the uploader."""
    message = message.replace(str(unpacked.directory) + "/", "")
    for path, original in unpacked.original_names.items():
        message = message.replace(str(path.relative_to(unpacked.directory)), original)
    return message.split("; It might help")[0].split("It might help")[0].strip()
