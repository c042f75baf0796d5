"""The public map's remediation and hazard overlays and its colouring by remediation progress."""

import pytest

from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def test_map_offers_remediation_areas_and_hazards_as_tile_overlays_with_legends(client):
    make_site()
    response = client.get("/")
    script = response.context["map"].script
    assert '"/tiles/remediation/{z}/{x}/{y}.pbf"' in script and '"/tiles/remediation/{id}.json"' in script
    assert '"/tiles/hazards/{z}/{x}/{y}.pbf"' in script and '"/tiles/hazards/{id}.json"' in script
    assert "Remediation areas" in script and "Hazards" in script
    page = response.content.decode()
    assert "Remediation areas (stage)" in page and "Care and maintenance" in page
    assert "1 — Extreme danger to people" in page


def test_map_offers_colouring_by_remediation_progress_kept_in_the_url(client):
    make_site()
    page = client.get("/").content.decode()
    assert '<select name="colour"' in page and 'value="remediation"' in page
    response = client.get("/?status=active&colour=remediation")
    assert response.status_code == 200
    assert '"/tiles/sites/{z}/{x}/{y}.pbf?status=active\\u0026colour=remediation"' in response.context["map"].script
    assert '"remediation")' in response.context["map"].script  # sites coloured by that attribute
    assert response.context["legend_title"] == "Remediation progress"
    assert response.context["site_count"] == 1
    assert '<option value="remediation" selected>' in response.content.decode()


def test_an_unknown_colour_is_refused_with_a_message(client):
    response = client.get("/?colour=rainbow")
    assert response.status_code == 400
    assert "“rainbow” is not a way to colour the sites." in response.content.decode()
