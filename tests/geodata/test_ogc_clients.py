"""The OGC API as its clients read it: GDAL's OAPIF driver (ogrinfo, ogr2ogr) and OWSLib, against a live server.

GDAL runs as a subprocess: read in this process (pyogrio), its requests would wait on a server
thread of this same process and deadlock. Every subprocess has a timeout, so a hang fails the test.
"""

import os
import re
import subprocess

import pyogrio
import pytest
from django.contrib.gis.geos import Point
from owslib.ogcapi.features import Features

from geodata.ingest import ingest_layer
from geodata.models import Feature, Layer
from remediation.models import HazardPriority, HazardType
from remediation.placement import generalised_point
from sites.models import MineSite
from tests.conftest import make_site
from tests.geodata.conftest import UPLOADS, make_layer
from tests.remediation.conftest import make_hazard

TIMEOUT_S = 60
SHAFT = Point(121.50371, -2.50413, srid=4326)
SLOPE = Point(121.49, -2.51, srid=4326)


@pytest.fixture
def registry(transactional_db, live_server):
    """Five published sites and a draft, three hazards (one on the draft site) and a published survey layer."""
    sites = [
        make_site(name=f"Site {number}", location=Point(100 + number, 10 + number / 10, srid=4326))
        for number in range(5)
    ]
    draft_site = make_site(name="Draft site", is_published=False)
    shaft = make_hazard(sites[0], location=SHAFT, is_published=True)
    slope = make_hazard(
        sites[0],
        hazard_type=HazardType.UNSTABLE_SLOPE,
        priority=HazardPriority.ENVIRONMENTAL,
        location=SLOPE,
        is_published=True,
    )
    make_hazard(draft_site, location=SHAFT, is_published=True)
    layer = make_layer(title="Alaska airports", is_published=True)
    ingest_layer(layer, UPLOADS / "qgis_airports_cpg_system_shp.zip")
    layer = Layer.objects.get(pk=layer.pk)
    assert layer.status == "ready" and layer.feature_count == 76
    return {"url": f"{live_server.url}/ogc", "sites": sites, "shaft": shaft, "slope": slope, "layer": layer}


def run_gdal(*arguments: str) -> str:
    # GDAL reads no user configuration and asks no proxy for the local server.
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "NO_PROXY": "*", "no_proxy": "*"}
    done = subprocess.run(arguments, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def feature_counts(ogrinfo_output: str) -> dict[str, int]:
    """Layer name -> "Feature Count" from `ogrinfo -so -al`."""
    names = re.findall(r"^Layer name: (.+)$", ogrinfo_output, re.MULTILINE)
    counts = [int(count) for count in re.findall(r"^Feature Count: (\d+)$", ogrinfo_output, re.MULTILINE)]
    return dict(zip(names, counts, strict=True))


def export(url: str, tmp_path, name: str, *options: str):
    """ogr2ogr a collection to GeoJSON, then read the file back with pyogrio (a file now, not the server)."""
    target = tmp_path / f"{name}.geojson"
    run_gdal("ogr2ogr", "-f", "GeoJSON", str(target), f"OAPIF:{url}", *options)
    return pyogrio.read_dataframe(target, fid_as_index=True)


# --- GDAL -----------------------------------------------------------------------------------------


def test_ogrinfo_lists_every_collection_with_exact_counts(registry):
    counts = feature_counts(run_gdal("ogrinfo", "-ro", "-so", "-al", f"OAPIF:{registry['url']}"))
    assert counts == {
        "sites": MineSite.objects.published().count(),
        "hazards": 2,  # the hazard of the draft site is not public
        "remediation-areas": 0,
        f"layer-{registry['layer'].pk}": Feature.objects.filter(layer=registry["layer"]).count(),
    }


def test_ogr2ogr_copies_the_sites_a_page_of_two_at_a_time(registry, tmp_path):
    frame = export(f"{registry['url']}/collections/sites", tmp_path, "sites", "-oo", "PAGE_SIZE=2")
    published = {site.name: site.location for site in MineSite.objects.published()}
    assert sorted(frame["name"]) == sorted(published)
    for name, geometry in zip(frame["name"], frame.geometry, strict=True):
        assert (geometry.x, geometry.y) == pytest.approx(published[name].coords)


def test_ogr2ogr_gets_the_public_place_of_a_priority_1_hazard(registry, tmp_path):
    frame = export(f"{registry['url']}/collections/hazards", tmp_path, "hazards", "-oo", "PAGE_SIZE=1")
    places = {row.hazard_type: (row.geometry.x, row.geometry.y) for row in frame.itertuples()}
    snapped = generalised_point(SHAFT)
    assert places["open_shaft"] == pytest.approx((snapped.x, snapped.y), abs=1e-6)
    assert places["open_shaft"] != pytest.approx(SHAFT.coords, abs=1e-6)
    assert places["unstable_slope"] == pytest.approx(SLOPE.coords)
    assert len(frame) == 2


def test_ogr2ogr_copies_a_published_survey_layer_feature_for_feature(registry, tmp_path):
    layer = registry["layer"]
    frame = export(f"{registry['url']}/collections/layer-{layer.pk}", tmp_path, "airports", "-oo", "PAGE_SIZE=25")

    stored = sorted((feature.properties["name"], feature.geom.x, feature.geom.y) for feature in layer.features.all())
    read = sorted((name, point.x, point.y) for name, point in zip(frame["name"], frame.geometry, strict=True))
    assert len(stored) == len(read) == 76
    for (stored_name, *stored_xy), (read_name, *read_xy) in zip(stored, read, strict=True):
        # The API writes eight decimals, about a millimetre.
        assert read_name == stored_name and read_xy == pytest.approx(stored_xy, abs=1e-7)


# --- OWSLib ---------------------------------------------------------------------------------------


def test_owslib_lists_collections_and_pages_with_counts(registry):
    api = Features(registry["url"], timeout=TIMEOUT_S)
    ids = [collection["id"] for collection in api.collections()["collections"]]
    assert ids == ["sites", "hazards", "remediation-areas", f"layer-{registry['layer'].pk}"]
    page = api.collection_items("sites", limit=2)
    assert page["numberMatched"] == 5 and page["numberReturned"] == 2
    rest = api.collection_items("sites", limit=2, offset=4)
    assert rest["numberMatched"] == 5 and [feature["id"] for feature in rest["features"]] == [registry["sites"][4].pk]
    airports = api.collection_items(f"layer-{registry['layer'].pk}", limit=10)
    assert airports["numberMatched"] == 76 and len(airports["features"]) == 10


def test_owslib_bbox_query(registry):
    api = Features(registry["url"], timeout=TIMEOUT_S)
    found = api.collection_items("sites", bbox=[100.5, 9, 102.5, 11])
    assert sorted(feature["id"] for feature in found["features"]) == [registry["sites"][1].pk, registry["sites"][2].pk]
    assert found["numberMatched"] == 2
    snapped = generalised_point(SHAFT)
    around_shown = [snapped.x - 0.001, snapped.y - 0.001, snapped.x + 0.001, snapped.y + 0.001]
    hazards = api.collection_items("hazards", bbox=around_shown)
    assert [feature["id"] for feature in hazards["features"]] == [registry["shaft"].pk]
