"""Vector tiles decoded as a map client would: clusters, sites, filters, visibility, caching, bad addresses."""

import math
from urllib.parse import urlencode

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Point
from django.db.models import F, Func
from mapbox_vector_tile.Mapbox import vector_tile_pb2

from access.models import Role
from geodata import generalise, loading
from geodata.models import GeneralisedFeature
from sites.models import MineSite, SiteCluster, SiteStatus
from tests.conftest import make_site
from tests.geodata.conftest import make_layer
from tests.remediation.conftest import make_member

pytestmark = pytest.mark.django_db

SULAWESI = (121.5, -2.5)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The z/x/y of the Web Mercator tile holding a point (the slippy-map formula)."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def site_tile_url(z: int, lon_lat=SULAWESI, query: str = "") -> str:
    z, x, y = tile_of(*lon_lat, z)
    return f"/tiles/sites/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


def features(response, layer: str = "sites") -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content) if response.content else {}
    return [feature["properties"] for feature in decoded.get(layer, {}).get("features", [])]


def feature_ids(response, layer: str = "sites") -> list[tuple[int | None, dict]]:
    """Each feature's MVT id (None where the tile sets none) with its properties, read from the protobuf.

    The decoder's `id` cannot tell an unset id from 0, so the message is asked whether it has one.
    """
    assert response.status_code == 200, response.content
    tile = vector_tile_pb2.tile()
    tile.ParseFromString(response.content)
    (found,) = [candidate for candidate in tile.layers if candidate.name == layer] or [None]
    decoded = features(response, layer)
    ids = [feature.id if feature.HasField("id") else None for feature in (found.features if found else [])]
    return list(zip(ids, decoded, strict=True))


def total(response) -> int:
    return sum(properties["count"] for properties in features(response))


def make_sites_near(count: int, lon_lat=SULAWESI, **fields) -> list[MineSite]:
    lon, lat = lon_lat
    return [make_site(location=Point(lon + i * 0.001, lat, srid=4326), **fields) for i in range(count)]


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    return client


# --- sites: what the tiles carry --------------------------------------------------------------


def test_low_zoom_tile_aggregates_nearby_sites_into_one_cluster_with_their_count(client):
    make_sites_near(3)
    (cluster,) = features(client.get(site_tile_url(3)))
    assert cluster == {"count": 3}  # no id or status: a cluster mixes sites
    assert feature_ids(client.get(site_tile_url(3))) == [(None, cluster)]  # nor an MVT feature id


def test_a_lone_site_at_low_zoom_carries_its_id_and_status(client):
    site = make_site(status=SiteStatus.CLOSED)
    assert features(client.get(site_tile_url(5))) == [{"count": 1, "id": site.pk, "status": "closed"}]
    assert [feature_id for feature_id, _ in feature_ids(client.get(site_tile_url(5)))] == [site.pk]


def test_high_zoom_tile_has_one_feature_per_site_with_id_and_status(client):
    sites = make_sites_near(3)
    found = features(client.get(site_tile_url(16)))
    assert sorted(properties["id"] for properties in found) == sorted(site.pk for site in sites)
    assert {properties["status"] for properties in found} == {"active"}
    ided = feature_ids(client.get(site_tile_url(16)))
    assert len(ided) == 3 and all(feature_id == properties["id"] for feature_id, properties in ided)


