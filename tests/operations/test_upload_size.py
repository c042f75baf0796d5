"""Layer uploads above LAYER_UPLOAD_MAX_MB are refused with a clear message, and nothing is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from geodata.models import Layer

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def limited(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LAYER_UPLOAD_MAX_MB = 1
    return tmp_path


def fields(size: int) -> dict:
    return {
        "title": "Big",
        "country": "ID",
        "theme": "other",
        "file": SimpleUploadedFile("big.geojson", b" " * size),
    }


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_a_page_upload_over_the_limit_is_refused_before_it_is_read(client, uploader, limited):
    response = client.post("/layers/upload/", fields(3 * MB))
    assert response.status_code == 413
    assert b"larger than the 1 MB" in response.content
    assert not Layer.objects.exists() and not stored_files(limited)


def test_an_api_upload_over_the_limit_is_refused_as_json(client, uploader, limited):
    response = client.post("/api/layers/upload/", fields(3 * MB))
    assert response.status_code == 413
    assert "larger than the 1 MB" in response.json()["error"]
    assert not Layer.objects.exists() and not stored_files(limited)


def test_a_file_just_over_the_limit_is_refused_by_the_form(client, uploader, limited):
    response = client.post("/layers/upload/", fields(MB + 10 * 1024))
    assert response.status_code == 400
    assert "larger than the 1 MB" in response.content.decode()
    assert not Layer.objects.exists() and not stored_files(limited)


def test_a_file_under_the_limit_is_accepted(client, uploader, limited, settings):
    from tests.geodata.conftest import UPLOADS

    data = fields(0)
    data["file"] = SimpleUploadedFile("points.kml", (UPLOADS / "geonode_valid.kml").read_bytes())
    response = client.post("/layers/upload/", data)
    assert response.status_code == 302
    assert Layer.objects.count() == 1
