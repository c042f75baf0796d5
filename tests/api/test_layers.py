"""The layers API: metadata for who may see it, features as paged GeoJSON, uploads answered 202."""

import pytest
from django.contrib.gis.geos import Polygon
from django.core.files.uploadedfile import SimpleUploadedFile

from geodata.ingest import ingest_layer
from geodata.models import Feature, Layer
from tests.api.conftest import make_user, token_client
from tests.geodata.conftest import UPLOADS, make_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties():
    """Six polygons with three null geometries dropped: a small real layer, published."""
    layer = make_layer(title="Six counties", is_published=True)
    ingest_layer(layer, UPLOADS / "mapshaper_six_counties_three_null.geojson")
    return Layer.objects.get(pk=layer.pk)


def test_the_public_sees_published_layers_with_status_and_report(api, counties):
    draft = make_layer(title="Draft")
    response = api.get("/api/layers/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [counties.pk]
    assert rows[0]["status"] == "ready" and rows[0]["progress"]["finished"] is True
    assert rows[0]["feature_count"] == counties.feature_count > 0
    assert rows[0]["report"] == counties.report
    assert rows[0]["links"]["features"].endswith(f"/api/layers/{counties.pk}/features/")
    assert api.get(f"/api/layers/{draft.pk}/").status_code == 404


def test_an_uploader_sees_the_drafts_of_their_country(uploader):
    draft = make_layer(title="Draft")
    assert token_client(uploader).get(f"/api/layers/{draft.pk}/").status_code == 200


def test_features_are_geojson_pages_in_file_order(api, counties):
    seen, url = [], f"/api/layers/{counties.pk}/features/?page_size=2"
    while url:
        body = api.get(url).json()
        assert body["type"] == "FeatureCollection"
        seen += body["features"]
        url = body["next"]
    stored = list(Feature.objects.filter(layer=counties).order_by("source_index"))
    assert [feature["id"] for feature in seen] == [feature.source_index for feature in stored]
    assert seen[0]["properties"] == stored[0].properties
    assert seen[0]["geometry"]["type"] == stored[0].geom.geom_type


def test_features_bbox_keeps_the_ones_that_intersect(api, counties):
    first = Feature.objects.filter(layer=counties).order_by("source_index").first()
    minx, miny, maxx, maxy = first.geom.extent
    corner = (minx + (maxx - minx) / 3, miny + (maxy - miny) / 3, maxx - 0.001, maxy - 0.001)
    response = api.get(f"/api/layers/{counties.pk}/features/", {"bbox": ",".join(map(str, corner))})
    inside = Feature.objects.filter(layer=counties, geom__intersects=Polygon.from_bbox(corner))
    expected = set(inside.values_list("source_index", flat=True))
    assert first.source_index in expected
    assert {feature["id"] for feature in response.json()["features"]} == expected
    assert api.get(f"/api/layers/{counties.pk}/features/?bbox=0,0,0,0").status_code == 400


def test_features_of_an_unpublished_layer_are_404(api):
    draft = make_layer()
    response = api.get(f"/api/layers/{draft.pk}/features/")
    assert response.status_code == 404
    assert response.json()["error"]


def upload_form(**overrides):
    content = (UPLOADS / "mapshaper_six_counties_three_null.geojson").read_bytes()
    values = {
        "file": SimpleUploadedFile("counties.geojson", content, content_type="application/geo+json"),
        "title": "Counties via the API",
        "country": "ID",
        "theme": "boundaries",
    }
    values.update(overrides)
    return values


def test_an_upload_answers_202_with_the_layer_to_poll(uploader):
    client = token_client(uploader)
    response = client.post("/api/layers/upload/", upload_form(), format="multipart")
    assert response.status_code == 202, response.json()
    layer = Layer.objects.get(title="Counties via the API")
    assert response["Location"].endswith(f"/api/layers/{layer.pk}/")
    polled = client.get(response["Location"]).json()
    assert polled["status"] == "ready"  # the test settings run the import in-process
    assert polled["feature_count"] == Feature.objects.filter(layer=layer).count() > 0


def test_an_upload_with_bad_fields_gets_per_field_errors_and_writes_nothing(uploader):
    bad = upload_form(file=SimpleUploadedFile("notes.docx", b"hello"), country="PH", title="")
    response = token_client(uploader).post("/api/layers/upload/", bad, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"file", "country", "title"}
    assert "not a format we read" in " ".join(response.json()["fields"]["file"])
    assert not Layer.objects.exists()


def test_uploads_need_a_signed_in_uploader(api, db):
    assert api.post("/api/layers/upload/", upload_form(), format="multipart").status_code == 401
    nobody = token_client(make_user("nobody"))
    response = nobody.post("/api/layers/upload/", upload_form(), format="multipart")
    assert response.status_code == 403
    assert "survey-uploader role" in response.json()["error"]
    assert not Layer.objects.exists()


def test_layers_cannot_be_changed_or_deleted_through_the_api(uploader, counties):
    response = token_client(uploader).delete(f"/api/layers/{counties.pk}/")
    assert response.status_code == 405
    assert "not allowed" in response.json()["error"]
