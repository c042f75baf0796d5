"""Uploading a survey layer through the web: who may, the background import, needs-CRS, publishing."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from access.models import Membership, Role
from geodata.models import Layer, LayerStatus
from tests.geodata.conftest import UPLOADS, make_layer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_member(username: str, role: str, country: str) -> User:
    user = User.objects.create_user(username, password="pw")
    Membership.objects.create(user=user, role=role, country=country)
    return user


@pytest.fixture
def uploader(client):
    return make_member("dmr-uploader", Role.SURVEY_UPLOADER, "ID")


@pytest.fixture
def reviewer():
    return make_member("reviewer", Role.REVIEWER, "ID")


def upload(client, filename: str, **fields):
    data = {"title": "Points", "country": "ID", "theme": "mineral_occurrences", "license": "CC BY 4.0"}
    data.update(fields)
    data["file"] = SimpleUploadedFile(filename, (UPLOADS / filename).read_bytes())
    return client.post("/layers/upload/", data)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/layers/upload/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_people_without_the_uploader_role_are_refused(client):
    client.force_login(make_member("officer", Role.ENVIRONMENTAL_OFFICER, "ID"))
    assert client.get("/layers/upload/").status_code == 403
    assert upload(client, "geonode_invalid_layer_name.gpkg").status_code == 403
    assert Layer.objects.count() == 0


def test_an_uploader_cannot_upload_for_another_country(client, uploader):
    client.force_login(uploader)
    response = upload(client, "geonode_invalid_layer_name.gpkg", country="PH")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Layer.objects.count() == 0


def test_upload_imports_in_the_background_and_shows_the_report(client, uploader):
    client.force_login(uploader)
    response = upload(client, "geonode_invalid_layer_name.gpkg", title="Stations")
    layer = Layer.objects.get(title="Stations")
    assert response.status_code == 302 and response["Location"] == f"/en/layers/{layer.pk}/"
    assert (layer.status, layer.feature_count, layer.created_by) == (LayerStatus.READY, 146, uploader)
    assert layer.report["source_file"] == "geonode_invalid_layer_name.gpkg"
    assert not layer.upload_file.name.endswith("geonode_invalid_layer_name.gpkg")  # stored under a generated name
    page = client.get(f"/layers/{layer.pk}/").content.decode()
    assert "Import report" in page and "EPSG:32632" in page
    status = client.get(f"/layers/{layer.pk}/status.json").json()
    assert status["finished"] and status["feature_count"] == 146


def test_unsupported_file_is_refused_with_a_clear_message(client, uploader):
    client.force_login(uploader)
    response = client.post(
        "/layers/upload/",
        {"title": "x", "country": "ID", "theme": "other", "file": SimpleUploadedFile("notes.docx", b"PK\x03\x04")},
    )
    assert response.status_code == 400
    assert "is not a format we read" in response.content.decode()


def test_a_file_without_crs_waits_for_the_uploader_to_give_one(client, uploader):
    client.force_login(uploader)
    upload(client, "pyshp_blockgroups_no_prj.zip", title="Block groups")
    layer = Layer.objects.get(title="Block groups")
    assert layer.status == LayerStatus.NEEDS_CRS
    assert "has no coordinate reference system" in client.get(f"/layers/{layer.pk}/").content.decode()
    client.post(f"/layers/{layer.pk}/retry/", {"srid": 4326})
    layer.refresh_from_db()
    assert (layer.status, layer.feature_count) == (LayerStatus.READY, 663)


def test_only_the_countrys_uploaders_may_retry(client, uploader):
    layer = make_layer(status=LayerStatus.NEEDS_CRS, country="ID")
    client.force_login(make_member("other", Role.SURVEY_UPLOADER, "PH"))
    assert client.post(f"/layers/{layer.pk}/retry/", {"srid": 4326}).status_code == 404  # not even visible
    layer.refresh_from_db()
    assert layer.status == LayerStatus.NEEDS_CRS


def test_drafts_are_hidden_until_a_reviewer_publishes(client, uploader, reviewer):
    client.force_login(uploader)
    upload(client, "geonode_invalid_layer_name.gpkg", title="Stations")
    layer = Layer.objects.get(title="Stations")
    assert client.post(f"/layers/{layer.pk}/publish/", {"is_published": "on"}).status_code == 403
    client.logout()
    assert client.get(f"/layers/{layer.pk}/").status_code == 404
    assert client.get(f"/layers/{layer.pk}/features.geojson").status_code == 404
    assert "Stations" not in client.get("/layers/").content.decode()

    client.force_login(reviewer)
    client.post(f"/layers/{layer.pk}/publish/", {"is_published": "on"})
    client.logout()
    assert client.get(f"/layers/{layer.pk}/").status_code == 200
    assert "Stations" in client.get("/layers/?theme=mineral_occurrences").content.decode()
    assert "Stations" not in client.get("/layers/?theme=faults").content.decode()


def test_catalogue_refuses_unknown_filter_values(client):
    response = client.get("/layers/?theme=volcanoes")
    assert response.status_code == 400
    assert "Some filters could not be used" in response.content.decode()


def test_an_import_whose_worker_died_is_failed_when_someone_looks(client, uploader):
    from datetime import timedelta

    from django.utils import timezone

    stuck = make_layer(title="stuck", country="ID", status=LayerStatus.PROCESSING, created_by=uploader)
    Layer.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    client.force_login(uploader)
    status = client.get(f"/layers/{stuck.pk}/status.json").json()
    assert status["finished"] and status["status"] == LayerStatus.FAILED
    assert "stopped responding" in status["error"]


def test_a_running_import_with_recent_progress_is_left_alone(client, uploader):
    running = make_layer(title="running", country="ID", status=LayerStatus.PROCESSING, created_by=uploader)
    client.force_login(uploader)
    assert client.get(f"/layers/{running.pk}/status.json").json()["status"] == LayerStatus.PROCESSING


def test_a_multi_layer_upload_can_become_one_layer_per_part(client, uploader):
    client.force_login(uploader)
    upload(client, "mapshaper_Oregon_2layers.gpkg", title="Oregon")
    first = Layer.objects.get()
    assert first.status == LayerStatus.FAILED and first.report["available_layers"] == ["land", "roads"]
    assert "Import every layer" in client.get(f"/layers/{first.pk}/").content.decode()

    response = client.post(f"/layers/{first.pk}/import-every-layer/", follow=True)
    assert "2 layers are being imported" in response.content.decode()
    layers = {layer.title: layer for layer in Layer.objects.all()}
    assert set(layers) == {"Oregon — land", "Oregon — roads"}
    land, roads = layers["Oregon — land"], layers["Oregon — roads"]
    assert (land.status, land.feature_count, land.geometry_type) == (LayerStatus.READY, 1, "MULTIPOLYGON")
    assert (roads.status, roads.feature_count) == (LayerStatus.READY, 121)
    assert land.source_crs == roads.source_crs == "EPSG:2269"
    assert roads.created_by == uploader and roads.country == "ID" and roads.theme == first.theme


def test_only_the_countrys_uploaders_may_import_every_layer(client, uploader):
    client.force_login(uploader)
    upload(client, "mapshaper_Oregon_2layers.gpkg", title="Oregon")
    layer = Layer.objects.get()
    client.force_login(make_member("other", Role.SURVEY_UPLOADER, "PH"))
    assert client.post(f"/layers/{layer.pk}/import-every-layer/").status_code in (403, 404)
    assert Layer.objects.count() == 1


def test_import_every_layer_refuses_a_single_layer_upload(client, uploader):
    client.force_login(uploader)
    upload(client, "geonode_valid.kml", title="Points")
    layer = Layer.objects.get()
    response = client.post(f"/layers/{layer.pk}/import-every-layer/", follow=True)
    assert "does not hold several layers" in response.content.decode()
    assert Layer.objects.count() == 1


def test_rejected_features_are_listed_with_their_position_in_the_file(client, uploader):
    client.force_login(uploader)
    upload(client, "mapshaper_six_counties_three_null.geojson", title="Counties")
    layer = Layer.objects.get()
    positions = [rejection["index"] for rejection in layer.report["rejections"]]
    assert positions, "this file has features without geometry"
    page = client.get(f"/layers/{layer.pk}/").content.decode()
    for position in positions:
        assert f"<tr><td>{position}</td><td>" in page


def test_an_upload_kept_in_another_storage_than_a_disk_imports_too(client, uploader, settings):
    """Uploads go only through the storage API (an S3 store in production): nothing needs a local path."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    client.force_login(uploader)
    upload(client, "geonode_invalid_layer_name.gpkg", title="Stations")
    layer = Layer.objects.get(title="Stations")
    assert (layer.status, layer.feature_count) == (LayerStatus.READY, 146)
