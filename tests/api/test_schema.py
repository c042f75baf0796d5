"""The OpenAPI schema validates without warnings and the docs page needs nothing from a CDN."""

import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path, db):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.")
    for endpoint in ("/api/sites/", "/api/layers/{id}/", "/api/layers/{id}/features/", "/api/layers/upload/"):
        assert endpoint in schema["paths"]
    bbox = [p for p in schema["paths"]["/api/sites/"]["get"]["parameters"] if p["name"] == "bbox"]
    assert bbox, "the bbox filter is documented"


@pytest.mark.django_db
def test_the_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/sites/" in response.json()["paths"]


@pytest.mark.django_db
def test_the_docs_load_their_assets_from_this_server(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in url for url in assets)
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)", " ".join(assets))
    assert "cdn" not in html.lower()
    local = [url.removeprefix(settings.STATIC_URL) for url in assets if url.startswith(settings.STATIC_URL)]
    assert len(local) >= 3
    for name in local:
        assert finders.find(name), f"{name} is not among the static files collectstatic gathers"


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_every_operation_documents_the_errors_it_may_answer(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (method, path)
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_page_size_states_its_bounds(schema):
    (page_size,) = [p for p in schema["paths"]["/api/sites/"]["get"]["parameters"] if p["name"] == "page_size"]
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 1000)


def test_geometries_of_any_type_include_the_multi_geometries(schema):
    geometry = schema["components"]["schemas"]["Feature"]["properties"]["geometry"]
    types = {choice["properties"]["type"]["enum"][0] for choice in geometry["oneOf"]}
    assert types == {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}


def test_names_of_people_are_optional_and_layer_slug_and_country_may_be_empty(schema):
    visit = schema["components"]["schemas"]["Visit"]
    assert not {"created_by", "officer"} & set(visit.get("required", []))
    assert visit["properties"]["officer"]["nullable"] is True
    layer = schema["components"]["schemas"]["Layer"]["properties"]
    assert "pattern" not in layer["slug"]
    assert "" in str(layer["country"])


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["sites", "hazards", "layers", "visits"])
def test_updated_since_takes_any_offset_and_refuses_years_beyond_9999_in_utc(client, endpoint):
    assert client.get(f"/api/{endpoint}/", {"updated_since": "2024-01-01T00:00:00-16:00"}).status_code == 200
    response = client.get(f"/api/{endpoint}/", {"updated_since": "9999-12-31T23:59:59-01:00"})
    assert response.status_code == 400
    assert "years 1 to 9999" in response.json()["fields"]["updated_since"][0]


@pytest.mark.django_db
def test_an_empty_filter_is_a_400_not_ignored(client):
    response = client.get("/api/sites/", {"country": ""})
    assert response.status_code == 400
    assert response.json()["fields"] == {"country": ["Give a value, or leave the parameter out."]}
