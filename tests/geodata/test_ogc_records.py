"""The hazards and remediation-areas collections of the OGC API: who sees what, and where."""

import datetime

import pytest
from django.contrib.gis.geos import Point, Polygon

from remediation.models import HazardPriority, HazardStatus, MeasureStage
from remediation.placement import generalised_point
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard, make_measure, utm_square_in_wgs84

pytestmark = pytest.mark.django_db

SHAFT = Point(121.50371, -2.50413, srid=4326)  # an open shaft, about 400 m from the site


def items(client, collection: str, **params) -> dict:
    response = client.get(f"/ogc/collections/{collection}/items", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def coordinates_of(body: dict) -> dict[int, list[float]]:
    return {feature["id"]: feature["geometry"]["coordinates"] for feature in body["features"]}


# --- hazards -------------------------------------------------------------------------------------


def test_the_public_gets_a_priority_1_hazard_at_the_same_grid_node_as_the_api(client, site):
    shaft = make_hazard(site, location=SHAFT, is_published=True)
    (feature,) = items(client, "hazards")["features"]
    assert feature["id"] == shaft.pk
    snapped = generalised_point(SHAFT)
    assert feature["geometry"]["coordinates"] == pytest.approx([snapped.x, snapped.y], abs=1e-6)
    assert feature["geometry"]["coordinates"] != pytest.approx([SHAFT.x, SHAFT.y], abs=1e-6)
    assert feature["properties"]["location_generalised"] is True
    assert feature["properties"]["site_name"] == "Sulawesi nickel"


def test_an_officer_of_its_country_gets_it_exactly_and_a_foreign_one_does_not(client, site, officer, foreign_officer):
    shaft = make_hazard(site, location=SHAFT, is_published=True)
    client.force_login(officer)
    exact = items(client, "hazards")
    assert coordinates_of(exact)[shaft.pk] == pytest.approx([SHAFT.x, SHAFT.y])
    assert exact["features"][0]["properties"]["location_generalised"] is False
    client.force_login(foreign_officer)
    snapped = generalised_point(SHAFT)
    assert coordinates_of(items(client, "hazards"))[shaft.pk] == pytest.approx([snapped.x, snapped.y], abs=1e-6)


def test_exact_places_are_never_offered_to_shared_caches(client, site, officer):
    make_hazard(site, location=SHAFT, is_published=True)
    public = client.get("/ogc/collections/hazards/items", HTTP_ACCEPT="application/json")
    assert public["Cache-Control"] == "public, max-age=60"
    client.force_login(officer)
    for url in ("/ogc/collections/hazards/items", "/ogc/collections/hazards/items?f=html", "/ogc/collections"):
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-cache", url
        assert {"Cookie", "Authorization"} <= {part.strip() for part in response["Vary"].split(",")}, url


def test_a_single_hazard_is_generalised_too(client, site):
    shaft = make_hazard(site, location=SHAFT, is_published=True)
    response = client.get(f"/ogc/collections/hazards/items/{shaft.pk}", HTTP_ACCEPT="application/json")
    snapped = generalised_point(SHAFT)
    assert response.json()["geometry"]["coordinates"] == pytest.approx([snapped.x, snapped.y], abs=1e-6)


def test_lower_priorities_are_exact_for_everyone(client, site):
    slope = make_hazard(site, priority=HazardPriority.ENVIRONMENTAL, location=SHAFT, is_published=True)
    assert coordinates_of(items(client, "hazards"))[slope.pk] == pytest.approx([SHAFT.x, SHAFT.y])


def test_bbox_finds_a_generalised_hazard_where_it_is_shown_not_where_it_is(client, site, officer):
    shaft = make_hazard(site, location=SHAFT, is_published=True)
    snapped = generalised_point(SHAFT)
    around_shown = f"{snapped.x - 0.0001},{snapped.y - 0.0001},{snapped.x + 0.0001},{snapped.y + 0.0001}"
    around_exact = f"{SHAFT.x - 0.0001},{SHAFT.y - 0.0001},{SHAFT.x + 0.0001},{SHAFT.y + 0.0001}"
    assert [f["id"] for f in items(client, "hazards", bbox=around_shown)["features"]] == [shaft.pk]
    assert items(client, "hazards", bbox=around_exact)["features"] == []
    client.force_login(officer)
    assert [f["id"] for f in items(client, "hazards", bbox=around_exact)["features"]] == [shaft.pk]
    assert items(client, "hazards", bbox=around_shown)["features"] == []


def test_a_generalised_polygon_is_one_point(client, site):
    square = Polygon.from_bbox((121.503, -2.505, 121.506, -2.502))
    square.srid = 4326
    pit = make_hazard(site, location=square, is_published=True)
    feature = client.get(f"/ogc/collections/hazards/items/{pit.pk}", HTTP_ACCEPT="application/json").json()
    assert feature["geometry"]["type"] == "Point"


def test_drafts_and_hazards_of_draft_sites_are_hidden_from_the_public(client, site, officer):
    published = make_hazard(site, location=SHAFT, is_published=True)
    draft = make_hazard(site, location=SHAFT, is_published=False)
    draft_site = make_site(name="Not yet public", is_published=False)
    on_draft_site = make_hazard(draft_site, location=SHAFT, is_published=True)
    public = items(client, "hazards")
    assert [feature["id"] for feature in public["features"]] == [published.pk]
    assert public["numberMatched"] == 1
    assert client.get(f"/ogc/collections/hazards/items/{on_draft_site.pk}").status_code == 404
    client.force_login(officer)
    seen = {feature["id"] for feature in items(client, "hazards")["features"]}
    assert seen == {published.pk, draft.pk, on_draft_site.pk}


def test_hazard_properties_name_nobody(client, site, officer):
    make_hazard(
        site,
        location=SHAFT,
        is_published=True,
        created_by=officer,
        notes="Reported by Siti Rahayu",
        status=HazardStatus.MADE_SAFE,
    )
    (feature,) = items(client, "hazards")["features"]
    assert feature["properties"]["status"] == "made_safe" and feature["properties"]["priority"] == 1
    assert "Rahayu" not in str(feature) and "officer-id" not in str(feature)


def test_the_hazards_extent_is_of_what_is_shown(client, site):
    make_hazard(site, location=SHAFT, is_published=True)
    snapped = generalised_point(SHAFT)
    collection = client.get("/ogc/collections/hazards", HTTP_ACCEPT="application/json").json()
    assert collection["extent"]["spatial"]["bbox"][0] == pytest.approx([snapped.x, snapped.y] * 2, abs=1e-6)


# --- remediation areas -----------------------------------------------------------------------------


def test_treated_areas_with_their_measure_and_no_names(client, site, officer):
    measure = make_measure(
        site,
        treated_area=utm_square_in_wgs84(),
        stage=MeasureStage.WORKS_IN_PROGRESS,
        is_published=True,
        signed_off_by=officer,
        planned_start=datetime.date(2025, 1, 1),
    )
    make_measure(site, is_published=True)  # no treated area: nothing to draw
    body = items(client, "remediation-areas")
    (feature,) = body["features"]
    assert feature["id"] == measure.pk and feature["geometry"]["type"] == "MultiPolygon"
    properties = feature["properties"]
    assert properties["stage"] == "works" and properties["site_id"] == site.pk
    assert properties["treated_area_ha"] == pytest.approx(100, rel=0.005)
    assert 0 < properties["progress"] < 1
    assert properties["planned_start"] == "2025-01-01"
    assert "Rahayu" not in str(feature) and "officer-id" not in str(feature)


def test_draft_measures_are_for_members_of_their_country(client, site, officer, foreign_officer):
    draft = make_measure(site, treated_area=utm_square_in_wgs84(), is_published=False)
    assert items(client, "remediation-areas")["features"] == []
    assert client.get(f"/ogc/collections/remediation-areas/items/{draft.pk}").status_code == 404
    client.force_login(foreign_officer)
    assert items(client, "remediation-areas")["features"] == []
    client.force_login(officer)
    assert [feature["id"] for feature in items(client, "remediation-areas")["features"]] == [draft.pk]


def test_datetime_meets_the_works_period_or_else_the_plan(client, site):
    def measure(**dates):
        return make_measure(site, treated_area=utm_square_in_wgs84(), is_published=True, **dates)

    done_2021 = measure(actual_start=datetime.date(2021, 3, 1), actual_end=datetime.date(2021, 9, 1))
    planned_2026 = measure(planned_start=datetime.date(2026, 1, 1), planned_end=datetime.date(2026, 12, 31))
    ongoing_since_2023 = measure(actual_start=datetime.date(2023, 5, 1))
    measure()  # no dates at all: no datetime filter finds it

    def found(interval: str) -> set[int]:
        return {feature["id"] for feature in items(client, "remediation-areas", datetime=interval)["features"]}

    assert found("2021-06-01") == {done_2021.pk}
    assert found("2024-01-01/2024-12-31") == {ongoing_since_2023.pk}
    assert found("2026-06-01/..") == {planned_2026.pk, ongoing_since_2023.pk}
    assert found("../2021-02-28") == set()
    extent = client.get("/ogc/collections/remediation-areas", HTTP_ACCEPT="application/json").json()["extent"]
    assert extent["temporal"]["interval"] == [["2021-03-01", "2026-12-31"]]
