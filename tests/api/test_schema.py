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
