"""The sites API: GeoJSON for everyone, drafts hidden from the public, writes only for the roles that may."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from sites.models import MineSite, ResourceEstimate
from tests.api.conftest import make_user, token_client
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def ids(response) -> set[int]:
    return {feature["id"] for feature in response.json()["features"]}


def test_list_is_a_feature_collection_of_published_sites(api):
    shown = make_site(name="Published", location=Point(110.25, -7.5, srid=4326))
    make_site(name="Draft", is_published=False)
    response = api.get("/api/sites/")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert ids(response) == {shown.pk}
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [110.25, -7.5]}
    assert feature["properties"]["name"] == "Published"


def test_a_draft_is_404_for_the_public_and_visible_to_its_country_uploader(api, uploader):
    draft = make_site(is_published=False)
    assert api.get(f"/api/sites/{draft.pk}/").status_code == 404
    assert api.get(f"/api/sites/{draft.pk}/").json()["error"]
    assert token_client(uploader).get(f"/api/sites/{draft.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=TH", {"thai"}),
        ("status=closed", {"closed"}),
        ("commodity=gold", {"gold"}),
        ("bbox=100,10,101,11", {"thai"}),
        ("bbox=120,-3,122,-2&commodity=nickel", {"nickel"}),
    ],
)
def test_filters(api, query, expected):
    sites = {
        "thai": make_site(name="thai", country="TH", location=Point(100.5, 10.5, srid=4326), commodities=["tin"]),
        "closed": make_site(name="closed", status="closed", commodities=["coal"], location=Point(115, 0, srid=4326)),
        "gold": make_site(name="gold", commodities=["gold"], location=Point(116, 0, srid=4326)),
        "nickel": make_site(name="nickel"),
    }
    response = api.get(f"/api/sites/?{query}")
    assert response.status_code == 200, response.json()
    assert ids(response) == {sites[name].pk for name in expected}


def test_bbox_keeps_sites_on_its_edges_and_corners_and_leaves_out_those_just_beyond(api):
    inside = {
        make_site(name=f"edge {x} {y}", location=Point(x, y, srid=4326)).pk
        for x, y in [(100, 10), (101, 11), (100, 10.5), (100.5, 11), (100.5, 10.5)]
    }
    # A millionth of a degree (about 10 cm) beyond: inside the single-precision boxes of the spatial
    # index, so a filter on box overlap alone would let these in.
    for x, y in [(99.999999, 10.5), (101.000001, 10.5), (100.5, 9.999999), (100.5, 11.000001)]:
        make_site(name=f"beyond {x} {y}", location=Point(x, y, srid=4326))
    assert ids(api.get("/api/sites/?bbox=100,10,101,11")) == inside


def test_updated_since(api):
    old = make_site(name="old")
    recent = make_site(name="recent")
    MineSite.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.get("/api/sites/", {"updated_since": since})
    assert ids(response) == {recent.pk}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("bbox=1,2,3", "bbox", "four numbers"),
        ("bbox=a,b,c,d", "bbox", "must be numbers"),
        ("bbox=10,10,5,20", "bbox", "smaller than its maximum"),
        ("bbox=-200,0,10,10", "bbox", "±180"),
        ("country=XX", "country", "XX"),
        ("status=sleeping", "status", "sleeping"),
        ("commodity=unobtainium", "commodity", "unobtainium"),
        ("updated_since=yesterday", "updated_since", "date"),
        ("page_size=0", "page_size", "whole number"),
    ],
)
def test_bad_filters_answer_400_with_the_field_and_a_clear_message(api, query, field, message):
    response = api.get(f"/api/sites/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert message in " ".join(body["fields"][field])
    assert field in body["error"]


def test_keyset_pages_walk_every_site_once_and_cap_the_page_size(api):
    made = {make_site(name=f"site {number}").pk for number in range(7)}
    seen, url = [], "/api/sites/?page_size=3&ordering=-name"
    while url:
        body = api.get(url).json()
        assert len(body["features"]) <= 3
        seen += [feature["id"] for feature in body["features"]]
        url = body["next"]
    assert sorted(seen) == sorted(made) and len(seen) == 7
    names = [MineSite.objects.get(pk=pk).name for pk in seen]
    assert names == sorted(names, reverse=True)
    capped = api.get("/api/sites/?page_size=100000").json()
    assert capped["numberReturned"] == 7


def test_page_past_the_end_is_a_json_404(api):
    response = api.get("/api/sites/?cursor=not-a-cursor")
    assert response.status_code == 404
    assert response.json() == {"error": "Invalid cursor"}


NEW_SITE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [120.1, -3.2]},
    "properties": {"name": "New pit", "country": "ID", "status": "abandoned", "commodities": ["nickel"]},
}


def test_an_uploader_creates_a_draft_site_of_their_country(uploader):
    response = token_client(uploader).post("/api/sites/", NEW_SITE, format="json")
    assert response.status_code == 201, response.json()
    site = MineSite.objects.get(name="New pit")
    assert site.is_published is False
    assert (site.location.x, site.location.y) == (120.1, -3.2)
    assert site.history.first().history_type == "+"


def test_an_uploader_cannot_create_sites_of_another_country(uploader):
    other = {**NEW_SITE, "properties": {**NEW_SITE["properties"], "country": "PH"}}
    response = token_client(uploader).post("/api/sites/", other, format="json")
    assert response.status_code == 403
    assert "survey uploaders of this country" in response.json()["error"]
    assert not MineSite.objects.exists()


def test_anonymous_and_roleless_writes_are_refused(api, db):
    assert api.post("/api/sites/", NEW_SITE, format="json").status_code == 401
    nobody = token_client(make_user("nobody"))
    assert nobody.post("/api/sites/", NEW_SITE, format="json").status_code == 403
    assert not MineSite.objects.exists()


def test_an_invalid_site_gets_per_field_errors(uploader):
    bad = {**NEW_SITE, "properties": {**NEW_SITE["properties"], "status": "sleeping", "name": ""}}
    response = token_client(uploader).post("/api/sites/", bad, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "name"}


def test_the_model_rules_come_back_as_field_errors(uploader):
    bad = {**NEW_SITE, "properties": {**NEW_SITE["properties"], "opened_year": 2000, "closed_year": 1990}}
    response = token_client(uploader).post("/api/sites/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not MineSite.objects.exists()


def test_an_uploader_updates_a_site_but_cannot_publish_it(uploader):
    site = make_site(is_published=False)
    client = token_client(uploader)
    response = client.patch(f"/api/sites/{site.pk}/", {"properties": {"operator": "PT Contoh"}}, format="json")
    assert response.status_code == 200, response.json()
    assert MineSite.objects.get(pk=site.pk).operator == "PT Contoh"
    response = client.post(f"/api/sites/{site.pk}/publish/", {"is_published": True}, format="json")
    assert response.status_code == 403
    assert MineSite.objects.get(pk=site.pk).is_published is False


def test_a_reviewer_publishes_a_site_of_their_country(reviewer):
    site = make_site(is_published=False)
    response = token_client(reviewer).post(f"/api/sites/{site.pk}/publish/", {"is_published": True}, format="json")
    assert response.status_code == 200
    assert MineSite.objects.get(pk=site.pk).is_published is True


def test_session_writes_need_the_csrf_token(uploader):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(uploader)
    response = client.post("/api/sites/", NEW_SITE, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/api/sites/", NEW_SITE, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_unknown_routes_and_methods_answer_json(api):
    response = api.get("/api/nothing-here/")
    assert response.status_code == 404
    assert "No API endpoint" in response.json()["error"]
    response = api.delete(f"/api/sites/{make_site().pk}/")
    assert response.status_code in (401, 405)
    assert response.json()["error"]


def test_anonymous_use_is_throttled(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [api.get("/api/sites/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "throttled" in api.get("/api/sites/").json()["error"].lower()


def make_estimate(site, **overrides):
    values = {
        "site": site,
        "commodity": "nickel",
        "reporting_code": "jorc",
        "category": "indicated",
        "tonnage_mt": "12.5",
        "grade": "1.4",
        "grade_unit": "percent",
        "effective_date": "2023-06-30",
        "competent_person": "A. Geologist",
        "source_report": "Annual report 2023",
        "is_published": True,  # as a reviewer records it
    }
    values.update(overrides)
    return ResourceEstimate.objects.create(**values)


def test_resource_estimates_follow_the_visibility_of_their_site(api, reviewer):
    shown = make_estimate(make_site())
    hidden = make_estimate(make_site(is_published=False))
    response = api.get("/api/resource-estimates/")
    assert [row["id"] for row in response.json()["results"]] == [shown.pk]
    assert response.json()["results"][0]["unfc_class"] == "E2 F2.2 G2"
    assert api.get(f"/api/resource-estimates/{hidden.pk}/").status_code == 404
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    assert token_client(staff).get(f"/api/resource-estimates/{hidden.pk}/").status_code == 200
    assert api.get("/api/resource-estimates/?category=guessed").status_code == 400


@pytest.mark.parametrize("properties", [None, [], "name", 3])
def test_a_body_whose_properties_are_no_object_is_a_400(uploader, properties):
    body = {**NEW_SITE, "properties": properties}
    response = token_client(uploader).post("/api/sites/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"properties": ["A GeoJSON Feature's properties are an object."]}
