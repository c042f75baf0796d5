"""OGC API – Features Part 1 (OGC 17-069r4), Annex A: one test per abstract test that applies, named after it.

Core (A.2), GeoJSON (A.3), HTML (A.4) and OpenAPI 3.0 (A.5). The abstract tests on HTTP 1.1 and
HTTPS are the web server's (gunicorn behind a proxy); /ats/oas30/security does not apply (the
collections need no credentials). What a real client makes of the same documents is tested in
test_ogc_clients.py (GDAL, OWSLib), tests/clients (QGIS, schemathesis).
"""

import datetime
import json
import re

import jsonschema
import pytest
from django.contrib.gis.geos import Point
from schemathesis.specs.openapi.definitions import OPENAPI_30

from remediation.models import HazardPriority
from sites.models import MineSite
from tests.conftest import make_site
from tests.remediation.conftest import make_hazard

pytestmark = pytest.mark.django_db

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
# Coordinates with more decimals than the documents write (8), so the extent's rounding is tested.
PLACES = [(100.123456789, 10.987654321), (101.5, 11.25), (179.5, 66.0), (-179.5, 68.0)]


@pytest.fixture
def sites(db):
    made = [make_site(name=f"Site {number}", location=Point(x, y, srid=4326)) for number, (x, y) in enumerate(PLACES)]
    make_site(name="Draft", is_published=False)
    make_hazard(made[1], priority=HazardPriority.ENVIRONMENTAL, location=Point(101.5, 11.25), is_published=True)
    return made


def get(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT="application/json")


def document(client, url, **params) -> dict:
    response = get(client, url, **params)
    assert response.status_code == 200, response.content
    return response.json()


def links(body: dict, rel: str) -> list[dict]:
    return [link for link in body["links"] if link["rel"] == rel]


def path_of(href: str) -> str:
    return re.sub(r"^https?://[^/]+", "", href)


def api_definition(client) -> dict:
    return document(client, "/ogc/api")


# --- A.2 Core -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/ogc", "/ogc/"])
def test_ats_core_root_op(client, url):
    """/ats/core/root-op: the landing page answers at the address clients are given, with and without a slash."""
    response = get(client, url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_ats_core_root_success(client):
    """/ats/core/root-success: links to the API definition, the conformance declaration and the collections."""
    body = document(client, "/ogc")
    assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in body["links"]}
    assert links(body, "service-desc")[0]["type"] == OPENAPI


def test_every_link_the_service_writes_answers_without_a_redirect(client, sites):
    """The links of the landing page, the collections and a page of items use the form a client requests."""
    seen = []
    for url in ["/ogc", "/ogc/collections", "/ogc/collections/sites", "/ogc/collections/sites/items"]:
        seen += [link["href"] for link in document(client, url)["links"]]
    for href in seen:
        assert get(client, path_of(href)).status_code == 200, href


def test_ats_core_api_definition_op(client):
    """/ats/core/api-definition-op: the service-desc link gives the API definition."""
    href = links(document(client, "/ogc"), "service-desc")[0]["href"]
    response = get(client, path_of(href))
    assert response.status_code == 200 and response["Content-Type"] == OPENAPI


def test_ats_core_api_definition_success(client):
    """/ats/core/api-definition-success: the definition describes every resource the service offers."""
    paths = set(api_definition(client)["paths"])
    assert {"/", "/conformance", "/collections", "/collections/{collectionId}"} <= paths
    assert {"/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}"} <= paths


def test_ats_core_conformance_op(client):
    """/ats/core/conformance-op: the conformance declaration answers."""
    href = links(document(client, "/ogc"), "conformance")[0]["href"]
    assert get(client, path_of(href)).status_code == 200


def test_ats_core_conformance_success(client):
    """/ats/core/conformance-success: it lists the Core class and the others this service meets."""
    classes = document(client, "/ogc/conformance")["conformsTo"]
    assert CORE in classes
    assert {cls.rsplit("/", 1)[1] for cls in classes} == {"core", "geojson", "html", "oas30"}


@pytest.mark.parametrize("url", ["/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/sites/items"])
def test_ats_core_query_param_unknown(client, url):
    """/ats/core/query-param-unknown: a parameter the API definition does not declare is a 400."""
    response = get(client, url, foo="1")
    assert response.status_code == 400
    assert "foo" in response.json()["description"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "ten"}, {"bbox": "1,2,3"}, {"datetime": "yesterday"}, {"f": ""}, {"f": "xml"}],
)
def test_ats_core_query_param_invalid(client, params):
    """/ats/core/query-param-invalid: a declared parameter with a value it cannot take is a 400."""
    response = get(client, "/ogc/collections/sites/items", **params)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"


