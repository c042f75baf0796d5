"""The one check of a geometry a person types or sends: valid (repaired when that keeps its type), lon/lat, finite."""

import pytest
from django.contrib.gis.geos import GEOSGeometry

from geodata.geometry import GeometryProblem, checked_lonlat_geometry

POINT_OR_POLYGONS = ("Point", "Polygon", "MultiPolygon")
POLYGONS = ("MultiPolygon",)
BOWTIE = "POLYGON((121.50 -2.50, 121.51 -2.49, 121.51 -2.50, 121.50 -2.49, 121.50 -2.50))"
# A square with a spike sticking out of its top edge: repaired, it is still one polygon.
SPIKE = (
    "POLYGON((121.50 -2.50, 121.52 -2.50, 121.52 -2.48, 121.51 -2.48, 121.51 -2.47, 121.51 -2.48,"
    " 121.50 -2.48, 121.50 -2.50))"
)


@pytest.mark.parametrize(
    ("text", "types", "reason"),
    [
        ("POINT(500000 9700000)", POINT_OR_POLYGONS, "Coordinates must be longitude (-180..180) then latitude"),
        ("POINT(1e308 1e308)", POINT_OR_POLYGONS, "Coordinates must be longitude"),
        ("POINT(121.5 -95)", POINT_OR_POLYGONS, "Coordinates must be longitude"),
        ('{"type": "Point", "coordinates": [Infinity, 1]}', POINT_OR_POLYGONS, "finite"),
        (BOWTIE, POINT_OR_POLYGONS, "The shape is not valid (Self-intersection"),
        ("LINESTRING(121.5 -2.5, 121.6 -2.5)", POINT_OR_POLYGONS, "A LineString cannot be used here"),
        ("POINT(121.5 -2.5)", POLYGONS, "A Point cannot be used here; give a Polygon or a MultiPolygon"),
        ("POLYGON EMPTY", POLYGONS, "empty"),
        ("POINT EMPTY", POINT_OR_POLYGONS, "empty"),
        ("SRID=32751;POINT(333000 9723000)", POINT_OR_POLYGONS, "longitude/latitude (WGS 84"),
    ],
)
def test_refused_with_the_reason(text, types, reason):
    geometry = GEOSGeometry(text.replace("Infinity", "1e999")) if text.startswith("{") else GEOSGeometry(text)
    with pytest.raises(GeometryProblem) as refused:
        checked_lonlat_geometry(geometry, allowed_types=types)
    assert reason in str(refused.value)


def test_the_bowtie_is_repaired_where_a_multipolygon_is_stored():
    repaired = checked_lonlat_geometry(GEOSGeometry(BOWTIE), allowed_types=POLYGONS)
    assert repaired.geom_type == "MultiPolygon" and len(repaired) == 2 and repaired.valid
    assert repaired.srid == 4326


def test_a_repair_that_keeps_the_type_is_made():
    repaired = checked_lonlat_geometry(GEOSGeometry(SPIKE), allowed_types=POINT_OR_POLYGONS)
    assert repaired.geom_type == "Polygon" and repaired.valid
    assert repaired.area == pytest.approx(0.02 * 0.02)


def test_a_polygon_is_promoted_where_a_multipolygon_is_stored():
    square = "POLYGON((121.50 -2.50, 121.51 -2.50, 121.51 -2.49, 121.50 -2.49, 121.50 -2.50))"
    promoted = checked_lonlat_geometry(GEOSGeometry(square), allowed_types=POLYGONS)
    assert promoted.geom_type == "MultiPolygon" and promoted[0].equals(GEOSGeometry(square))


def test_good_geometries_pass_unchanged_in_2d():
    point = checked_lonlat_geometry(GEOSGeometry("POINT Z (121.5 -2.5 40)"), allowed_types=POINT_OR_POLYGONS)
    assert (point.geom_type, point.coords, point.srid) == ("Point", (121.5, -2.5), 4326)
