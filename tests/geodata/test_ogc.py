"""OGC API – Features documents: landing page, conformance, collections, items with paging and filters."""

from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import Point

from geodata.models import Layer
from geodata.services import load_reference_layer
from sites.demo import REFERENCE_LAYERS
from sites.models import MineSite
from tests.conftest import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def faults():
    layer, _ = load_reference_layer(next(spec for spec in REFERENCE_LAYERS if spec.slug == "gem-active-faults"))
    return layer


def get_json(client, url, **params):
    response = client.get(url, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response


def test_landing_page_links_to_the_api_conformance_and_collections(client):
    body = get_json(client, "/ogc/").json()
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels["service-desc"] == "http://testserver/ogc/api"
    assert rels["conformance"] == "http://testserver/ogc/conformance"
    assert rels["data"] == "http://testserver/ogc/collections"


def test_conformance_declares_core_geojson_html_and_openapi(client):
    classes = get_json(client, "/ogc/conformance").json()["conformsTo"]
    assert {uri.rsplit("/", 1)[1] for uri in classes} == {"core", "geojson", "html", "oas30"}


def test_the_api_definition_is_openapi_3_0(client):
    response = client.get("/ogc/api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = response.json()
    assert document["openapi"].startswith("3.0")
    assert "/collections/{collectionId}/items" in document["paths"]
    parameters = document["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]
    assert {"limit", "offset", "after", "bbox", "datetime"} <= {parameter["name"] for parameter in parameters}


def test_collections_are_sites_hazards_remediation_areas_and_every_published_layer(client, faults):
    Layer.objects.create(title="Draft layer", status="ready")
    body = get_json(client, "/ogc/collections").json()
    ids = [item["id"] for item in body["collections"]]
    assert ids == ["sites", "hazards", "remediation-areas", f"layer-{faults.pk}"]
    layer = body["collections"][3]
    assert layer["license"] == faults.license
    assert layer["extent"]["spatial"]["bbox"][0] == pytest.approx(list(faults.extent.extent))


def test_items_page_with_links_and_counts(client):
    made = [make_site(name=f"site {number}") for number in range(25)]
    make_site(name="draft", is_published=False)
    first = get_json(client, "/ogc/collections/sites/items").json()
    assert first["numberMatched"] == 25 and first["numberReturned"] == 10
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links
    seen, url = [], "/ogc/collections/sites/items?limit=10"
    while url:
        body = client.get(url).json()
        seen += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert sorted(seen) == sorted(site.pk for site in made)
    assert client.get("/ogc/collections/sites/items?offset=20").json()["numberReturned"] == 5


def test_next_links_continue_after_the_last_id_not_from_an_offset(client):
    made = [make_site(name=f"site {number}") for number in range(7)]
    first = get_json(client, "/ogc/collections/sites/items", limit=3).json()
    next_url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    assert f"after={made[2].pk}" in next_url
    MineSite.objects.filter(pk=made[0].pk).delete()  # a deletion before the cursor shifts nothing
    second = client.get(next_url).json()
    assert [feature["id"] for feature in second["features"]] == [site.pk for site in made[3:6]]
    assert second["numberMatched"] == 6


def test_number_matched_is_left_out_beyond_the_count_limit_but_kept_when_known(client, monkeypatch):
    from geodata.ogc import core

    monkeypatch.setattr(core, "COUNT_LIMIT", 5)
    for number in range(8):
        make_site(name=f"site {number}", location=Point(100 + number, 10, srid=4326))
    assert "numberMatched" not in get_json(client, "/ogc/collections/sites/items", limit=2).json()
    page = client.get("/ogc/collections/sites/items", {"limit": 2, "f": "html"}).content.decode()
    assert "2 features on this page, of more than 5" in page
    # The last page knows the total without counting; a narrow filter counts under the limit.
    assert get_json(client, "/ogc/collections/sites/items", limit=5, offset=5).json()["numberMatched"] == 8
    narrow = get_json(client, "/ogc/collections/sites/items", limit=1, bbox="99.5,9,103.5,11").json()
    assert narrow["numberMatched"] == 4 and narrow["numberReturned"] == 1


def test_a_page_that_holds_every_match_is_not_counted_again(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(3):
        make_site(name=f"site {number}")
    with CaptureQueriesContext(connection) as queries:
        body = get_json(client, "/ogc/collections/sites/items").json()
    assert body["numberMatched"] == 3
    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]


def test_items_filter_by_bbox_and_datetime(client):
    thai = make_site(name="thai", country="TH", location=Point(100.5, 10.5, srid=4326))
    old = make_site(name="old")
    MineSite.objects.filter(pk=old.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    in_box = get_json(client, "/ogc/collections/sites/items", bbox="100,10,101,11").json()
    assert [feature["id"] for feature in in_box["features"]] == [thai.pk]
    recent = get_json(client, "/ogc/collections/sites/items", datetime="2021-01-01T00:00:00Z/..").json()
    assert [feature["id"] for feature in recent["features"]] == [thai.pk]
    early = get_json(client, "/ogc/collections/sites/items", datetime="../2020-06-30").json()
    assert [feature["id"] for feature in early["features"]] == [old.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("bbox=1,2,3", "four numbers"),
        ("bbox=5,5,1,1", "smaller than its maximum"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("after=abc", "after"),
        ("offset=%C2%B2", "offset"),
        ("offset=99999999999999999999", "offset must be at most"),
        ("after=99999999999999999999", "after must be at most"),
        ("datetime=last-week", "datetime"),
        ("datetime=2024-01-01/2020-01-01", "ends before it starts"),
        ("datetime=2020-13-01", "not a day of the calendar"),
        ("datetime=2020-02-30T10:00:00Z/..", "not a day of the calendar"),
        ("f=xml", "json or html"),
    ],
)
def test_bad_parameters_answer_400_with_a_description(client, query, message):
    response = client.get(f"/ogc/collections/sites/items?{query}", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"
    assert message in response.json()["description"]


def test_limit_is_capped(client):
    make_site()
    from geodata.ogc.core import parse_items_query

    assert parse_items_query({"limit": "999999"}).limit == 10_000
    assert parse_items_query({"limit": "99999999999999999999"}).limit == 10_000
    assert get_json(client, "/ogc/collections/sites/items", limit="999999").json()["numberReturned"] == 1


def test_single_item_and_unknown_ones(client, faults):
    site = make_site(location=Point(106.8, -6.2, srid=4326))
    feature = get_json(client, f"/ogc/collections/sites/items/{site.pk}").json()
    assert feature["geometry"]["coordinates"] == [106.8, -6.2]
    assert feature["properties"]["name"] == site.name
    assert client.get("/ogc/collections/sites/items/999999").status_code == 404
    assert client.get("/ogc/collections/sites/items/%C2%B2").status_code == 404
    assert client.get("/ogc/collections/nothing/items").json()["code"] == "NotFound"
    draft = make_site(is_published=False)
    assert client.get(f"/ogc/collections/sites/items/{draft.pk}").status_code == 404
    line = get_json(client, f"/ogc/collections/layer-{faults.pk}/items/0").json()
    assert line["geometry"]["type"] == "LineString"
    assert client.get(f"/ogc/collections/layer-{faults.pk}/items").headers["Content-Type"] == "application/geo+json"


def test_unpublished_layers_are_not_collections(client, faults):
    Layer.objects.filter(pk=faults.pk).update(is_published=False)
    assert client.get(f"/ogc/collections/layer-{faults.pk}").status_code == 404


def test_html_by_parameter_or_accept_header(client):
    site = make_site(name="Tambang Contoh")
    by_parameter = client.get("/ogc/collections/sites/items?f=html")
    assert by_parameter["Content-Type"].startswith("text/html")
    assert "Tambang Contoh" in by_parameter.content.decode()
    by_header = client.get(f"/ogc/collections/sites/items/{site.pk}", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert by_header["Content-Type"].startswith("text/html") and "Tambang Contoh" in by_header.content.decode()
    landing = client.get("/ogc/", HTTP_ACCEPT="text/html").content.decode()
    assert "ogrinfo OAPIF:http://testserver/ogc" in landing


def test_html_items_are_titled_by_their_collection_and_show_missing_values_as_a_dash(client, faults):
    html = client.get(f"/ogc/collections/layer-{faults.pk}/items?f=html&limit=2").content.decode()
    assert f"<h1>{faults.title}</h1>" in html
    assert "<b>accuracy</b>: —" in html and "None" not in html
    item = client.get(f"/ogc/collections/layer-{faults.pk}/items/0?f=html").content.decode()
    assert "<tr><th>accuracy</th><td>—</td></tr>" in item