def test_ats_core_crs84(client, sites):
    """/ats/core/crs84: geometries are in CRS84 (longitude first) unless asked otherwise."""
    body = document(client, "/ogc/collections/sites/items", limit="10")
    coordinates = {tuple(feature["geometry"]["coordinates"]) for feature in body["features"]}
    assert (101.5, 11.25) in coordinates
    assert document(client, "/ogc/collections/sites")["extent"]["spatial"]["crs"] == CRS84


def test_ats_core_fc_md_op(client):
    """/ats/core/fc-md-op: the collections document answers."""
    assert get(client, "/ogc/collections").status_code == 200


def test_ats_core_fc_md_success(client, sites):
    """/ats/core/fc-md-success: links (self, alternate) and a collections array."""
    body = document(client, "/ogc/collections")
    assert links(body, "self") and links(body, "alternate")
    assert {"sites", "hazards", "remediation-areas"} <= {collection["id"] for collection in body["collections"]}


def test_ats_core_fc_md_links(client):
    """/ats/core/fc-md-links: the self link is this document, in the format answered."""
    body = document(client, "/ogc/collections")
    (self_link,) = links(body, "self")
    assert path_of(self_link["href"]).startswith("/ogc/collections") and self_link["type"] == "application/json"


def test_ats_core_fc_md_items(client):
    """/ats/core/fc-md-items: every collection has an id, a title and an items link."""
    for collection in document(client, "/ogc/collections")["collections"]:
        assert collection["id"] and collection["title"]
        assert links(collection, "items")


def test_ats_core_fc_md_items_links(client, sites):
    """/ats/core/fc-md-items-links: each collection's items link leads to its features as GeoJSON."""
    for collection in document(client, "/ogc/collections")["collections"]:
        (as_geojson,) = [link for link in links(collection, "items") if link["type"] == GEOJSON]
        response = get(client, path_of(as_geojson["href"]))
        assert response.status_code == 200 and response["Content-Type"] == GEOJSON


def test_ats_core_fc_md_extent(client, sites):
    """/ats/core/fc-md-extent: the stated extent holds every feature, as the features are written."""
    (box,) = document(client, "/ogc/collections/sites")["extent"]["spatial"]["bbox"]
    minx, miny, maxx, maxy = box
    for feature in document(client, "/ogc/collections/sites/items", limit="100")["features"]:
        x, y = feature["geometry"]["coordinates"]
        assert minx <= x <= maxx and miny <= y <= maxy, (box, x, y)


def test_ats_core_sfc_md_op(client, sites):
    """/ats/core/sfc-md-op: one collection's document answers, and an unknown one is a 404."""
    assert get(client, "/ogc/collections/sites").status_code == 200
    assert get(client, "/ogc/collections/no-such").status_code == 404


def test_ats_core_sfc_md_success(client, sites):
    """/ats/core/sfc-md-success: the same description as in the collections document."""
    listed = next(item for item in document(client, "/ogc/collections")["collections"] if item["id"] == "sites")
    alone = document(client, "/ogc/collections/sites")
    for key in ("id", "title", "description", "extent", "crs", "itemType"):
        assert alone[key] == listed[key]


def test_ats_core_fc_op(client, sites):
    """/ats/core/fc-op: a collection's items answer as GeoJSON."""
    response = get(client, "/ogc/collections/sites/items")
    assert response.status_code == 200 and response["Content-Type"] == GEOJSON


def parameter(definition: dict, name: str) -> dict:
    operation = definition["paths"]["/collections/{collectionId}/items"]["get"]
    return next(item for item in operation["parameters"] if item["name"] == name)


def test_ats_core_fc_limit_definition(client):
    """/ats/core/fc-limit-definition: limit is an integer from 1, with a default and a maximum."""
    limit = parameter(api_definition(client), "limit")
    assert (limit["in"], limit["required"], limit["style"], limit["explode"]) == ("query", False, "form", False)
    assert limit["schema"]["type"] == "integer" and limit["schema"]["minimum"] == 1
    assert limit["schema"]["default"] <= limit["schema"]["maximum"]


