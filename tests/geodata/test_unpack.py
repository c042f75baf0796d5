"""Safe unpacking: hostile archives are refused before anything reaches GDAL."""

import io
import shutil
import stat
import zipfile

import pytest

from geodata.errors import IngestError
from geodata.ingest import ingest_layer
from geodata.models import Feature, LayerStatus
from geodata.unpack import unpack_upload
from tests.geodata.conftest import UPLOADS


def make_zip(path, members: dict[str, bytes], *, symlink: str | None = None):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        if symlink:
            link = zipfile.ZipInfo(symlink)
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(link, "/etc/passwd")
    return path


def test_member_with_dotdot_is_refused(tmp_path):
    upload = make_zip(tmp_path / "evil.zip", {"../evil.geojson": b"{}"})
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(IngestError, match=r"outside the archive"):
        unpack_upload(upload, work)
    assert not (tmp_path / "evil.geojson").exists()
    assert list(work.iterdir()) == []


def test_member_with_absolute_path_is_refused(tmp_path):
    upload = make_zip(tmp_path / "evil.zip", {"/tmp/evil.geojson": b"{}"})
    with pytest.raises(IngestError, match="absolute path"):
        unpack_upload(upload, tmp_path)


def test_symlink_member_is_refused(tmp_path):
    upload = make_zip(tmp_path / "link.zip", {"a.geojson": b"{}"}, symlink="passwd.geojson")
    with pytest.raises(IngestError, match="symbolic link"):
        unpack_upload(upload, tmp_path)


def test_archive_over_the_size_limit_is_refused_and_fails_the_layer(layer, settings):
    settings.INGEST_MAX_UNCOMPRESSED_BYTES = 100_000  # alaska unpacks to ~340 kB
    report = ingest_layer(layer, UPLOADS / "qgis_alaska_albers_ft_shp.zip")
    layer.refresh_from_db()
    assert layer.status == LayerStatus.FAILED
    assert "unpacks to more than 100,000 bytes" in report["error"]
    assert not Feature.objects.filter(layer=layer).exists()


def test_archive_with_too_many_files_is_refused(tmp_path, settings):
    settings.INGEST_MAX_FILES = 3
    with pytest.raises(IngestError, match="more than 3 files"):
        unpack_upload(UPLOADS / "qgis_alaska_albers_ft_shp.zip", tmp_path)


def test_zip_inside_zip_inside_zip_is_refused(tmp_path):
    innermost = io.BytesIO()
    with zipfile.ZipFile(innermost, "w") as archive:
        archive.writestr("points.geojson", b"{}")
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as archive:
        archive.writestr("inner.zip", innermost.getvalue())
    upload = make_zip(tmp_path / "outer.zip", {"middle.zip": middle.getvalue()})
    with pytest.raises(IngestError, match="only one level of zip inside zip"):
        unpack_upload(upload, tmp_path)


def test_members_get_generated_names_and_sidecars_stay_together(tmp_path):
    upload = make_zip(
        tmp_path / "names.zip",
        {"deep/folder/My Mines!.shp": b"", "deep/folder/My Mines!.SHX": b"", "deep/folder/My Mines!.dbf": b""},
    )
    work = tmp_path / "work"
    work.mkdir()
    unpacked = unpack_upload(upload, work)
    assert sorted(path.name for path in work.iterdir()) == ["f0001.dbf", "f0001.shp", "f0001.shx"]
    assert unpacked.original_name(work / "f0001.shp") == "My Mines!.shp"


def test_file_named_with_an_exclamation_mark_imports(layer, tmp_path):
    upload = tmp_path / "!test.geojson"
    shutil.copyfile(UPLOADS / "fiona_trio_mixed_types.geojson", upload)
    report = ingest_layer(layer, upload)
    layer.refresh_from_db()
    assert layer.status == LayerStatus.READY
    assert report["source_file"] == "!test.geojson"
    assert Feature.objects.filter(layer=layer).count() == 3


def test_unsupported_single_file_is_refused(layer, tmp_path):
    upload = tmp_path / "mines.csv"
    upload.write_text("name,lon,lat\nA,1,2\n")
    report = ingest_layer(layer, upload)
    assert layer.status == LayerStatus.FAILED
    assert "not supported" in report["error"]