def test_every_low_zoom_tile_stays_small_however_many_sites(client):
    lon, lat = SULAWESI
    MineSite.objects.bulk_create(
        MineSite(
            name=f"Pit {i}",
            country="ID",
            status="active",
            location=Point(lon + (i % 50) * 0.02, lat + (i // 50) * 0.02),
            is_published=True,
        )
        for i in range(2500)
    )
    for z in range(0, 15):
        found = features(client.get(site_tile_url(z, (lon + 0.5, lat + 0.5))))
        assert len(found) <= 16  # at most one cluster per 64 x 64 pixels of the tile: circles do not pile up
    assert total(client.get(site_tile_url(2, (lon + 0.5, lat + 0.5)))) == 2500


@pytest.mark.parametrize("z", [3, 16])
def test_filters_are_honoured_at_low_and_high_zoom(client, z):
    make_sites_near(2, status=SiteStatus.ACTIVE, commodities=["nickel"])
    make_sites_near(1, (SULAWESI[0] + 0.002, SULAWESI[1]), status=SiteStatus.CLOSED, commodities=["nickel", "cobalt"])
    make_sites_near(1, (SULAWESI[0] + 0.0025, SULAWESI[1]), status="closed", country="PH", commodities=["gold"])
    assert total(client.get(site_tile_url(z))) == 4
    assert total(client.get(site_tile_url(z, query="status=closed"))) == 2
    assert total(client.get(site_tile_url(z, query="status=closed&country=ID"))) == 1
    assert total(client.get(site_tile_url(z, query="commodity=nickel"))) == 3
    assert total(client.get(site_tile_url(z, query="commodity=cobalt"))) == 1
    assert total(client.get(site_tile_url(z, query="commodity=coal"))) == 0


@pytest.mark.parametrize("query", ["status=flooded", "country=US", "commodity=unobtainium"])
def test_unknown_filter_values_get_a_400_that_says_why(client, query):
    response = client.get(site_tile_url(3, query=query))
    assert response.status_code == 400
    assert "is not a known value for this filter" in response.json()["error"]


@pytest.mark.parametrize("z", [3, 16])
def test_drafts_are_hidden_from_the_public_and_shown_to_staff(client, z):
    make_site(name="Published")
    make_site(name="Draft", location=Point(SULAWESI[0] + 0.001, SULAWESI[1]), is_published=False)
    assert total(client.get(site_tile_url(z))) == 1
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert total(client.get(site_tile_url(z))) == 2


def test_cluster_counts_follow_moves_edits_and_deletions(client):
    moving, staying = make_sites_near(2)
    moving.location = Point(100.5, 13.7, srid=4326)  # to Thailand
    moving.save()
    assert total(client.get(site_tile_url(6))) == 1
    assert total(client.get(site_tile_url(6, (100.5, 13.7)))) == 1
    staying.is_published = False
    staying.save()
    assert total(client.get(site_tile_url(6))) == 0
    MineSite.objects.all().delete()
    assert not SiteCluster.objects.filter(n__gt=0).exists()
    assert not SiteCluster.objects.exists()


# --- caching ----------------------------------------------------------------------------------


def test_an_edit_invalidates_the_cached_tile_and_its_etag(client):
    site = make_site()
    first = client.get(site_tile_url(4))
    assert features(first) == [{"count": 1, "id": site.pk, "status": "active"}]
    assert features(client.get(site_tile_url(4)))[0]["status"] == "active"  # now from the cache
    site.status = SiteStatus.REHABILITATED
    site.save()
    second = client.get(site_tile_url(4))
    assert features(second)[0]["status"] == "rehabilitated"
    assert second["ETag"] != first["ETag"]


def test_a_matching_etag_gets_304_and_public_tiles_may_be_cached(client):
    make_site()
    response = client.get(site_tile_url(4))
    assert response["Cache-Control"] == "public, max-age=60"
    again = client.get(site_tile_url(4), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(site_tile_url(4), headers={"If-None-Match": '"stale"'}).status_code == 200


def test_every_tile_answer_is_one_database_round_trip(client, django_assert_num_queries):
    make_site()
    with django_assert_num_queries(1):  # the version check and the tile in one statement
        built = client.get(site_tile_url(4))
    with django_assert_num_queries(1):  # the version check only: the cached copy is current
        cached = client.get(site_tile_url(4))
    with django_assert_num_queries(1):
        not_modified = client.get(site_tile_url(4), headers={"If-None-Match": built["ETag"]})
    assert cached.content == built.content and cached["ETag"] == built["ETag"]
    assert not_modified.status_code == 304


def test_the_etag_of_one_tile_does_not_answer_for_another(client):
    make_site()
    etag = client.get(site_tile_url(4))["ETag"]
    other_zoom = client.get(site_tile_url(5), headers={"If-None-Match": etag})
    filtered = client.get(site_tile_url(4, query="status=active"), headers={"If-None-Match": etag})
    assert other_zoom.status_code == 200 and other_zoom["ETag"] != etag
    assert filtered.status_code == 200 and filtered["ETag"] != etag


def test_staff_tiles_are_private_and_keyed_apart_from_public_ones(staff_client):
    make_site(is_published=False)
    response = staff_client.get(site_tile_url(4))
    assert response["Cache-Control"] == "private, no-cache"
    assert total(response) == 1
    staff_client.logout()
    assert total(staff_client.get(site_tile_url(4))) == 0


# --- bad addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["-1/0/0", "1/2/0", "1/0/2", "23/0/0", "1.5/0/0", "a/0/0", "3/0/1e3", "99999999999/0/0", "0/0/-0"]
)
def test_impossible_tile_addresses_get_a_400(client, address, layer):
    for url in (f"/tiles/sites/{address}.pbf", f"/tiles/layers/{layer.pk}/{address}.pbf"):
        response = client.get(url)
        assert response.status_code in (400, 404), url  # 404 only for the unpublished layer
    response = client.get(f"/tiles/sites/{address}.pbf")
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_last_tile_of_the_deepest_zoom_is_fine(client):
    assert client.get(f"/tiles/sites/22/{2**22 - 1}/{2**22 - 1}.pbf").status_code == 200


# --- survey layers ----------------------------------------------------------------------------


def square(lon: float, lat: float, size_deg: float):
    return shapely.box(lon, lat, lon + size_deg, lat + size_deg)


@pytest.fixture
def geology(db, monkeypatch):
    """A published layer: one large polygon (visible at z3) and one of about 20 m (not visible there).

    Loaded as if it were dense, so its low zooms have generalised copies.
    """
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 0)
    layer = make_layer(status="ready", is_published=True, field_schema=[{"name": "LITHOLOGY", "type": "str"}])
    geometries = np.array([square(110.0, -7.5, 1.0), square(110.9, -7.1, 0.0002)])
    loading.replace_features(layer, geometries, [{"LITHOLOGY": "basalt"}, {"LITHOLOGY": "shale"}], [0, 1])
    layer.refresh_from_db()
    return layer


def layer_tile_url(layer, z, lon_lat=(110.9001, -7.0999), query=""):
    z, x, y = tile_of(*lon_lat, z)
    return f"/tiles/layers/{layer.pk}/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


def test_layer_tile_carries_feature_ids_and_the_chosen_attribute(client, geology):
    found = features(client.get(layer_tile_url(geology, 16, query="attribute=LITHOLOGY")), "features")
    assert sorted(properties["value"] for properties in found) == ["basalt", "shale"]
    assert all(isinstance(properties["fid"], int) for properties in found)
    ided = feature_ids(client.get(layer_tile_url(geology, 16, query="attribute=LITHOLOGY")), "features")
    assert sorted(feature_id for feature_id, _ in ided) == sorted(geology.features.values_list("id", flat=True))
    assert all(feature_id == properties["fid"] for feature_id, properties in ided)


def test_a_sparse_layers_low_zooms_are_drawn_from_its_features_as_stored(client):
    layer = make_layer(status="ready", is_published=True, field_schema=[{"name": "LITHOLOGY", "type": "str"}])
    loading.replace_features(layer, np.array([square(110.0, -7.5, 1.0)]), [{"LITHOLOGY": "basalt"}], [0])
    assert not GeneralisedFeature.objects.filter(layer=layer).exists()  # one feature: no tile is crowded
    (only,) = layer.features.all()
    assert feature_ids(client.get(layer_tile_url(layer, 3)), "features") == [(only.pk, {"fid": only.pk})]


def test_a_dense_layers_low_zooms_are_drawn_from_its_copies(client, geology):
    moved = GeneralisedFeature.objects.filter(layer=geology).update(
        geom=Func(F("geom"), 0, 1e7, function="ST_Translate", output_field=GeometryField(srid=3857))
    )
    assert moved
    assert features(client.get(layer_tile_url(geology, 3)), "features") == []  # the copies were moved away
    assert len(features(client.get(layer_tile_url(geology, 16)), "features")) == 2  # from z12: the features


def test_low_zoom_layer_tiles_leave_out_what_is_too_small_to_see(client, geology):
    assert len(features(client.get(layer_tile_url(geology, 3)), "features")) == 1
    # The generalised copy carries the id of the feature it simplifies, as property and as MVT id.
    large = geology.features.get(source_index=0)
    assert feature_ids(client.get(layer_tile_url(geology, 3)), "features") == [(large.pk, {"fid": large.pk})]
    assert len(features(client.get(layer_tile_url(geology, 16)), "features")) == 2


@pytest.mark.parametrize(
    "attribute", ["COLOUR", "nul\x00byte", "it's 100%", "%(layer)s", "'); DROP TABLE x; --", "Lithología"]
)
def test_unknown_layer_attribute_gets_a_400(client, geology, attribute):
    response = client.get(layer_tile_url(geology, 8, query=urlencode({"attribute": attribute})))
    assert response.status_code == 400
    assert f"no attribute {attribute!r}" in response.json()["error"]


def test_unknown_and_unpublished_layers_are_404(client, layer):
    assert client.get(f"/tiles/layers/{layer.pk}/0/0/0.pbf").status_code == 404  # a draft
    assert client.get("/tiles/layers/987654/0/0/0.pbf").status_code == 404


def test_a_click_identifies_a_feature_of_the_layer_only(client, geology, layer):
    fid = features(client.get(layer_tile_url(geology, 16)), "features")[0]["fid"]
    identified = client.get(f"/tiles/layers/{geology.pk}/features/{fid}.json").json()
    assert identified["properties"]["LITHOLOGY"] in {"basalt", "shale"}
    assert client.get(f"/tiles/layers/{layer.pk}/features/{fid}.json").status_code == 404


def test_reloading_a_layer_changes_its_tiles(client, geology):
    before = client.get(layer_tile_url(geology, 16, query="attribute=LITHOLOGY"))
    loading.replace_features(geology, np.array([square(110.9, -7.1, 0.0002)]), [{"LITHOLOGY": "granite"}], [0])
    after = client.get(layer_tile_url(geology, 16, query="attribute=LITHOLOGY"))
    assert [properties["value"] for properties in features(after, "features")] == ["granite"]
    assert after["ETag"] != before["ETag"]


def test_a_layer_tile_is_one_round_trip_with_the_layers_visibility_and_version(
    client, geology, django_assert_num_queries
):
    url = layer_tile_url(geology, 16, query="attribute=LITHOLOGY")
    with django_assert_num_queries(1):  # who may see the layer, its version and the tile in one statement
        built = client.get(url)
    with django_assert_num_queries(1):  # the layer's version only: the cached copy is current
        cached = client.get(url)
    with django_assert_num_queries(1):
        not_modified = client.get(url, headers={"If-None-Match": built["ETag"]})
    assert built.status_code == 200 and built["Cache-Control"] == "public, max-age=60"
    assert cached.content == built.content and cached["ETag"] == built["ETag"]
    assert not_modified.status_code == 304


def test_a_layer_withdrawn_after_its_tile_was_kept_is_404_and_no_copy_leaks(client, geology):
    url = layer_tile_url(geology, 16)
    etag = client.get(url)["ETag"]  # now in the tile cache and in the browser
    geology.is_published = False
    geology.save()
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_a_draft_layers_tiles_are_for_its_countrys_uploaders_and_kept_private(client, geology):
    geology.is_published = False
    geology.save()
    url = layer_tile_url(geology, 16)
    client.force_login(make_member("ph-uploader", Role.SURVEY_UPLOADER, "PH"))
    assert client.get(url).status_code == 404
    client.force_login(make_member("id-uploader", Role.SURVEY_UPLOADER, "ID"))
    response = client.get(url)
    assert [feature["fid"] for feature in features(response, "features")]
    assert response["Cache-Control"] == "private, no-cache"


def test_a_layer_id_beyond_the_database_range_is_404(client):
    assert client.get(f"/tiles/layers/{2**63}/3/6/4.pbf").status_code == 404
    assert client.get(f"/tiles/layers/{2**63 - 1}/3/6/4.pbf").status_code == 404
