"""Safe unpacking of an uploaded file into a working directory, before GDAL sees any of it.

Uploads come from outside, so a zip is treated as hostile: limits on total size and member
count (zip bombs), no absolute paths, no `..`, no links (zip slip), and one level of zip inside
zip at most. Members are written under generated names, so nothing in an uploaded name (spaces,
`!`, unicode, a leading dash) ever reaches a path or GDAL; shapefile sidecars keep a shared
stem so GDAL still finds them together. The original names are kept for messages and reports.
"""

import io
import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext

from geodata.errors import IngestError

DEFAULT_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
DEFAULT_MAX_FILES = 1000
SINGLE_FILE_EXTENSIONS = {".gpkg", ".geojson", ".json", ".kml"}
_SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,12}")
_SAFE_GDB_MEMBER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,100}")
_COPY_CHUNK_BYTES = 1024 * 1024


@dataclass
class Unpacked:
    """The working directory and, for every file written there, the name it had in the upload."""

    directory: Path
    original_names: dict[Path, str] = field(default_factory=dict)
    bytes_written: int = 0
    files_written: int = 0

    def original_name(self, path: Path) -> str:
        return self.original_names.get(path, path.name)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "INGEST_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)


def max_files() -> int:
    return getattr(settings, "INGEST_MAX_FILES", DEFAULT_MAX_FILES)


