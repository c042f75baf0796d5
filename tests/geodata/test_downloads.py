"""Layer downloads reopen in GIS software with the same features and attributes."""

import io
import zipfile

import pyogrio
import pytest

from geodata.ingest import ingest_layer
from geodata.models import Layer
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS
from tests.geodata.conftest import UPLOADS, make_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def faults():
    layer, _ = load_reference_layer(next(spec for spec in REFERENCE_LAYERS if spec.slug == "gem-active-faults"))
    return layer


def download(client, layer, file_format):
    response = client.get(f"/layers/{layer.pk}/download.{file_format}")
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


@pytest.mark.parametrize("file_format", ["gpkg", "geojson", "shp.zip", "csv"])
def test_download_reopens_with_every_feature(client, faults, tmp_path, file_format):
    response, content = download(client, faults, file_format)
    assert response.status_code == 200
    path = tmp_path / f"download.{file_format}"
    path.write_bytes(content)
    if file_format == "shp.zip":
        assert {name.rsplit(".", 1)[1] for name in zipfile.ZipFile(io.BytesIO(content)).namelist()} >= {
            "shp",
            "shx",
            "dbf",
            "prj",
            "cpg",
        }
        path = f"/vsizip/{path}"
    if file_format == "csv":
        frame = pyogrio.read_dataframe(path, read_geometry=False)
        assert "geometry_wkt" in frame.columns
    else:
        frame = pyogrio.read_dataframe(path)
        assert frame.crs.to_epsg() == 4326
        assert set(frame.geometry.geom_type) == {"LineString"}
    assert len(frame) == 234
    assert "Xiangshuihe - Xiaojiang Fault" in set(frame["fz_name"])


def test_a_mixed_layer_cannot_be_a_shapefile_and_says_why(client):
    layer = make_layer(is_published=True)
    ingest_layer(layer, UPLOADS / "fiona_trio_mixed_types.geojson")
    response, _ = download(client, Layer.objects.get(pk=layer.pk), "shp.zip")
    assert response.status_code == 409
    assert "download it as GeoPackage or GeoJSON" in response.json()["error"]


def test_unknown_format_and_unpublished_layers_are_404(client, faults):
    assert client.get(f"/layers/{faults.pk}/download.xlsx").status_code == 404
    Layer.objects.filter(pk=faults.pk).update(is_published=False)
    assert client.get(f"/layers/{faults.pk}/download.gpkg").status_code == 404
