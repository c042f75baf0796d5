"""Site downloads: the sites the API would list, with the API's filters, reopened in GIS software."""

import json
from datetime import UTC

import pandas
import pyogrio
import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.http import StreamingHttpResponse

from access.models import Country, Membership, Role
from geodata import exports
from sites.models import Commodity, DataSource, MineSite, SiteStatus
from tests.conftest import make_site
from tests.downloads import body, present, reopen, save, shapefile_side_file
from tests.geodata.test_downloads import GEOPACKAGE_1_2, geopackage_version

pytestmark = pytest.mark.django_db

FORMATS = ["gpkg", "shp.zip", "geojson", "csv"]


@pytest.fixture
def sites():
    """Five published sites in three countries and one Indonesian draft, from two sources."""
    survey = DataSource.objects.create(name="National mine survey", license="CC-BY-4.0", publisher="Survey office")
    return {
        "nickel": make_site(
            name="Sorowako",
            admin_area="South Sulawesi",
            commodities=[Commodity.NICKEL],
            location=Point(121.36, -2.53, srid=4326),
            operator="PT Vale",
            opened_year=1968,
            data_source=survey,
            source_record_id="NMS-1",
        ),
        "coal": make_site(
            name="Satui",
            status=SiteStatus.CLOSED,
            commodities=[Commodity.COAL, Commodity.GOLD],
            location=Point(115.5, -3.8, srid=4326),
            opened_year=1990,
            closed_year=2015,
            data_source=survey,
        ),
        "tin": make_site(
            name="Bangka tin",
            status=SiteStatus.ABANDONED,
            commodities=[Commodity.TIN],
            location=Point(106.1, -2.1, srid=4326),
        ),
        "philippines": make_site(
            name="Rio Tuba",
            country=Country.PHILIPPINES,
            commodities=[Commodity.NICKEL],
            location=Point(117.4, 8.5, srid=4326),
        ),
        "laos": make_site(
            name="Sepon",
            country=Country.LAOS,
            status=SiteStatus.CLOSED,
            commodities=[Commodity.COPPER, Commodity.GOLD],
            location=Point(106.2, 16.9, srid=4326),
        ),
        "draft": make_site(name="Draft pit", is_published=False, location=Point(120.0, -1.0, srid=4326)),
    }


def export(client, file_format="geojson", **filters):
    return client.get(f"/sites/export.{file_format}", filters)


def geojson_ids(response) -> set[int]:
    return {feature["id"] for feature in json.loads(body(response))["features"]}


@pytest.mark.parametrize("file_format", FORMATS)
def test_each_format_reopens_with_the_published_sites_and_their_values(client, sites, tmp_path, file_format):
    response = export(client, file_format)
    assert response.status_code == 200
    frame = reopen(save(response, tmp_path, file_format), file_format)

    published = MineSite.objects.filter(is_published=True).select_related("data_source").order_by("id")
    assert [int(value) for value in frame["id"]] == [site.pk for site in published]
    if file_format != "csv":  # a CSV cannot say its CRS; the metadata does
        assert frame.crs.to_epsg() == 4326
    for row, site in zip(frame.to_dict(orient="records"), published, strict=True):
        assert row["name"] == site.name
        assert row["country"] == site.country
        assert row["status"] == site.status
        assert row["commodities"] == ";".join(site.commodities)
        opened = present(row["opened_year"])
        assert (opened if opened is None else int(opened)) == site.opened_year
        assert present(row["source"]) == (site.data_source.name if site.data_source else None)
        # Written as UTC text to the second; GDAL may read it back as a date-time.
        assert pandas.Timestamp(row["updated_at"]) == site.updated_at.astimezone(UTC).replace(microsecond=0)
        assert row["geometry"].x == pytest.approx(site.location.x, abs=1e-7)
        assert row["geometry"].y == pytest.approx(site.location.y, abs=1e-7)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"country": "ID"}, {"nickel", "coal", "tin"}),
        ({"status": "closed"}, {"coal", "laos"}),
        ({"commodity": "gold"}, {"coal", "laos"}),
        ({"country": "ID", "commodity": "nickel"}, {"nickel"}),
        ({"bbox": "105,-5,120,0"}, {"coal", "tin"}),
    ],
)
def test_the_api_filters_select_the_same_sites(client, sites, filters, expected):
    response = export(client, **filters)
    assert response.status_code == 200
    exported = geojson_ids(response)
    assert exported == {sites[name].pk for name in expected}
    assert exported == {feature["id"] for feature in client.get("/api/sites/", filters).json()["features"]}


