"""Geometry sent to the API and typed on the pages is held to one rule (geodata.geometry): 400s that say why."""

import json

import pytest
from rest_framework.test import APIClient

from access.models import Role
from remediation.models import Hazard, RemediationMeasure
from sites.models import MineSite
from tests.api.conftest import make_user, token_client
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

BOWTIE = [[[121.50, -2.50], [121.51, -2.49], [121.51, -2.50], [121.50, -2.49], [121.50, -2.50]]]
SQUARE = [[[121.50, -2.50], [121.51, -2.50], [121.51, -2.49], [121.50, -2.49], [121.50, -2.50]]]
SPIKE = [
    [[121.50, -2.50], [121.52, -2.50], [121.52, -2.48], [121.51, -2.48], [121.51, -2.47], [121.51, -2.48]]
    + [[121.50, -2.48], [121.50, -2.50]]
]
REFUSED = [
    ({"type": "Polygon", "coordinates": BOWTIE}, "Self-intersection"),
    ({"type": "Point", "coordinates": [500000, 9700000]}, "Coordinates must be longitude"),
    ({"type": "Point", "coordinates": [1e308, 1e308]}, "Coordinates must be longitude"),
    ({"type": "LineString", "coordinates": [[121.5, -2.5], [121.6, -2.5]]}, "A LineString cannot be used here"),
]


def hazard_body(site, location):
    return {"site": site.pk, "hazard_type": "open_shaft", "priority": 2, "status": "unaddressed", "location": location}


@pytest.mark.parametrize(("location", "reason"), REFUSED)
def test_the_api_refuses_hazard_geometry_the_pages_refuse(site, officer, location, reason):
    response = token_client(officer).post("/api/hazards/", hazard_body(site, location), format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()["fields"]["location"])
    assert not Hazard.objects.exists()


def test_the_api_repairs_a_hazard_polygon_when_the_repair_keeps_it_a_polygon(site, officer):
    location = {"type": "Polygon", "coordinates": SPIKE}
    response = token_client(officer).post("/api/hazards/", hazard_body(site, location), format="json")
    assert response.status_code == 201, response.json()
    hazard = Hazard.objects.get()
    assert hazard.location.geom_type == "Polygon" and hazard.location.valid


def measure_body(site, area):
    return {"site": site.pk, "measure_type": "revegetation", "stage": "planned", "treated_area": area}


def test_a_measure_polygon_is_stored_as_a_multipolygon(site, officer):
    response = token_client(officer).post(
        "/api/measures/", measure_body(site, {"type": "Polygon", "coordinates": SQUARE}), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["geometry"]["type"] == "MultiPolygon"
    assert RemediationMeasure.objects.get().treated_area.geom_type == "MultiPolygon"


def test_a_self_intersecting_measure_area_is_repaired_into_its_parts(site, officer):
    response = token_client(officer).post(
        "/api/measures/", measure_body(site, {"type": "Polygon", "coordinates": BOWTIE}), format="json"
    )
    assert response.status_code == 201, response.json()
    area = RemediationMeasure.objects.get().treated_area
    assert area.valid and len(area) == 2


@pytest.mark.parametrize(
    ("area", "reason"),
    [
        ({"type": "Point", "coordinates": [121.5, -2.5]}, "A Point cannot be used here"),
        ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [500000, 0], [500000, 9700000], [0, 0]]]]}, "longitude"),
        ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1e308, 0], [1e308, 1e308], [0, 0]]]]}, "longitude"),
    ],
)
def test_the_api_refuses_measure_areas_with_the_reason(site, officer, area, reason):
    response = token_client(officer).post("/api/measures/", measure_body(site, area), format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()["fields"]["treated_area"])
    assert not RemediationMeasure.objects.exists()


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        ({"type": "Point", "coordinates": [500000, 9700000]}, "Coordinates must be longitude"),
        ({"type": "Point", "coordinates": [1e308, 1e308]}, "Coordinates must be longitude"),
        ({"type": "Polygon", "coordinates": SQUARE}, "A Polygon cannot be used here"),
    ],
)
def test_the_sites_api_refuses_bad_locations(geometry, reason):
    uploader = make_user("uploader-id", ("ID", Role.SURVEY_UPLOADER))
    body = {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"name": "New pit", "country": "ID", "status": "abandoned", "commodities": ["nickel"]},
    }
    response = token_client(uploader).post("/api/sites/", body, format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()["fields"]["location"])
    assert not MineSite.objects.exists()
    assert APIClient().get("/api/sites/").status_code == 200


# The pages: the pasted text and the map widget both go through the same check.


@pytest.fixture
def page_officer(db):
    return make_member("officer-page", Role.ENVIRONMENTAL_OFFICER, "ID")


def _wkt(rings) -> str:
    return "POLYGON((" + ", ".join(f"{x} {y}" for x, y in rings[0]) + "))"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("location_text", _wkt(BOWTIE), "Self-intersection"),
        ("location_text", "POINT(500000 9700000)", "Coordinates must be longitude"),
        ("location_text", "POINT(1e308 1e308)", "Coordinates must be longitude"),
        ("location", json.dumps({"type": "Polygon", "coordinates": BOWTIE}), "Self-intersection"),
    ],
)
def test_the_hazard_page_refuses_with_the_field_and_reason(client, site, page_officer, field, value, reason):
    client.force_login(page_officer)
    data = {"hazard_type": "adit", "priority": "2", "status": "unaddressed", field: value}
    response = client.post(f"/remediation/sites/{site.pk}/hazards/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert reason in " ".join(errors[field])
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("treated_area_text", _wkt(BOWTIE)),
        ("treated_area", json.dumps({"type": "MultiPolygon", "coordinates": [BOWTIE]})),
    ],
)
def test_the_measure_page_repairs_a_bowtie_into_a_multipolygon(client, site, page_officer, field, value):
    client.force_login(page_officer)
    data = {"measure_type": "revegetation", "stage": "planned", field: value}
    response = client.post(f"/remediation/sites/{site.pk}/measures/new/", data)
    assert response.status_code == 302
    area = RemediationMeasure.objects.get().treated_area
    assert area.valid and area.geom_type == "MultiPolygon" and len(area) == 2


def test_the_measure_page_refuses_metre_coordinates_with_the_reason(client, site, page_officer):
    client.force_login(page_officer)
    data = {"measure_type": "revegetation", "stage": "planned", "treated_area_text": "POINT(500000 9700000)"}
    response = client.post(f"/remediation/sites/{site.pk}/measures/new/", data)
    assert response.status_code == 400
    assert "A Point cannot be used here" in " ".join(response.context["form"].errors["treated_area_text"])
    data["treated_area_text"] = "POLYGON((500000 9700000, 500100 9700000, 500100 9700100, 500000 9700000))"
    response = client.post(f"/remediation/sites/{site.pk}/measures/new/", data)
    assert "Coordinates must be longitude" in " ".join(response.context["form"].errors["treated_area_text"])
    assert not RemediationMeasure.objects.exists()
