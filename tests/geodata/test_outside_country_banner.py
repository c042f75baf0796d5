"""The layer page puts the "outside the chosen country" warning first, for those who look after the layer."""

import json

import pytest

from access.models import Role
from geodata.ingest import ingest_layer
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS
from tests.geodata.conftest import make_layer
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

JAKARTA = (106.85, -6.2)


@pytest.fixture
def outlines(db):
    (spec,) = [spec for spec in REFERENCE_LAYERS if spec.slug == "asean-country-outlines"]
    return load_reference_layer(spec)


@pytest.fixture
def jakarta_file(tmp_path):
    path = tmp_path / "jakarta.geojson"
    point = {"type": "Point", "coordinates": list(JAKARTA)}
    feature = {"type": "Feature", "properties": {}, "geometry": point}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_the_warning_comes_first_on_the_layer_page(outlines, jakarta_file, client):
    layer = make_layer(country="TH")
    ingest_layer(layer, jakarta_file)
    client.force_login(make_member("th-uploader", Role.SURVEY_UPLOADER, "TH"))
    page = client.get(f"/layers/{layer.pk}/").content.decode()
    banner = page.index('id="outside-country"')
    assert banner < page.index('id="progress"') < page.index("Import report")
    assert "lies outside Thailand" in page[banner : page.index("</p>", banner)]


def test_a_layer_in_its_country_has_no_banner(outlines, jakarta_file, client):
    layer = make_layer(country="ID")
    ingest_layer(layer, jakarta_file)
    client.force_login(make_member("id-uploader", Role.SURVEY_UPLOADER, "ID"))
    assert 'id="outside-country"' not in client.get(f"/layers/{layer.pk}/").content.decode()
