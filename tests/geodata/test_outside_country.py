"""A layer whose features lie outside the country it is filed under is imported with a warning that says so."""

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
    path.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": point}]}
        )
    )
    return path


def outside_warnings(report: dict) -> list[str]:
    return [warning for warning in report["warnings"] if "lies outside" in warning]


def test_a_layer_in_its_country_imports_without_a_warning(outlines, jakarta_file):
    assert outside_warnings(ingest_layer(make_layer(country="ID"), jakarta_file)) == []


def test_a_layer_filed_under_another_country_is_imported_with_a_warning(outlines, jakarta_file, client):
    layer = make_layer(country="TH")
    (warning,) = outside_warnings(ingest_layer(layer, jakarta_file))
    assert "outside Thailand" in warning and "lon 106.85..106.85" in warning
    client.force_login(make_member("th-uploader", Role.SURVEY_UPLOADER, "TH"))
    assert "lies outside Thailand" in client.get(f"/layers/{layer.pk}/").content.decode()


def test_without_the_outlines_nothing_is_told(jakarta_file):
    assert outside_warnings(ingest_layer(make_layer(country="TH"), jakarta_file)) == []
