"""The GeoJSON endpoint the map's overlays read: published layers only, with caching headers."""

import pytest

from geodata.models import Layer
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def faults():
    layer, _ = load_reference_layer(next(spec for spec in REFERENCE_LAYERS if spec.slug == "gem-active-faults"))
    return layer


def test_published_layer_is_served_as_a_feature_collection(client, faults):
    response = client.get(f"/layers/{faults.pk}/features.geojson")
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 234
    assert data["features"][0]["geometry"]["type"] == "LineString"
    assert "catalog_name" in data["features"][0]["properties"]


def test_unchanged_layer_answers_304(client, faults):
    etag = client.get(f"/layers/{faults.pk}/features.geojson")["ETag"]
    assert client.get(f"/layers/{faults.pk}/features.geojson", headers={"If-None-Match": etag}).status_code == 304


def test_unpublished_layer_is_404(client, faults):
    Layer.objects.filter(pk=faults.pk).update(is_published=False)
    assert client.get(f"/layers/{faults.pk}/features.geojson").status_code == 404
