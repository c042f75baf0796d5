"""Every real upload case (tests/data/uploads) through the ingest service: what a correct importer reports."""

import json

import pytest
from django.contrib.gis.geos import Point

from geodata.ingest import ingest_layer
from geodata.models import Feature, LayerStatus
from tests.geodata.conftest import UPLOADS

READY, FAILED, NEEDS_CRS = LayerStatus.READY, LayerStatus.FAILED, LayerStatus.NEEDS_CRS

OREGON = (-125, 41, -116, 47)  # lon/lat box around the state
# fmt: off
# id, file, ingest options, expected facts (only those listed are checked).
CASES = [
    ("V01", "qgis_alaska_albers_ft_shp.zip", {},
     {"status": READY, "imported": 653, "rejected": 0, "repaired": 7, "types": {"Polygon": 653},
      "crs": "EPSG:2964", "encoding": ("ISO-8859-1", "detected"), "warning": "antimeridian"}),
    ("V02", "qgis_lakes_polygonz_shp.zip", {},
     {"status": READY, "imported": 15, "types": {"Polygon": 15}, "crs": "EPSG:2964", "z_dropped": 15,
      "repaired": 0}),
    ("V03", "qgis_airports_cpg_system_shp.zip", {},
     {"status": READY, "imported": 76, "types": {"Point": 76}, "crs": "EPSG:2964",
      "encoding": ("ISO-8859-1", "detected"), "value": ("name", "NOATAK")}),
    ("V04", "pyshp_blockgroups_no_prj.zip", {}, {"status": NEEDS_CRS}),
    ("V04-srid", "pyshp_blockgroups_no_prj.zip", {"srid": 4326},
     {"status": READY, "imported": 663, "types": {"Polygon": 655, "MultiPolygon": 8}, "crs": "EPSG:4326",
      "fields": 43, "encoding": ("CP1252", "dbf header")}),
    ("V05", "pyshp_blockgroups_multishapefile.zip", {},
     {"status": FAILED, "error": "2 layers: blockgroups, blockgroups2", "layers": ["blockgroups", "blockgroups2"]}),
    ("V05-pick", "pyshp_blockgroups_multishapefile.zip", {"layer_name": "blockgroups2"}, {"status": NEEDS_CRS}),
    ("V05-pick-srid", "pyshp_blockgroups_multishapefile.zip", {"layer_name": "blockgroups2", "srid": 4326},
     {"status": READY, "imported": 663, "dataset": "blockgroups2"}),
    ("V06", "pyshp_empty_zipfile.zip", {}, {"status": FAILED, "error": "No dataset found in the upload"}),
    ("V07", "pyshp_latin1_missing_shx.zip", {},
     {"status": FAILED, "error": "latin1.shp is incomplete: latin1.shx is missing"}),
    ("V08", "pyshp_linem_measured_shp.zip", {"srid": 4326},
     {"status": READY, "imported": 1, "types": {"MultiLineString": 1}, "m_dropped": 1}),
    ("V09", "pyshp_multipatch_shp.zip", {"srid": 4326},
     {"status": FAILED, "rejected": 1, "reason": "MultiPatch", "error": "MultiPatch"}),
    ("V10", "pyshp_balancing_null_geoms_shp.zip", {"srid": 4326},
     {"status": READY, "imported": 5, "rejected": 2, "types": {"Point": 5}, "reason": "no geometry (null)"}),
    ("V11", "pyshp_corrupt_too_long_shp.zip", {"srid": 4326},
     {"status": READY, "imported": 10, "types": {"LineString": 10}, "fields": 1}),
    ("V12", "mapshaper_c_utm_no_prj_shp.zip", {}, {"status": NEEDS_CRS}),
    ("V12-srid-utm", "mapshaper_c_utm_no_prj_shp.zip", {"srid": 26918},
     {"status": READY, "imported": 1, "types": {"Polygon": 1}, "crs": "EPSG:26918",
      "inside": (-74.128, 40.577, -74.063, 40.637)}),
    ("V12-srid-wrong", "mapshaper_c_utm_no_prj_shp.zip", {"srid": 4326},
     {"status": FAILED, "rejected": 1, "reason": "outside the Earth"}),
    ("V13", "mapshaper_two_states_mercator_shp.zip", {},
     {"status": READY, "imported": 2, "types": {"Polygon": 1, "MultiPolygon": 1}, "crs": "EPSG:3395",
      "repaired": 1}),
    ("V14", "mapshaper_big5_cpg_shp.zip", {}, {"status": NEEDS_CRS, "encoding": ("BIG5", "cpg")}),
    ("V14-srid", "mapshaper_big5_cpg_shp.zip", {"srid": 4326},
     {"status": FAILED, "rejected": 1, "reason": "outside the Earth"}),
    ("V15", "mapshaper_utf8_fieldname_shp.zip", {},
     {"status": READY, "imported": 1, "types": {"Point": 1}, "crs": "EPSG:4326", "encoding": ("UTF-8", "cpg"),
      "field": {"name": "field_1", "original_name": "☃", "type": "string"}}),
    ("V16", "mapshaper_linestring_zm_sweref99_shp.zip", {},
     {"status": READY, "imported": 8, "types": {"LineString": 8}, "crs": "EPSG:3006", "z_dropped": 8,
      "m_dropped": 8, "fields": 10}),
    ("V17", "mapshaper_invalid_coordinates_shp.zip", {},
     {"status": FAILED, "rejected": 1, "reason": "outside the Earth"}),
    ("V18", "mapshaper_shplib_csah_nulls_shp.zip", {"srid": 26915},
     {"status": READY, "imported": 99, "rejected": 25, "types": {"LineString": 96, "MultiLineString": 3},
      "reason": "Too few points"}),
    ("V19", "mapshaper_Oregon_2layers.gpkg", {}, {"status": FAILED, "layers": ["land", "roads"]}),
    ("V19-roads", "mapshaper_Oregon_2layers.gpkg", {"layer_name": "roads"},
     {"status": READY, "imported": 121, "types": {"LineString": 115, "MultiLineString": 6}, "crs": "EPSG:2269"}),
    ("V20-2269", "mapshaper_mixed_crs_2layers.gpkg", {"layer_name": "oregon_2269"},
     {"status": READY, "imported": 1, "types": {"MultiPolygon": 1}, "crs": "EPSG:2269", "inside": OREGON}),
    ("V20-4326", "mapshaper_mixed_crs_2layers.gpkg", {"layer_name": "oregon_4326"},
     {"status": READY, "imported": 1, "types": {"MultiPolygon": 1}, "crs": "EPSG:4326", "inside": OREGON}),
    ("V21", "geonode_noCrsTable.gpkg", {},
     {"status": READY, "imported": 1, "types": {"Point": 1}, "crs": "OGC:CRS84", "point": (10, 10)}),
    ("V22", "geonode_invalid_layer_name.gpkg", {},
     {"status": READY, "imported": 146, "types": {"Point": 146}, "crs": "EPSG:32632", "fields": 9,
      "dataset": "INVALID LAYER_name"}),
    ("V23", "geonode_invalid_not_json.geojson", {},
     {"status": FAILED, "error": "not recognized as being in a supported file format"}),
    ("V24", "mapshaper_openring.geojson", {},
     {"status": FAILED, "rejected": 1, "reason": "do not form a closed linestring"}),
    ("V25", "mapshaper_six_counties_three_null.geojson", {},
     {"status": READY, "imported": 3, "rejected": 3, "repaired": 1, "types": {"MultiPolygon": 2, "Polygon": 1},
      "crs": "EPSG:4326", "fields": 54}),
    ("V26", "fiona_trio_mixed_types.geojson", {},
     {"status": READY, "imported": 3, "types": {"Point": 1, "LineString": 1, "Polygon": 1}, "warning": "Mixed"}),
    ("V27", "geonode_valid.kml", {},
     {"status": READY, "imported": 2, "types": {"Point": 2}, "crs": "EPSG:4326", "inside": (120.5, 14, 121.5, 14.6)}),
    ("V28", "pyogrio_poly_not_enough_points.shp.zip", {},
     {"status": FAILED, "rejected": 1, "reason": "Invalid number of points in LinearRing found 2"}),
    ("V29", "fiona_testopenfilegdb.gdb.zip", {}, {"status": FAILED, "error": "34 layers"}),
    ("V29-point", "fiona_testopenfilegdb.gdb.zip", {"layer_name": "point"},
     {"status": READY, "imported": 5, "types": {"Point": 5}, "crs": "EPSG:4326"}),
    ("V29-multipatch", "fiona_testopenfilegdb.gdb.zip", {"layer_name": "multipatch"},
     {"status": FAILED, "rejected": 5, "reason": "MultiPatch"}),
    ("V30", "mapshaper_zip-in-zip.zip", {},
     {"status": READY, "imported": 295, "types": {"Point": 295}, "crs": "EPSG:4326", "fields": 3}),
]
# fmt: on