def test_ats_core_fc_limit_response(client, sites):
    """/ats/core/fc-limit-response: at most limit features; a larger limit than the maximum is no error."""
    assert len(document(client, "/ogc/collections/sites/items", limit="2")["features"]) == 2
    assert document(client, "/ogc/collections/sites/items", limit="100000")["numberReturned"] == len(PLACES)


def test_ats_core_fc_bbox_definition(client):
    """/ats/core/fc-bbox-definition: bbox is a form-style array of 4 or 6 numbers."""
    bbox = parameter(api_definition(client), "bbox")
    assert (bbox["in"], bbox["required"], bbox["style"], bbox["explode"]) == ("query", False, "form", False)
    assert bbox["schema"] == {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}


@pytest.mark.parametrize(
    ("bbox", "names"),
    [
        ("100,10,102,12", {"Site 0", "Site 1"}),
        ("100,10,0,102,12,1000", {"Site 0", "Site 1"}),  # a 3D box
        ("177,65,-177,70", {"Site 2", "Site 3"}),  # across the antimeridian
    ],
)
def test_ats_core_fc_bbox_response(client, sites, bbox, names):
    """/ats/core/fc-bbox-response: only features that meet the box, a 3D one and one across the antimeridian too."""
    body = document(client, "/ogc/collections/sites/items", bbox=bbox)
    assert {feature["properties"]["name"] for feature in body["features"]} == names


def test_ats_core_fc_time_definition(client):
    """/ats/core/fc-time-definition: datetime is a form-style string."""
    when = parameter(api_definition(client), "datetime")
    assert (when["in"], when["required"], when["style"], when["explode"]) == ("query", False, "form", False)
    assert when["schema"]["type"] == "string"


def test_ats_core_fc_time_response(client, sites):
    """/ats/core/fc-time-response: instants, dates (a whole day) and open intervals select by time."""
    MineSite.objects.filter(name="Site 0").update(updated_at=datetime.datetime(2026, 11, 29, 15, tzinfo=datetime.UTC))
    MineSite.objects.exclude(name="Site 0").update(updated_at=datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC))

    def names(when: str) -> set[str]:
        return {
            item["properties"]["name"]
            for item in document(client, "/ogc/collections/sites/items", datetime=when)["features"]
        }

    assert names("2026-11-29") == {"Site 0"}
    assert names("2026-11-29T22:00:00+07:00") == {"Site 0"}  # 15:00 in UTC
    assert names("2026-11-28/..") == {"Site 0"}
    assert names("../2026-11-28") == {"Site 1", "Site 2", "Site 3"}
    assert names("2026-11-29T00:00:00-16:00/..") == set()  # 16:00 in UTC, after Site 0's update


@pytest.mark.parametrize(
    "when", ["2024-01-01T00:00:00-16:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:30:00+01:00"]
)
def test_ats_core_fc_time_response_answers_every_offset_and_year(client, sites, when):
    """Offsets beyond PostgreSQL's ±15:59 are answered; instants outside the years 1 to 9999 in UTC are a 400."""
    response = get(client, "/ogc/collections/remediation-areas/items", datetime=when)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "years 1 to 9999" in response.json()["description"]
    else:
        assert when.startswith("2024")


def test_ats_core_fc_response(client, sites):
    """/ats/core/fc-response: a FeatureCollection with a features array and the page's numbers."""
    body = document(client, "/ogc/collections/sites/items")
    assert body["type"] == "FeatureCollection" and isinstance(body["features"], list)


def test_ats_core_fc_links(client, sites):
    """/ats/core/fc-links: self and alternate links, and next while there is more."""
    body = document(client, "/ogc/collections/sites/items", limit="2")
    assert links(body, "self") and links(body, "alternate") and links(body, "next")
    last = document(client, path_of(links(body, "next")[0]["href"]))
    assert not links(last, "next")


def test_ats_core_fc_timestamp(client, sites):
    """/ats/core/fc-timeStamp: when the page was made, as an RFC 3339 date-time."""
    stamp = document(client, "/ogc/collections/sites/items")["timeStamp"]
    assert datetime.datetime.fromisoformat(stamp).tzinfo is not None


def test_ats_core_fc_numbermatched(client, sites):
    """/ats/core/fc-numberMatched: the number of features that match, across pages."""
    assert document(client, "/ogc/collections/sites/items", limit="1")["numberMatched"] == len(PLACES)


