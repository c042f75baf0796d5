"""Which text encoding a shapefile's DBF uses, and how we know: the .cpg, the DBF header, or a guess.

GDAL's own guess falls back silently; the uploader needs to see which rule decided so that
garbled names can be fixed with an override.
"""

import codecs
from pathlib import Path

from django.utils.translation import gettext

from geodata.errors import IngestError

# How each answer was reached, as shown in the report.
FROM_CPG = "cpg"
FROM_DBF_HEADER = "dbf header"
DETECTED = "detected"
FROM_USER = "user"
FROM_FORMAT = "format"  # GeoPackage, GeoJSON and KML are UTF-8 by their specifications

# Values seen in real .cpg files, normalised (lowercase, no spaces, dashes or underscores).
_CPG_NAMES = {
    "utf8": "UTF-8",
    "65001": "UTF-8",
    "88591": "ISO-8859-1",
    "iso88591": "ISO-8859-1",
    "latin1": "ISO-8859-1",
    "28591": "ISO-8859-1",
    "88592": "ISO-8859-2",
    "iso88592": "ISO-8859-2",
    "885915": "ISO-8859-15",
    "iso885915": "ISO-8859-15",
    "big5": "BIG5",
    "950": "CP950",
    "gbk": "GBK",
    "gb2312": "GBK",
    "936": "CP936",
    "sjis": "CP932",
    "shiftjis": "CP932",
    "932": "CP932",
    "949": "CP949",
    "euckr": "CP949",
    "874": "CP874",
    "tis620": "CP874",
    "437": "CP437",
    "850": "CP850",
    "866": "CP866",
}

# DBF language driver ids (header byte 29) and their code pages, from the dBASE/ArcGIS tables GDAL uses.
_LANGUAGE_DRIVER_IDS = {
    0x01: "CP437",
    0x02: "CP850",
    0x03: "CP1252",
    0x08: "CP865",
    0x09: "CP437",
    0x0A: "CP850",
    0x0B: "CP437",
    0x0D: "CP437",
    0x0E: "CP850",
    0x0F: "CP437",
    0x10: "CP850",
    0x11: "CP437",
    0x12: "CP850",
    0x13: "CP932",
    0x14: "CP850",
    0x15: "CP437",
    0x16: "CP850",
    0x17: "CP865",
    0x18: "CP437",
    0x19: "CP437",
    0x1A: "CP850",
    0x1B: "CP437",
    0x1C: "CP863",
    0x1D: "CP850",
    0x1F: "CP852",
    0x22: "CP852",
    0x23: "CP852",
    0x24: "CP860",
    0x25: "CP850",
    0x26: "CP866",
    0x37: "CP850",
    0x40: "CP852",
    0x4D: "CP936",
    0x4E: "CP949",
    0x4F: "CP950",
    0x50: "CP874",
    0x57: "CP1252",
    0x58: "CP1252",
    0x59: "CP1252",
    0x64: "CP852",
    0x65: "CP866",
    0x66: "CP865",
    0x67: "CP861",
    0x6A: "CP737",
    0x6B: "CP857",
    0x78: "CP950",
    0x79: "CP949",
    0x7A: "CP936",
    0x7B: "CP932",
    0x7C: "CP874",
    0x7D: "CP1255",
    0x7E: "CP1256",
    0x87: "CP852",
    0x88: "CP857",
    0xC8: "CP1250",
    0xC9: "CP1251",
    0xCA: "CP1254",
    0xCB: "CP1253",
    0xCC: "CP1257",
}


def validated_encoding(name: str) -> str:
    """An encoding typed by a user, checked against Python's codecs (GDAL accepts the same names)."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise IngestError(
            gettext("%(name)r is not an encoding we know; try UTF-8, CP1252 or ISO-8859-1.") % {"name": name}
        ) from None
    return name


def dbf_encoding(dbf_path: Path, *, override: str | None = None) -> tuple[str, str]:
    """The DBF's encoding and how it was decided: user override, .cpg, header code page, or detection."""
    if override:
        return validated_encoding(override), FROM_USER
    cpg = _cpg_encoding(dbf_path)
    if cpg:
        return cpg, FROM_CPG
    header = _header_encoding(dbf_path)
    if header:
        return header, FROM_DBF_HEADER
    return _detected_encoding(dbf_path), DETECTED


def cpg_to_encoding(text: str) -> str | None:
    """Map a .cpg's content to an encoding name, or None for junk such as "System" or "OEM"."""
    key = "".join(char for char in text.strip().lower() if char.isalnum())
    if key.startswith("ansi") or key.startswith("cp") or key.startswith("windows"):
        digits = key.removeprefix("ansi").removeprefix("cp").removeprefix("windows")
        if digits.isdigit():
            key = digits
    if key in _CPG_NAMES:
        return _CPG_NAMES[key]
    if key.isdigit() and len(key) == 4 and key.startswith("125"):
        return f"CP{key}"
    return None


def _cpg_encoding(dbf_path: Path) -> str | None:
    for sibling in dbf_path.parent.glob(f"{dbf_path.stem}.*"):
        if sibling.suffix.lower() == ".cpg":
            return cpg_to_encoding(sibling.read_bytes()[:100].decode("ascii", errors="ignore"))
    return None


def _header_encoding(dbf_path: Path) -> str | None:
    with dbf_path.open("rb") as dbf:
        header = dbf.read(32)
    if len(header) < 32:
        return None
    return _LANGUAGE_DRIVER_IDS.get(header[29])


def _detected_encoding(dbf_path: Path) -> str:
    """UTF-8 if the text is non-ASCII and decodes as UTF-8; otherwise ISO-8859-1, the shapefile default."""
    content = dbf_path.read_bytes()
    header_length = int.from_bytes(content[8:10], "little") if len(content) >= 10 else 0
    records = content[header_length:]
    if records.isascii():
        return "ISO-8859-1"
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        return "ISO-8859-1"
    return "UTF-8"