def test_every_upload_case_is_covered():
    expected = json.loads((UPLOADS / "uploads_expected.json").read_text())
    assert {case["file"] for case in expected} == {file for _, file, _, _ in CASES}
    assert len(expected) == 30


@pytest.mark.parametrize(("file", "options", "expect"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_upload_case(layer, file, options, expect):
    report = ingest_layer(layer, UPLOADS / file, **options)
    layer.refresh_from_db()

    assert layer.status == expect["status"], report
    assert layer.report == report
    stored = Feature.objects.filter(layer=layer)
    assert stored.count() == layer.feature_count == report.get("imported", 0)
    if expect["status"] == READY:
        assert "error" not in report
        assert layer.progress_percent == 100
    else:
        assert not stored.exists()
    if expect["status"] == FAILED:
        assert report["error"]
    if expect["status"] == NEEDS_CRS:
        assert report["needs_crs"] is True
        assert "EPSG code" in report["message"]
    _check_expectations(layer, report, stored, expect)


def _check_expectations(layer, report, stored, expect):
    for key in ("imported", "rejected", "repaired", "z_dropped", "m_dropped"):
        if key in expect:
            assert report[key] == expect[key], key
    if "types" in expect:
        assert report["geometry_types"] == expect["types"]
        assert sorted(layer.geometry_type.split(",")) == sorted(name.upper() for name in expect["types"])
    if "crs" in expect:
        assert report["source_crs"] == layer.source_crs == expect["crs"]
    if "encoding" in expect:
        assert (report["encoding"], report["encoding_decided_by"]) == expect["encoding"]
    if "error" in expect:
        assert expect["error"] in report["error"]
    if "layers" in expect:
        assert report["available_layers"] == expect["layers"]
    if "reason" in expect:
        assert any(expect["reason"] in rejection["reason"] for rejection in report["rejections"])
    if "warning" in expect:
        assert any(expect["warning"] in warning for warning in report["warnings"])
    if "fields" in expect:
        assert len(report["fields"]) == len(layer.field_schema) == expect["fields"]
    if "field" in expect:
        assert expect["field"] in layer.field_schema
    if "dataset" in expect:
        assert report["dataset"] == expect["dataset"]
    if "value" in expect:
        name, value = expect["value"]
        assert stored.filter(**{f"properties__{name}": value}).exists()
    if "inside" in expect:
        xmin, ymin, xmax, ymax = layer.extent.extent
        bxmin, bymin, bxmax, bymax = expect["inside"]
        assert bxmin <= xmin and bymin <= ymin and xmax <= bxmax and ymax <= bymax, layer.extent.extent
    if "point" in expect:
        assert stored.get().geom.equals_exact(Point(*expect["point"], srid=4326), tolerance=1e-9)