def test_a_draft_is_left_out_for_the_public_and_included_for_its_country_uploader(client, sites):
    assert sites["draft"].pk not in geojson_ids(export(client))
    uploader = User.objects.create_user("uploader-id")
    Membership.objects.create(user=uploader, country="ID", role=Role.SURVEY_UPLOADER)
    client.force_login(uploader)
    assert sites["draft"].pk in geojson_ids(export(client))


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"bbox": "1,2,3"}, "bbox needs four numbers"),
        ({"bbox": "120,10,100,20"}, "minimum must be smaller"),
        ({"status": "flooded"}, "flooded"),
        ({"country": "XX"}, "XX"),
        ({"updated_since": "yesterday"}, "updated_since"),
    ],
)
@pytest.mark.parametrize("file_format", ["geojson", "gpkg"])
def test_bad_filters_answer_400_json_saying_what_is_wrong(client, sites, filters, message, file_format):
    response = export(client, file_format, **filters)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


def test_an_unknown_format_is_404(client, sites):
    assert export(client, "xlsx").status_code == 404


@pytest.mark.parametrize("file_format", ["geojson", "csv"])
def test_geojson_and_csv_are_streamed(client, sites, file_format):
    response = export(client, file_format, country="ID")
    assert isinstance(response, StreamingHttpResponse)
    text = body(response).decode()
    if file_format == "geojson":
        assert len(json.loads(text)["features"]) == 3
    else:
        assert len(text.strip().splitlines()) == 1 + 3


def test_an_export_without_matching_sites_is_an_empty_file_not_an_error(client, sites, tmp_path):
    for file_format in FORMATS:
        response = export(client, file_format, country="BN")
        assert response.status_code == 200
        assert len(reopen(save(response, tmp_path, file_format), file_format)) == 0


def assert_describes_the_query(metadata: dict, **filters):
    assert metadata["title"] == "Mine sites"
    assert metadata["filters"] == filters
    assert metadata["license"] == "CC-BY-4.0"
    assert [source["name"] for source in metadata["sources"]] == ["National mine survey", "Recorded in the registry"]
    assert metadata["exported_at"]
    assert metadata["registry_url"].endswith("/sites/")


def test_geopackage_metadata_is_in_the_layer(client, sites, tmp_path):
    path = save(export(client, "gpkg", country="ID"), tmp_path, "gpkg")
    metadata = pyogrio.read_info(path)["layer_metadata"]
    assert json.loads(metadata["filters"]) == {"country": "ID"}
    assert metadata["license"] == "CC-BY-4.0"
    assert "National mine survey" in metadata["sources"]


@pytest.mark.parametrize(
    ("chunk_rows", "filters", "expected"),
    [(20_000, {}, 5), (2, {}, 5), (2, {"country": Country.BRUNEI}, 0)],
    ids=["one-chunk", "three-chunks", "empty"],
)
def test_the_geopackage_is_version_1_2_however_many_chunks_wrote_it(
    client, sites, tmp_path, monkeypatch, chunk_rows, filters, expected
):
    # The first chunk creates the file with its version; the next ones append to it.
    monkeypatch.setattr(exports, "FILE_CHUNK_ROWS", chunk_rows)
    path = save(export(client, "gpkg", **filters), tmp_path, "gpkg")
    assert geopackage_version(path) == GEOPACKAGE_1_2
    assert len(reopen(path, "gpkg")) == expected


def test_shapefile_metadata_is_a_side_file_with_the_full_field_names(client, sites, tmp_path):
    metadata = shapefile_side_file(save(export(client, "shp.zip", country="ID"), tmp_path, "shp.zip"))
    assert_describes_the_query(metadata, country="ID")
    assert metadata["shapefile_fields"]["source_rec"] == "source_record_id"


