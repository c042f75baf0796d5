"""Pages that only show things answer other methods with 405, not with the page."""

import pytest
from django.contrib.auth.models import User

from geodata.models import Layer
from tests.conftest import make_site

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "/",
    "/sites/",
    "/sites/{site}/",
    "/sites/{site}.json",
    "/sites/export.csv",
    "/layers/",
    "/layers/{layer}/",
    "/layers/{layer}/status.json",
    "/layers/{layer}/features.geojson",
    "/layers/{layer}/download.csv",
    "/remediation/dashboard/",
    "/remediation/sites/{site}/treated-areas.geojson",
    "/reports/",
    "/healthz",
]


@pytest.mark.parametrize("url", READ_ONLY)
def test_post_to_a_read_only_page_is_405(client, url):
    staff = User.objects.create_superuser("admin", password="pw")
    client.force_login(staff)
    site = make_site(name="Read-only mine")
    layer = Layer.objects.create(title="Read-only layer", country="ID", status="ready", is_published=True)
    address = url.format(site=site.pk, layer=layer.pk)
    assert client.get(address).status_code in (200, 409)  # a layer without features cannot be downloaded
    response = client.post(address, {"anything": "1"})
    assert response.status_code == 405
    assert "GET" in response["Allow"]
