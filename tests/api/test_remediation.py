"""Hazards, measures and visits through the API: published only for the public, priority-1 locations
generalised, no officers' names for the public, writes by the country's officers, publishing by reviewers."""

import datetime

import pytest
from django.contrib.gis.geos import Point, Polygon
from rest_framework.test import APIClient

from access.models import Role
from remediation.models import Hazard, Measurement, MeasureStage, MonitoringVisit, RemediationMeasure
from tests.api.conftest import make_user
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, make_visit, utm_square_in_wgs84
from tests.remediation.placements import hazard_location

pytestmark = pytest.mark.django_db

SHAFT = Point(121.50337, -2.50871, srid=4326)


@pytest.fixture
def reviewer():
    return make_user("reviewer-id", ("ID", Role.REVIEWER))


def token_client(user) -> APIClient:
    """A client signed in as `user` (token auth itself is tested with the sites)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def feature_ids(response) -> set[int]:
    return {feature["id"] for feature in response.json()["features"]}


def test_the_public_sees_published_records_only(site):
    shown = make_hazard(site, is_published=True)
    make_hazard(site)  # draft
    make_hazard(make_site(is_published=False), is_published=True)  # on a draft site
    assert feature_ids(APIClient().get("/api/hazards/")) == {shown.pk}


def test_priority_1_locations_are_generalised_for_the_public_and_exact_for_officers(site, officer):
    shaft = make_hazard(site, location=SHAFT, is_published=True)
    public = APIClient().get(f"/api/hazards/{shaft.pk}/").json()
    longitude, latitude = public["geometry"]["coordinates"]
    assert public["properties"]["location_generalised"] is True
    assert 0 < SHAFT.distance(Point(longitude, latitude)) < 0.01
    # The same point the map's hazard tiles and their click endpoint give.
    assert public["geometry"] == hazard_location(shaft.pk, generalised=True)
    exact = token_client(officer).get(f"/api/hazards/{shaft.pk}/").json()
    assert exact["geometry"]["coordinates"] == [121.50337, -2.50871]
    assert exact["properties"]["location_generalised"] is False
    foreign = make_user("officer-ph", ("PH", Role.ENVIRONMENTAL_OFFICER))
    assert token_client(foreign).get(f"/api/hazards/{shaft.pk}/").json()["properties"]["location_generalised"]


def test_a_generalised_polygon_sits_where_the_map_draws_it(site):
    # A collapsed stope outline in northern Myanmar, tall enough for Web Mercator to bend its centroid.
    outline = Polygon(((97.30, 25.772), (97.34, 25.772), (97.31, 26.272), (97.30, 25.772)), srid=4326)
    hazard = make_hazard(make_site(country="MM"), location=outline, is_published=True)
    public = APIClient().get(f"/api/hazards/{hazard.pk}/").json()
    assert public["properties"]["location_generalised"] is True
    assert public["geometry"]["type"] == "Point"
    assert public["geometry"]["coordinates"] == pytest.approx(
        hazard_location(hazard.pk, generalised=True)["coordinates"], abs=1e-6
    )


def test_lower_priorities_keep_their_location(site):
    dump = make_hazard(site, priority=3, hazard_type="waste_rock_dump", location=SHAFT, is_published=True)
    assert APIClient().get(f"/api/hazards/{dump.pk}/").json()["geometry"]["coordinates"] == [121.50337, -2.50871]


def test_officers_names_are_not_shown_to_the_public(site, officer):
    visit = make_visit(site, officer=officer, created_by=officer, is_published=True)
    Measurement.objects.create(visit=visit, parameter="ph", value="6.8", unit="pH")
    public = APIClient().get(f"/api/visits/{visit.pk}/").json()
    assert "officer" not in public and "created_by" not in public
    assert public["measurements"] == [{"parameter": "ph", "parameter_detail": "", "value": "6.8000", "unit": "pH"}]
    assert token_client(officer).get(f"/api/visits/{visit.pk}/").json()["officer"] == "officer-id"


def test_an_officer_records_a_hazard_as_a_draft_and_a_reviewer_publishes_it(site, officer, reviewer):
    body = {
        "site": site.pk,
        "hazard_type": "open_shaft",
        "priority": 1,
        "location": {"type": "Point", "coordinates": [121.5, -2.5]},
        "status": "unaddressed",
    }
    response = token_client(officer).post("/api/hazards/", body, format="json")
    assert response.status_code == 201, response.json()
    hazard = Hazard.objects.get()
    assert (hazard.is_published, hazard.created_by) == (False, officer)
    assert hazard.history.get().history_user == officer
    assert APIClient().get(f"/api/hazards/{hazard.pk}/").status_code == 404

    assert token_client(officer).post(f"/api/hazards/{hazard.pk}/publish/", {"is_published": True}).status_code == 403
    response = token_client(reviewer).post(f"/api/hazards/{hazard.pk}/publish/", {"is_published": True}, format="json")
    assert response.status_code == 200
    assert APIClient().get(f"/api/hazards/{hazard.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "foreign officer", "reviewer"])
def test_only_the_countrys_officers_may_record(site, reviewer, who):
    client = {
        "anonymous": APIClient(),
        "foreign officer": token_client(make_user("officer-ph", ("PH", Role.ENVIRONMENTAL_OFFICER))),
        "reviewer": token_client(reviewer),
    }[who]
    body = {"site": site.pk, "measure_type": "fencing_signage", "stage": "planned"}
    response = client.post("/api/measures/", body, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["error"]
    assert not RemediationMeasure.objects.exists()


def test_a_measure_with_its_area_and_hectares_on_the_ellipsoid(site, officer):
    area = utm_square_in_wgs84()
    body = {
        "site": site.pk,
        "measure_type": "revegetation",
        "stage": "planned",
        "treated_area": {"type": "MultiPolygon", "coordinates": [[list(map(list, area[0][0].coords))]]},
        "budget_amount": "125000.00",
        "cost_currency": "IDR",
    }
    response = token_client(officer).post("/api/measures/", body, format="json")
    assert response.status_code == 201, response.json()
    assert float(response.json()["properties"]["treated_area_ha"]) == pytest.approx(100, rel=0.005)


def test_a_stage_change_against_the_rules_is_refused_with_the_reason(site, officer):
    measure = make_measure(site, stage=MeasureStage.PLANNED)
    response = token_client(officer).patch(
        f"/api/measures/{measure.pk}/", {"stage": "care_and_maintenance"}, format="json"
    )
    assert response.status_code == 400
    assert "stage" in response.json()["fields"]
    measure.refresh_from_db()
    assert measure.stage == MeasureStage.PLANNED


def test_a_visit_with_readings(site, officer):
    body = {
        "site": site.pk,
        "visited_on": "2025-04-02",
        "observations": "Seepage at the toe of the dump.",
        "measurements": [{"parameter": "ph", "value": "3.1", "unit": "pH"}],
    }
    response = token_client(officer).post("/api/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    visit = MonitoringVisit.objects.get()
    assert visit.officer == officer and visit.visited_on == datetime.date(2025, 4, 2)
    assert [(m.parameter, float(m.value)) for m in visit.measurements.all()] == [("ph", 3.1)]


def test_published_records_cannot_be_deleted_by_officers(site, officer):
    published = make_hazard(site, is_published=True)
    draft = make_hazard(site)
    client = token_client(officer)
    assert client.delete(f"/api/hazards/{published.pk}/").status_code == 403
    assert client.delete(f"/api/hazards/{draft.pk}/").status_code == 204
    assert list(Hazard.objects.values_list("id", flat=True)) == [published.pk]


def test_session_writes_need_the_csrf_token(site, officer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(
        "/api/hazards/", {"site": site.pk, "hazard_type": "open_shaft", "priority": 1}, format="json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["error"]
    assert not Hazard.objects.exists()


def test_filters_and_bad_values(site):
    make_hazard(site, priority=1, is_published=True)
    low = make_hazard(site, priority=3, hazard_type="dust", is_published=True)
    assert feature_ids(APIClient().get("/api/hazards/?priority=3")) == {low.pk}
    response = APIClient().get("/api/hazards/?status=exploded")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    assert APIClient().get("/api/measures/?bbox=1,2,3").status_code == 400


@pytest.mark.parametrize("path", ["/api/hazards/", "/api/measures/", "/api/visits/"])
def test_a_list_page_costs_the_same_queries_for_3_records_or_30(site, officer, path, django_assert_max_num_queries):
    client = token_client(officer)
    builders = {"/api/hazards/": make_hazard, "/api/measures/": make_measure, "/api/visits/": make_visit}

    def add(count):
        for _ in range(count):
            record = builders[path](site, created_by=officer, is_published=True)
            if path == "/api/measures/":
                record.hazards.add(make_hazard(site, is_published=True))

    add(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(path)
    body = response.json()
    assert len(body.get("features", body.get("results", []))) == 30