def unpack_upload(upload_path: Path, work_dir: Path, *, original_name: str | None = None) -> Unpacked:
    """Unpack (a zip) or copy (anything else) `upload_path` into `work_dir` under generated names."""
    original_name = original_name or upload_path.name
    unpacked = Unpacked(directory=work_dir)
    if zipfile.is_zipfile(upload_path):
        try:
            with zipfile.ZipFile(upload_path) as archive:
                _extract_archive(archive, original_name, unpacked, work_dir, depth=0)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            # The directory at its end looked fine, but what it points to is not (a lying header, a bad CRC).
            raise IngestError(
                gettext("%(file)s is damaged (%(error)s); make the zip again from the original files and upload it.")
                % {"file": original_name, "error": error}
            ) from None
        return unpacked
    extension = upload_path.suffix.lower()
    if extension == ".zip":
        raise IngestError(
            gettext("%(file)s is not a readable zip file; make it again and upload it.") % {"file": original_name}
        )
    if extension not in SINGLE_FILE_EXTENSIONS:
        raise IngestError(
            gettext(
                "%(file)s: this kind of file is not supported. Upload a zipped shapefile (.zip with "
                ".shp, .shx and .dbf), a GeoPackage (.gpkg), GeoJSON (.geojson, .json) or KML (.kml)."
            )
            % {"file": original_name}
        )
    size = upload_path.stat().st_size
    if size > max_uncompressed_bytes():
        raise IngestError(
            gettext("%(file)s is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"file": original_name, "size": _number(size), "limit": _number(max_uncompressed_bytes())}
        )
    target = work_dir / f"upload{extension}"
    shutil.copyfile(upload_path, target)
    unpacked.original_names[target] = original_name
    unpacked.bytes_written = size
    unpacked.files_written = 1
    return unpacked


def _extract_archive(archive: zipfile.ZipFile, archive_name: str, unpacked: Unpacked, target: Path, depth: int):
    members = [member for member in archive.infolist() if not member.is_dir()]
    for member in members:
        _check_member(member, archive_name)
    if unpacked.files_written + len(members) > max_files():
        raise IngestError(
            gettext("%(archive)s holds more than %(limit)s files; upload fewer files per archive.")
            % {"archive": archive_name, "limit": _number(max_files())}
        )
    declared = sum(member.file_size for member in members)
    if unpacked.bytes_written + declared > max_uncompressed_bytes():
        raise IngestError(
            gettext(
                "%(archive)s unpacks to more than %(limit)s bytes; "
                "split the upload or ask an administrator to raise the limit."
            )
            % {"archive": archive_name, "limit": _number(max_uncompressed_bytes())}
        )
    namer = _SafeNamer(target, unpacked.original_names)
    for member in members:
        member_path = PurePosixPath(member.filename.replace("\\", "/"))
        if member_path.suffix.lower() == ".zip":
            if depth >= 1:
                raise IngestError(
                    gettext(
                        "%(archive)s holds another archive (%(inner)s) inside an archive inside the "
                        "upload; only one level of zip inside zip is unpacked. Upload the inner archive itself."
                    )
                    % {"archive": archive_name, "inner": member_path.name}
                )
            inner_dir = namer.directory_for_archive()
            with archive.open(member) as inner_stream:
                inner_bytes = inner_stream.read()
            unpacked.files_written += 1
            with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
                _extract_archive(inner, member_path.name, unpacked, inner_dir, depth=depth + 1)
            continue
        destination = namer.path_for(member_path, archive_name)
        with archive.open(member) as source, destination.open("wb") as sink:
            shutil.copyfileobj(source, sink, _COPY_CHUNK_BYTES)
        unpacked.original_names[destination] = member_path.name
        unpacked.bytes_written += member.file_size
        unpacked.files_written += 1


def _check_member(member: zipfile.ZipInfo, archive_name: str) -> None:
    name = member.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise IngestError(
            gettext("%(archive)s: member %(member)r has an absolute path; archives must hold relative paths only.")
            % {"archive": archive_name, "member": member.filename}
        )
    if ".." in parts:
        raise IngestError(
            gettext("%(archive)s: member %(member)r points outside the archive (`..`); such archives are refused.")
            % {"archive": archive_name, "member": member.filename}
        )
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise IngestError(
            gettext("%(archive)s: member %(member)r is a symbolic link; links are refused.")
            % {"archive": archive_name, "member": member.filename}
        )


class _SafeNamer:
    """Generated names for one archive: f0001.shp, f0001.dbf… per (folder, stem); g0001.gdb/ per FileGDB.

    Folders in the upload do not matter, except that files of the same stem in different folders are
    different datasets, and a FileGDB is a folder whose inner names GDAL needs unchanged.
    """

    def __init__(self, directory: Path, original_names: dict[Path, str]):
        self.directory = directory
        self.original_names = original_names
        self.stems: dict[tuple[str, str], str] = {}
        self.gdb_folders: dict[str, Path] = {}
        self.archives = 0

    def path_for(self, member_path: PurePosixPath, archive_name: str) -> Path:
        gdb_index = next((i for i, part in enumerate(member_path.parts[:-1]) if part.lower().endswith(".gdb")), None)
        if gdb_index is not None:
            return self._gdb_member_path(member_path, gdb_index, archive_name)
        key = (str(member_path.parent), member_path.stem)
        if key not in self.stems:
            self.stems[key] = f"f{len(self.stems) + 1:04d}"
        extension = member_path.suffix.lower()
        if not _SAFE_EXTENSION.fullmatch(extension):
            extension = ".unknown"
        return self.directory / f"{self.stems[key]}{extension}"

    def _gdb_member_path(self, member_path: PurePosixPath, gdb_index: int, archive_name: str) -> Path:
        gdb_key = "/".join(member_path.parts[: gdb_index + 1])
        if gdb_key not in self.gdb_folders:
            folder = self.directory / f"g{len(self.gdb_folders) + 1:04d}.gdb"
            folder.mkdir()
            self.gdb_folders[gdb_key] = folder
            self.original_names[folder] = member_path.parts[gdb_index]
        inner = member_path.parts[gdb_index + 1 :]
        if len(inner) != 1 or not _SAFE_GDB_MEMBER.fullmatch(inner[0]):
            raise IngestError(
                gettext("%(archive)s: %(member)s is not a file a File Geodatabase holds.")
                % {"archive": archive_name, "member": member_path}
            )
        return self.gdb_folders[gdb_key] / inner[0]

    def directory_for_archive(self) -> Path:
        self.archives += 1
        folder = self.directory / f"z{self.archives:04d}"
        folder.mkdir()
        return folder


def _number(value: int) -> str:
    """A byte or file count as people read it: 1,048,576 in English."""
    return number_format(value, force_grouping=True)