def test_ats_core_fc_numberreturned(client, sites):
    """/ats/core/fc-numberReturned: the number of features on this page."""
    body = document(client, "/ogc/collections/sites/items", limit="3")
    assert body["numberReturned"] == len(body["features"]) == 3


def test_ats_core_f_op(client, sites):
    """/ats/core/f-op: one feature answers at its own address; a missing one is a 404."""
    assert get(client, f"/ogc/collections/sites/items/{sites[0].pk}").status_code == 200
    assert get(client, "/ogc/collections/sites/items/987654").status_code == 404


def test_ats_core_f_success(client, sites):
    """/ats/core/f-success: a GeoJSON Feature with self, alternate and collection links."""
    body = document(client, f"/ogc/collections/sites/items/{sites[0].pk}")
    assert body["type"] == "Feature" and body["id"] == sites[0].pk
    assert links(body, "self") and links(body, "alternate") and links(body, "collection")


def test_undeclared_methods_are_a_405(client):
    """Only GET and HEAD are declared: any other method is a 405, not a CSRF refusal."""
    for url in ["/ogc", "/ogc/collections", "/ogc/collections/sites/items", "/ogc/api"]:
        response = client.post(url)
        assert response.status_code == 405 and "GET" in response["Allow"], url


# --- A.3 GeoJSON ----------------------------------------------------------------------------------


def test_ats_geojson_definition(client):
    """/ats/geojson/definition: the API definition offers the features as application/geo+json."""
    paths = api_definition(client)["paths"]
    for path in ("/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}"):
        assert GEOJSON in paths[path]["get"]["responses"]["200"]["content"]


def test_ats_geojson_content(client, sites):
    """/ats/geojson/content: features and pages are GeoJSON (RFC 7946) with the links and numbers Core asks."""
    page = document(client, "/ogc/collections/sites/items")
    for item in page["features"]:
        assert item["type"] == "Feature" and item["geometry"]["type"] == "Point"
        assert isinstance(item["properties"], dict) and "id" in item
    assert isinstance(page["numberReturned"], int) and page["links"]


# --- A.4 HTML -------------------------------------------------------------------------------------


def test_ats_html_definition(client):
    """/ats/html/definition: the API definition offers every resource as text/html too."""
    for path, item in api_definition(client)["paths"].items():
        if path != "/api":
            assert "text/html" in item["get"]["responses"]["200"]["content"], path


@pytest.mark.parametrize(
    "url", ["/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/sites", "/ogc/collections/sites/items"]
)
def test_ats_html_content(client, sites, url):
    """/ats/html/content: an HTML page of the document, with its title and its links, by f=html or Accept."""
    for response in (client.get(url, {"f": "html"}), client.get(url, HTTP_ACCEPT="text/html")):
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert html.lstrip().lower().startswith("<!doctype html>") and "<title>" in html


# --- A.5 OpenAPI 3.0 ------------------------------------------------------------------------------


def test_ats_oas30_oas_definition_1(client):
    """/ats/oas30/oas-definition-1: the definition is served as application/vnd.oai.openapi+json;version=3.0."""
    response = client.get("/ogc/api")
    assert response.status_code == 200 and response["Content-Type"] == OPENAPI


def test_ats_oas30_oas_definition_2(client):
    """/ats/oas30/oas-definition-2: the definition is valid OpenAPI 3.0."""
    definition = api_definition(client)
    assert definition["openapi"].startswith("3.0.")
    jsonschema.Draft4Validator(OPENAPI_30).validate(definition)


def test_ats_oas30_completeness(client, sites):
    """/ats/oas30/completeness: every parameter the service takes is declared, and the formats it answers."""
    definition = api_definition(client)
    declared = {item["name"] for item in definition["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    assert {"limit", "offset", "after", "bbox", "bbox-crs", "datetime", "f"} <= declared
    next_link = links(document(client, "/ogc/collections/sites/items", limit="1"), "next")[0]["href"]
    assert set(re.findall(r"[?&]([^=&]+)=", next_link)) <= declared


def test_ats_oas30_exceptions_codes(client):
    """/ats/oas30/exceptions-codes: the error answers the service gives are declared, with their body."""
    paths = api_definition(client)["paths"]
    for path in ("/collections/{collectionId}", "/collections/{collectionId}/items/{featureId}"):
        answers = paths[path]["get"]["responses"]
        assert {"400", "404"} <= set(answers)
    body = get(client, "/ogc/collections/no-such").json()
    assert set(body) == {"code", "description"}
    assert json.dumps(body)
