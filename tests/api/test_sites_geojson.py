"""The sites list's features, written by PostgreSQL, are the very bytes SiteSerializer writes for the same records.

Each test asks for the same page twice: as clients get it (features built in SQL) and through the
serializer (the path the browsable API still takes), and compares the bodies byte for byte, so
any field, number format or link that drifts between the two fails here.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import Point

import geodata.rest
from sites.models import DataSource, MineSite
from tests.api.conftest import token_client
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


def both_ways(client, url: str, monkeypatch, **headers):
    """The response as clients get it, and the same request answered through the serializer."""
    fast = client.get(url, headers=headers)
    with monkeypatch.context() as patched:
        patched.setattr(geodata.rest, "writes_compact_json", lambda request: False)
        slow = client.get(url, headers=headers)
    assert fast.status_code == slow.status_code == 200, slow.content[:300]
    return fast, slow


def assert_same_page(client, url: str, monkeypatch) -> dict:
    fast, slow = both_ways(client, url, monkeypatch)
    assert fast.content == slow.content
    for header in ("Content-Type", "Link", "Vary", "Allow"):
        assert fast.get(header) == slow.get(header), header
    return fast.json()


def at(when: datetime, site: MineSite) -> None:
    MineSite.objects.filter(pk=site.pk).update(created_at=when, updated_at=when)


def test_a_site_with_every_field_filled(api, monkeypatch):
    survey = DataSource.objects.create(name="Badan Geologi — «survey» 2024", license="CC-BY-4.0")
    site = make_site(
        name='Tambang "Sawahlunto" \\ Ombilin\n\t(ถ่านหิน) 炭鉱 \u2028end',
        alternative_names=["Ombilin", "Sawahlunto\u2029coal", "\x01control"],
        country="ID",
        admin_area="Sumatera Barat",
        status="closed",
        mine_type="underground",
        commodities=["coal", "gold"],
        location=Point(100.77812345678901, -0.6812345678901234, srid=4326),
        operator="PT Bukit Asam / Ombilin",
        opened_year=1892,
        closed_year=2002,
        data_source=survey,
        source_record_id="M0684",
        source_status="retired",
        source_url="https://example.org/mines/M0684?lang=id&x=1",
        quality_flags=["duplicate_source_id", "outside_land"],
    )
    at(datetime(2025, 6, 30, 23, 59, 58, 123400, tzinfo=UTC), site)
    body = assert_same_page(api, "/api/sites/", monkeypatch)
    (feature,) = body["features"]
    assert feature["properties"]["license"] == "CC-BY-4.0"
    assert feature["properties"]["updated_at"] == "2025-06-30T23:59:58.123400Z"


def test_nulls_empty_lists_and_whole_coordinates(api, monkeypatch):
    whole = make_site(name="", location=Point(110, -7, srid=4326), commodities=[], alternative_names=[])
    tiny = make_site(name="Near the origin", location=Point(0.00001, -0.0, srid=4326))
    at(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), whole)
    body = assert_same_page(api, "/api/sites/", monkeypatch)
    features = {feature["id"]: feature for feature in body["features"]}
    assert features[whole.pk]["properties"]["data_source"] is None
    assert features[whole.pk]["properties"]["license"] == ""
    assert features[whole.pk]["properties"]["opened_year"] is None
    assert features[whole.pk]["properties"]["created_at"] == "2024-01-02T03:04:05Z"
    assert features[tiny.pk]["geometry"]["coordinates"] == [0.00001, -0.0]


def test_an_empty_page(api, monkeypatch):
    body = assert_same_page(api, "/api/sites/?country=TH", monkeypatch)
    assert body["features"] == [] and body["numberReturned"] == 0


def test_a_draft_is_in_its_reviewers_page_and_not_in_the_publics(api, reviewer, monkeypatch):
    published = make_site(name="Published")
    draft = make_site(name="Draft", is_published=False)
    public = assert_same_page(api, "/api/sites/", monkeypatch)
    assert [feature["id"] for feature in public["features"]] == [published.pk]
    reviewers = assert_same_page(token_client(reviewer), "/api/sites/", monkeypatch)
    assert [feature["id"] for feature in reviewers["features"]] == [published.pk, draft.pk]
    assert reviewers["features"][1]["properties"]["is_published"] is False


@pytest.mark.parametrize("ordering", ["", "&ordering=-name", "&ordering=updated_at", "&ordering=-id"])
def test_every_page_and_its_links_in_each_order(api, monkeypatch, ordering):
    for number in range(7):
        make_site(name=f"site {number % 3}")  # repeated names: the cursor's offset within a name
    url, walked = f"/api/sites/?page_size=3{ordering}", 0
    while url:
        body = assert_same_page(api, url, monkeypatch)
        walked += body["numberReturned"]
        if body["previous"]:
            assert_same_page(api, body["previous"], monkeypatch)
        url = body["next"]
    assert walked == 7


@pytest.mark.parametrize("query", ["bbox=121,-3,122,-2", "commodity=gold", "status=closed&country=ID"])
def test_filtered_pages(api, monkeypatch, query):
    make_site(name="inside", commodities=["gold"])
    make_site(name="outside", status="closed", location=Point(100, 5, srid=4326))
    assert_same_page(api, f"/api/sites/?{query}", monkeypatch)


def test_people_reading_still_get_the_browsable_api_and_indented_json(api):
    make_site(name="Shown")
    page = api.get("/api/sites/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert b"Shown" in page.content
    indented = api.get("/api/sites/", headers={"Accept": "application/json; indent=2"})
    assert indented.content.startswith(b'{\n  "type": "FeatureCollection"')
    assert indented.json() == api.get("/api/sites/").json()


def test_errors_are_unchanged(api):
    response = api.get("/api/sites/?bbox=1,2,3")
    assert response.status_code == 400
    assert "bbox" in response.json()["fields"]
    assert api.get("/api/sites/?cursor=not-a-cursor").json() == {"error": "Invalid cursor"}
