"""Remediation-area and hazard tiles decoded as a map client would: visibility, generalisation, identify, caching."""

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point, Polygon
from pyproj import Transformer

from remediation.models import HazardPriority, HazardStatus, MeasureStage
from tests.conftest import make_site
from tests.geodata.test_tiles import tile_of
from tests.remediation.conftest import make_hazard, make_measure, utm_square_in_wgs84

pytestmark = pytest.mark.django_db

WORLD_M = 40075016.685578488
TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
SHAFT = (121.50371, -2.50413)  # an open shaft, about 400 m from the site
SQUARE_CENTRE = (121.5045, -2.5018)  # inside utm_square_in_wgs84()


def decode(response, layer: str) -> list[dict]:
    """The features of one layer with their geometry in Web Mercator metres, and their MVT `feature_id`."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    z, x, y = (int(part) for part in response.wsgi_request.path.removesuffix(".pbf").split("/")[-3:])
    size = WORLD_M / 2**z
    x0, y0 = -WORLD_M / 2 + x * size, WORLD_M / 2 - y * size
    tile = (
        mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True}) if response.content else {}
    )

    def to_metres(coordinates):
        if isinstance(coordinates[0], (int, float)):
            return (x0 + coordinates[0] / 4096 * size, y0 - coordinates[1] / 4096 * size)
        return [to_metres(part) for part in coordinates]

    return [
        {
            **feature["properties"],
            "feature_id": feature["id"],
            "geometry_type": feature["geometry"]["type"],
            "coordinates": to_metres(feature["geometry"]["coordinates"]),
        }
        for feature in tile.get(layer, {}).get("features", [])
    ]


def tile_url(source: str, lon_lat, z: int, query: str = "") -> str:
    z, x, y = tile_of(*lon_lat, z)
    return f"/tiles/{source}/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


# --- remediation areas ------------------------------------------------------------------------


def test_remediation_tile_carries_published_treated_areas_with_their_attributes(client, site):
    measure = make_measure(
        site, treated_area=utm_square_in_wgs84(), stage=MeasureStage.WORKS_IN_PROGRESS, is_published=True
    )
    (area,) = decode(client.get(tile_url("remediation", SQUARE_CENTRE, 14)), "remediation")
    assert area["id"] == measure.pk and area["site"] == site.pk and area["stage"] == "works"
    assert area["feature_id"] == measure.pk
    assert area["hectares"] == pytest.approx(100, rel=0.005)
    assert area["geometry_type"] == "Polygon"


def test_a_treated_area_too_small_to_draw_at_low_zoom_is_a_point(client, site):
    make_measure(site, treated_area=utm_square_in_wgs84(), is_published=True)
    (area,) = decode(client.get(tile_url("remediation", SQUARE_CENTRE, 5)), "remediation")
    assert area["geometry_type"] == "Point"


def test_drafts_stay_off_the_public_remediation_tiles(client, site, officer, foreign_officer):
    draft = make_measure(site, treated_area=utm_square_in_wgs84())
    on_draft_site = make_measure(
        make_site(is_published=False), treated_area=utm_square_in_wgs84(side_m=500), is_published=True
    )
    url = tile_url("remediation", SQUARE_CENTRE, 14)
    public = client.get(url)
    assert decode(public, "remediation") == []
    assert public["Cache-Control"] == "public, max-age=60"
    client.force_login(foreign_officer)
    assert decode(client.get(url), "remediation") == []
    client.force_login(officer)
    mine = client.get(url)
    assert {area["id"] for area in decode(mine, "remediation")} == {draft.pk, on_draft_site.pk}
    assert {area["feature_id"] for area in decode(mine, "remediation")} == {draft.pk, on_draft_site.pk}
    assert mine["Cache-Control"] == "private, no-cache"


def test_editing_a_measure_changes_its_cached_tile(client, site):
    measure = make_measure(site, treated_area=utm_square_in_wgs84(), is_published=True)
    url = tile_url("remediation", SQUARE_CENTRE, 14)
    before = client.get(url)
    assert decode(client.get(url), "remediation")[0]["stage"] == "planned"  # the cached copy
    measure.stage = MeasureStage.DESIGN
    measure.save()
    after = client.get(url)
    assert decode(after, "remediation")[0]["stage"] == "design"
    assert after["ETag"] != before["ETag"]
    measure.delete()
    assert decode(client.get(url), "remediation") == []


def test_a_click_on_a_treated_area_tells_the_public_no_names(client, site, officer):
    signer = User.objects.create_user("signer", first_name="Budi", last_name="Santoso")
    measure = make_measure(site, treated_area=utm_square_in_wgs84(), is_published=True, signed_off_by=signer)
    draft = make_measure(site, treated_area=utm_square_in_wgs84())
    public = client.get(f"/tiles/remediation/{measure.pk}.json")
    assert public.status_code == 200
    summary = public.json()
    assert summary["site"] == {"id": site.pk, "name": "Sulawesi nickel", "url": site.get_absolute_url()}
    assert summary["properties"]["Stage"] == "Planned"
    assert "Budi" not in public.content.decode() and "officer" not in public.content.decode()
    assert client.get(f"/tiles/remediation/{draft.pk}.json").status_code == 404
    client.force_login(officer)
    assert client.get(f"/tiles/remediation/{draft.pk}.json").status_code == 200
    assert client.get(f"/tiles/remediation/{measure.pk}.json").json()["properties"]["Signed off by"] == "Budi Santoso"


# --- hazards ----------------------------------------------------------------------------------


def on_grid_node(point_m, cell=1000.0, tolerance=5.0) -> bool:
    return all(abs(value - round(value / cell) * cell) <= tolerance for value in point_m)


def near(point_m, lon_lat, tolerance_m=5.0) -> bool:
    x, y = TO_MERCATOR.transform(*lon_lat)
    return abs(point_m[0] - x) <= tolerance_m and abs(point_m[1] - y) <= tolerance_m


@pytest.fixture
def shaft(site):
    return make_hazard(site, location=Point(*SHAFT, srid=4326), is_published=True)


def test_the_public_sees_a_priority_1_hazard_only_snapped_to_a_kilometre(client, shaft):
    response = client.get(tile_url("hazards", SHAFT, 16))
    (hazard,) = decode(response, "hazards")
    assert hazard["id"] == shaft.pk and hazard["type"] == "open_shaft" and hazard["priority"] == 1
    assert hazard["feature_id"] == shaft.pk
    assert hazard["status"] == "unaddressed" and hazard["generalised"] is True
    assert on_grid_node(hazard["coordinates"]) and not near(hazard["coordinates"], SHAFT, 100)
    assert response["Cache-Control"] == "public, max-age=60"


def test_an_officer_of_the_country_sees_the_exact_place_and_a_foreign_officer_does_not(
    client, shaft, officer, foreign_officer
):
    client.force_login(officer)
    response = client.get(tile_url("hazards", SHAFT, 16))
    (hazard,) = decode(response, "hazards")
    assert hazard["generalised"] is False and near(hazard["coordinates"], SHAFT)
    assert response["Cache-Control"] == "private, no-cache"
    client.force_login(foreign_officer)
    (hazard,) = decode(client.get(tile_url("hazards", SHAFT, 16)), "hazards")
    assert hazard["generalised"] is True and on_grid_node(hazard["coordinates"])


def test_an_officers_tile_reads_their_memberships_once(client, shaft, officer, django_assert_num_queries):
    client.force_login(officer)
    # The session, the user, every role of the user in one query, and the tile with its version.
    with django_assert_num_queries(4):
        response = client.get(tile_url("hazards", SHAFT, 16))
    (hazard,) = decode(response, "hazards")
    assert hazard["generalised"] is False


def test_staff_see_exact_places(client, shaft):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    (hazard,) = decode(client.get(tile_url("hazards", SHAFT, 16)), "hazards")
    assert hazard["generalised"] is False and near(hazard["coordinates"], SHAFT)


def test_lower_priorities_are_exact_for_everyone(client, site):
    make_hazard(site, priority=HazardPriority.ENVIRONMENTAL, location=Point(*SHAFT, srid=4326), is_published=True)
    (hazard,) = decode(client.get(tile_url("hazards", SHAFT, 16)), "hazards")
    assert hazard["generalised"] is False and near(hazard["coordinates"], SHAFT)


def test_a_priority_1_polygon_becomes_its_snapped_centre_for_the_public(client, site, officer):
    x, y = SHAFT
    area = Polygon.from_bbox((x - 0.002, y - 0.002, x + 0.002, y + 0.002))
    area.srid = 4326
    make_hazard(site, hazard_type="subsidence", location=area, is_published=True)
    (hazard,) = decode(client.get(tile_url("hazards", SHAFT, 15)), "hazards")
    assert hazard["geometry_type"] == "Point" and on_grid_node(hazard["coordinates"])
    client.force_login(officer)
    (hazard,) = decode(client.get(tile_url("hazards", SHAFT, 15)), "hazards")
    assert hazard["geometry_type"] == "Polygon" and hazard["feature_id"] == hazard["id"]


def test_the_tile_holding_a_generalised_hazard_is_the_one_of_its_snapped_point(client, shaft):
    (hazard,) = decode(client.get(tile_url("hazards", SHAFT, 16)), "hazards")
    snapped = Transformer.from_crs(3857, 4326, always_xy=True).transform(*hazard["coordinates"])
    assert tile_of(*snapped, 18) != tile_of(*SHAFT, 18)  # the node is ~300 m away; z18 tiles are ~150 m
    assert decode(client.get(tile_url("hazards", SHAFT, 18)), "hazards") == []
    assert len(decode(client.get(tile_url("hazards", snapped, 18)), "hazards")) == 1


def test_draft_hazards_are_hidden_from_the_public(client, site, officer):
    make_hazard(site, location=Point(*SHAFT, srid=4326))
    assert decode(client.get(tile_url("hazards", SHAFT, 16)), "hazards") == []
    client.force_login(officer)
    assert len(decode(client.get(tile_url("hazards", SHAFT, 16)), "hazards")) == 1


def test_editing_a_hazard_changes_its_cached_tile(client, shaft):
    url = tile_url("hazards", SHAFT, 16)
    before = client.get(url)
    assert decode(before, "hazards")[0]["generalised"] is True
    shaft.priority = HazardPriority.DANGER
    shaft.status = HazardStatus.IN_PROGRESS
    shaft.save()
    after = client.get(url)
    (hazard,) = decode(after, "hazards")
    assert hazard["generalised"] is False and hazard["status"] == "in_progress" and near(hazard["coordinates"], SHAFT)
    assert after["ETag"] != before["ETag"]


def test_identify_gives_the_public_the_generalised_place_and_the_officer_the_exact_one(client, shaft, officer):
    public = client.get(f"/tiles/hazards/{shaft.pk}.json").json()
    assert public["generalised"] is True
    assert public["properties"]["Priority"].startswith("1")
    lon, lat = public["location"]["coordinates"]
    assert on_grid_node(TO_MERCATOR.transform(lon, lat), tolerance=1.0)
    assert (round(lon, 4), round(lat, 4)) != (round(SHAFT[0], 4), round(SHAFT[1], 4))
    assert str(SHAFT[0]) not in client.get(f"/tiles/hazards/{shaft.pk}.json").content.decode()
    client.force_login(officer)
    exact = client.get(f"/tiles/hazards/{shaft.pk}.json").json()
    assert exact["generalised"] is False
    assert exact["location"]["coordinates"] == pytest.approx(list(SHAFT), abs=1e-6)


def test_identify_refuses_draft_hazards_to_the_public(client, site):
    draft = make_hazard(site, location=Point(*SHAFT, srid=4326))
    assert client.get(f"/tiles/hazards/{draft.pk}.json").status_code == 404
    assert client.get("/tiles/hazards/987654.json").status_code == 404


@pytest.mark.parametrize("address", ["-1/0/0", "1/2/0", "23/0/0", "a/0/0", "3/0/1e3"])
@pytest.mark.parametrize("source", ["remediation", "hazards"])
def test_impossible_addresses_get_a_400(client, source, address):
    response = client.get(f"/tiles/{source}/{address}.pbf")
    assert response.status_code == 400
    assert response.json()["error"]


# --- sites coloured by remediation progress ---------------------------------------------------


def site_progress(client, site, z: int, query="colour=remediation") -> list:
    url = tile_url("sites", (site.location.x, site.location.y), z, query)
    return [feature.get("remediation") for feature in decode(client.get(url), "sites")]


@pytest.mark.parametrize("z", [5, 16])
def test_sites_carry_their_remediation_progress_when_asked(client, site, z):
    assert site_progress(client, site, z) == ["none"]
    make_measure(site, is_published=True)
    assert site_progress(client, site, z) == ["planned"]
    make_measure(site, stage=MeasureStage.FUNDED, is_published=True)
    assert site_progress(client, site, z) == ["in_progress"]
    site.measures.update(stage=MeasureStage.COMPLETED)
    assert site_progress(client, site, z) == ["completed"]
    assert site_progress(client, site, z, query="") == [None]


def test_draft_measures_count_only_for_their_countrys_members(client, site, officer):
    make_measure(site)
    make_measure(site, stage=MeasureStage.FAILED_CANCELLED, is_published=True)
    assert site_progress(client, site, 16) == ["none"]
    client.force_login(officer)
    url = tile_url("sites", (site.location.x, site.location.y), 16, "colour=remediation")
    assert client.get(url)["Cache-Control"] == "private, no-cache"
    assert site_progress(client, site, 16) == ["planned"]


def test_clusters_stay_neutral_when_coloured_by_remediation(client, site):
    make_site(location=Point(121.501, -2.5, srid=4326))
    (cluster,) = decode(client.get(tile_url("sites", (121.5, -2.5), 3, "colour=remediation")), "sites")
    assert cluster["count"] == 2 and "remediation" not in cluster


def test_an_unknown_colour_gets_a_400(client):
    response = client.get("/tiles/sites/3/6/4.pbf?colour=rainbow")
    assert response.status_code == 400
    assert "not a way to colour" in response.json()["error"]
