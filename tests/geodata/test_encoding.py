"""DBF encodings: a meaningful .cpg, else the header's code page, else detection; the user may override."""

import zipfile

import pytest

from geodata.encoding import cpg_to_encoding, dbf_encoding
from geodata.errors import IngestError
from geodata.ingest import ingest_layer
from tests.geodata.conftest import UPLOADS


@pytest.mark.parametrize(
    ("cpg", "expected"),
    [
        ("UTF-8", "UTF-8"),
        ("utf8\n", "UTF-8"),
        ("1252", "CP1252"),
        ("ANSI 1251", "CP1251"),
        ("ISO-8859-1", "ISO-8859-1"),
        ("88591", "ISO-8859-1"),
        ("Big-5", "BIG5"),
        ("Big5", "BIG5"),
        ("System", None),
        ("OEM", None),
        ("", None),
    ],
)
def test_cpg_values_map_to_encodings(cpg, expected):
    assert cpg_to_encoding(cpg) == expected


def test_latin1_dbf_without_cpg_is_detected_as_iso_8859_1(tmp_path):
    with zipfile.ZipFile(UPLOADS / "pyshp_latin1_missing_shx.zip") as archive:
        archive.extract("latin1.dbf", tmp_path)
    assert dbf_encoding(tmp_path / "latin1.dbf") == ("ISO-8859-1", "detected")


def test_user_override_wins_and_is_checked(tmp_path):
    with zipfile.ZipFile(UPLOADS / "pyshp_latin1_missing_shx.zip") as archive:
        archive.extract("latin1.dbf", tmp_path)
    assert dbf_encoding(tmp_path / "latin1.dbf", override="CP1252") == ("CP1252", "user")
    with pytest.raises(IngestError, match="not an encoding"):
        dbf_encoding(tmp_path / "latin1.dbf", override="klingon")


def test_bogus_cpg_falls_back_and_the_report_says_so(layer):
    report = ingest_layer(layer, UPLOADS / "qgis_airports_cpg_system_shp.zip")
    assert (report["encoding"], report["encoding_decided_by"]) == ("ISO-8859-1", "detected")
    assert layer.encoding == "ISO-8859-1"


def test_encoding_override_reaches_the_report_and_the_values(layer):
    report = ingest_layer(layer, UPLOADS / "mapshaper_big5_cpg_shp.zip", encoding="CP950", srid=3857)
    assert (report["encoding"], report["encoding_decided_by"]) == ("CP950", "user")
    assert layer.features.get().properties["name"] == "國語"