def test_geojson_metadata_is_a_member_of_the_collection(client, sites):
    metadata = json.loads(body(export(client, "geojson", country="ID")))["metadata"]
    assert_describes_the_query(metadata, country="ID")


def test_csv_links_to_the_metadata_of_the_same_query(client, sites):
    link = export(client, "csv", country="ID")["Link"]
    url = link.split(">")[0].lstrip("<")
    assert 'rel="describedby"' in link
    assert_describes_the_query(client.get(url).json(), country="ID")


def test_the_api_list_links_the_downloads_with_its_filters(client, sites):
    link = client.get("/api/sites/", {"country": "ID", "page_size": 2})["Link"]
    urls = [part.split(">")[0].strip(" <") for part in link.split(",")]
    assert len(urls) == 4
    assert all("country=ID" in url and "page_size" not in url for url in urls)
    assert geojson_ids(client.get(next(url for url in urls if ".geojson" in url))) == {
        sites[name].pk for name in ("nickel", "coal", "tin")
    }


def test_the_sites_list_and_the_map_offer_downloads_of_their_filters(client, sites):
    listing = client.get("/sites/", {"country": "ID", "status": "closed", "q": "satui"}).content.decode()
    assert "/sites/export.gpkg?country=ID&amp;status=closed" in listing
    assert "the search does not apply" in listing
    assert "/sites/export.csv?commodity=tin" in client.get("/", {"commodity": "tin"}).content.decode()


def pit_outline(lon: float, lat: float) -> MultiPolygon:
    """A 0.01-degree square pit around a point, as an inventory's polygon would give it."""
    square = Polygon.from_bbox((lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005))
    return MultiPolygon(square, srid=4326)


@pytest.mark.parametrize("file_format", FORMATS)
def test_footprints_download_as_polygons_of_the_sites_that_have_one(client, sites, tmp_path, file_format):
    for name in ("nickel", "coal", "draft"):
        site = sites[name]
        site.footprint = pit_outline(site.location.x, site.location.y)
        site.save()
    response = export(client, file_format, geometry="footprint", country="ID")
    assert response.status_code == 200
    frame = reopen(save(response, tmp_path, file_format), file_format)
    # The tin site has no footprint, the draft is not public: neither is in the file.
    assert [int(value) for value in frame["id"]] == [sites["nickel"].pk, sites["coal"].pk]
    assert list(frame["name"]) == ["Sorowako", "Satui"]
    for outline, name in zip(frame.geometry, ("nickel", "coal"), strict=True):
        assert outline.geom_type in {"Polygon", "MultiPolygon"}
        assert outline.area == pytest.approx(0.0001)
        assert outline.contains(shapely.Point(sites[name].location.coords))


def test_the_footprint_download_says_what_it_holds_in_its_metadata(client, sites):
    sites["tin"].footprint = pit_outline(106.1, -2.1)
    sites["tin"].save()
    metadata = json.loads(body(export(client, "geojson", geometry="footprint")))["metadata"]
    assert metadata["title"] == "Mine site footprints"
    assert metadata["filters"] == {"geometry": "footprint"}
    # Only the tin site has an outline, and it comes from no named source.
    assert [source["name"] for source in metadata["sources"]] == ["Recorded in the registry"]


def test_an_unknown_geometry_is_a_400_naming_the_choices(client, sites):
    response = export(client, "gpkg", geometry="centroid")
    assert response.status_code == 400
    assert "choose location (their points) or footprint" in response.json()["error"]


def test_the_sites_list_offers_footprints_with_its_filters(client, sites):
    listing = client.get("/sites/", {"country": "ID"}).content.decode()
    assert "/sites/export.gpkg?country=ID&amp;geometry=footprint" in listing


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", FORMATS)
def test_a_download_outside_any_transaction_reads_through_its_own_and_leaves_none_open(
    client, sites, tmp_path, file_format
):
    # As in production (no test transaction around the request): the cursor opens and ends its own.
    assert connection.get_autocommit()
    response = export(client, file_format, country="ID")
    frame = reopen(save(response, tmp_path, file_format), file_format)
    response.close()
    assert sorted(int(value) for value in frame["id"]) == sorted(sites[name].pk for name in ("nickel", "coal", "tin"))
    assert connection.get_autocommit() and not connection.in_atomic_block
