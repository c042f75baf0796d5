"""The binary COPY loader and the threaded geometry stages give the same results as the plain paths."""

import datetime
import json

import numpy as np
import pytest
import shapely
from pyproj import CRS

from geodata import crs as crs_rules
from geodata import geometry, loading, parallel
from geodata.ingest import _properties
from geodata.models import Feature


def test_binary_copy_stores_geometries_properties_and_indexes(layer):
    geometries = np.array(
        [
            shapely.Point(100.5, 13.75),
            shapely.from_wkt("MULTIPOLYGON (((100 13, 101 13, 101 14, 100 13)))"),
            shapely.from_wkt("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))"),
        ]
    )
    properties = [
        {"nom": "Grès rouge", "age": np.float64(2.5), "n": np.int32(7), "seen": datetime.date(2020, 1, 31)},
        {"nom": None, "tags": ["a", "ß"], "ok": True},
        {},
    ]
    loading.replace_features(layer, geometries, properties, [4, 9, 70_000])

    stored = list(Feature.objects.filter(layer=layer).order_by("source_index"))
    assert [feature.source_index for feature in stored] == [4, 9, 70_000]
    assert [feature.geom.srid for feature in stored] == [4326, 4326, 4326]
    assert [shapely.from_wkb(bytes(feature.geom.wkb)) for feature in stored] == list(geometries)
    assert stored[0].properties == {"nom": "Grès rouge", "age": 2.5, "n": 7, "seen": "2020-01-31"}
    assert stored[1].properties == {"nom": None, "tags": ["a", "ß"], "ok": True}
    assert stored[2].properties == {}
    layer.refresh_from_db()
    assert layer.feature_count == 3
    assert layer.geometry_type == "GEOMETRYCOLLECTION,MULTIPOLYGON,POINT"


def test_a_load_that_fails_midway_writes_nothing(layer):
    geometries = np.array([shapely.Point(0, 0)] * (loading.COPY_CHUNK_ROWS + 10))
    properties = ["{}"] * loading.COPY_CHUNK_ROWS + ["not json"] * 10  # the second chunk is rejected by PostgreSQL
    with pytest.raises(Exception, match="json"):
        loading.replace_features_json(layer, geometries, properties, list(range(len(geometries))))
    assert not Feature.objects.filter(layer=layer).exists()


def test_column_wise_properties_match_encoding_each_row():
    good = np.array([True, True, False, True])
    fields = [
        ("Name", "OFTString", "OFSTNone", np.array(["Grès", "Grès", "x", None], dtype=object)),
        ("Count", "OFTInteger", "OFSTNone", np.array([1.0, np.nan, 3.0, 1.0])),
        ("Flag", "OFTInteger", "OFSTBoolean", np.array([True, False, True, True])),
        ("Size", "OFTReal", "OFSTNone", np.array([1.0, 1.5, np.nan, np.nan])),
        ("Tags", "OFTStringList", "OFSTNone", np.array([["a"], ["a"], [], ["b", "c"]], dtype=object)),
    ]
    schema, texts = _properties(fields, good)
    assert [field["name"] for field in schema] == ["name", "count", "flag", "size", "tags"]
    assert [json.loads(text) for text in texts] == (
        [
            {"name": "Grès", "count": 1, "flag": True, "size": 1.0, "tags": ["a"]},
            {"name": "Grès", "count": None, "flag": False, "size": 1.5, "tags": ["a"]},
            {"name": None, "count": 1, "flag": True, "size": None, "tags": ["b", "c"]},
        ]
    )


def _many_polygons(count: int) -> np.ndarray:
    """Squares in UTM 48N; every tenth is a bow-tie that needs repair."""
    x = 300_000 + np.arange(count) * 10.0
    squares = shapely.box(x, 1_500_000, x + 5, 1_500_005)
    bowtie = shapely.Polygon([(0, 0), (5, 5), (5, 0), (0, 5), (0, 0)])
    squares[::10] = shapely.transform(np.full(count // 10, bowtie), lambda xy: xy + [300_000, 1_500_000])
    return squares


def test_threaded_reproject_and_repair_equal_the_single_threaded_result(monkeypatch):
    count = parallel.MIN_PARALLEL_SIZE * 3
    source = _many_polygons(count)
    utm = CRS.from_epsg(32648)

    def run():
        reasons = geometry.new_reasons(count)
        reprojected = crs_rules.to_wgs84(source, utm)
        repaired, repaired_count = geometry.repair(reprojected, reasons)
        return reprojected, repaired, repaired_count, reasons

    monkeypatch.setattr(parallel, "thread_count", lambda: 3)  # split even on a one-core machine
    threaded = run()
    monkeypatch.setattr(parallel, "thread_count", lambda: 1)
    single = run()

    assert parallel.thread_count() == 1
    assert shapely.equals_exact(threaded[0], single[0], tolerance=0).all()
    assert shapely.equals_exact(threaded[1], single[1], tolerance=0).all()
    assert threaded[2] == single[2] == count // 10
    assert (threaded[3] == single[3]).all()
    assert shapely.is_valid(threaded[1]).all()
