"""Uploads refused for good do not stay in media/uploads/, nor do the uploads of deleted layers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from geodata import services
from geodata.models import Layer, LayerStatus
from tests.geodata.conftest import UPLOADS

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, filename: str) -> Layer:
    data = {"title": "Layer", "country": "ID", "theme": "other"}
    data["file"] = SimpleUploadedFile(filename, (UPLOADS / filename).read_bytes())
    assert client.post("/layers/upload/", data).status_code == 302
    return Layer.objects.latest("pk")


def stored(media) -> list:
    return sorted(path.name for path in (media / "uploads").glob("*"))


@pytest.mark.parametrize("filename", ["pyshp_empty_zipfile.zip", "pyshp_latin1_missing_shx.zip"])
def test_an_upload_refused_for_good_is_deleted(client, uploader, media, filename):
    layer = upload(client, filename)
    assert layer.status == LayerStatus.FAILED
    assert stored(media) == []
    assert not layer.upload_file
    page = client.get(f"/layers/{layer.pk}/")
    assert page.status_code == 200


@pytest.mark.parametrize(
    "filename", ["mapshaper_c_utm_no_prj_shp.zip", "pyshp_blockgroups_multishapefile.zip", "geonode_valid.kml"]
)
def test_uploads_that_a_retry_can_still_use_are_kept(client, uploader, media, filename):
    layer = upload(client, filename)
    assert layer.status in (LayerStatus.NEEDS_CRS, LayerStatus.FAILED, LayerStatus.READY)
    assert stored(media) == [layer.upload_file.name.rsplit("/", 1)[1]]


def test_deleting_a_layer_deletes_its_upload_unless_a_sibling_uses_it(client, uploader, media):
    layer = upload(client, "pyshp_blockgroups_multishapefile.zip")
    layers = services.import_every_layer(layer=layer, by=uploader, options=services.IngestOptions(srid=4326))
    assert len(layers) == 2 and len(stored(media)) == 1
    layers[1].delete()
    assert len(stored(media)) == 1  # the first layer still imports from it
    Layer.objects.get(pk=layers[0].pk).delete()
    assert stored(media) == []
