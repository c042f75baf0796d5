"""The generalised copies' rule on arrays: which bands keep a feature, and the copies written for a chunk."""

import numpy as np
import shapely
from pyproj import Transformer

from geodata import generalise
from geodata.generalise import IN_NO_BAND, copies_of, plan, to_web_mercator
from geodata.tiles import pixel_size_m


def square_m(x: float, y: float, side_m: float):
    """A square of `side_m` metres (near the equator) centred at lon x, lat y."""
    half = side_m / 2 / 111_320
    return shapely.box(x - half, y - half, x + half, y + half)


def plan_of(shapes: list):
    geometries = np.array(shapes)
    return plan(shapely.bounds(geometries), generalise.is_point(geometries), shapely.get_num_coordinates(geometries))


def coarsest_of(shapes: list, monkeypatch) -> list[int]:
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 0)  # as if the layer were dense: every band copied
    return plan_of(shapes).coarsest.tolist()


def test_a_feature_is_in_the_bands_where_it_is_a_pixel_across_and_a_point_in_all(monkeypatch):
    big, small = square_m(110.0, -7.0, 3 * pixel_size_m(6)), square_m(112.0, -7.0, 0.5 * pixel_size_m(6))
    assert coarsest_of([big, small, shapely.Point(114.0, -7.0)], monkeypatch) == [5, 7, 0]


def test_where_features_crowd_the_largest_per_square_is_kept_and_ties_go_to_the_first(monkeypatch):
    near = [square_m(110.0 + offset, -7.0, side) for offset, side in [(0.0, 900), (0.005, 1500), (0.010, 1500)]]
    coarsest = coarsest_of(near, monkeypatch)
    assert coarsest[1] < coarsest[0] and coarsest[1] < coarsest[2]  # a 4-pixel square at z8 is ~2.4 km: they share it
    assert max(coarsest) <= 11  # over 500 m apart: each has its own square at z11


def test_features_not_stored_are_in_no_band(monkeypatch):
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 0)
    boxes = np.array([[np.nan] * 4, [110.0, -7.0, 110.1, -6.9]])
    copies = plan(boxes, np.array([False, False]), np.array([0, 5]))
    assert copies.coarsest.tolist() == [IN_NO_BAND, 4]  # 11 km across: a pixel at z4 is 9.8 km


def test_only_zooms_whose_tiles_would_be_too_full_get_copies(monkeypatch):
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 3)
    crowd = [shapely.Point(110.0 + i * 0.01, -7.0) for i in range(4)]  # 4 points within 4 km
    assert plan_of(crowd[:3]).finest_band == -1  # 3 per tile at any zoom: no copies
    finest = plan_of(crowd).finest_band
    assert finest in range(6, 12)  # four share a tile from some zoom on (tiles at z9 are 78 km wide)
    assert (plan_of(crowd).coarsest <= finest).all()
    monkeypatch.setattr(generalise, "MAX_TILE_FEATURES", 4096)
    monkeypatch.setattr(generalise, "MAX_TILE_VERTICES", 9)
    assert plan_of([square_m(110.0, -7.0, 50), square_m(110.001, -7.0, 50)]).finest_band == 11  # 2 x 5 vertices


def test_a_point_is_one_copy_for_every_band_it_is_in():
    copies = copies_of(np.array([shapely.Point(110.0, -7.0)]), np.array([4]), 11)
    assert (copies.positions.tolist(), copies.coarsest.tolist(), copies.finest.tolist()) == ([0], [4], [11])


def test_a_polygon_has_a_copy_per_distinct_simplification_covering_each_band_once():
    wiggly = shapely.Polygon(
        [(110 + 0.01 * i / 50, -7 + (0.00001 if i % 2 else 0)) for i in range(51)] + [(110.01, -6.99), (110, -6.99)]
    )
    copies = copies_of(np.array([wiggly]), np.array([5]), 11)
    served = sorted(
        band for low, high in zip(copies.coarsest, copies.finest, strict=True) for band in range(low, high + 1)
    )
    assert served == list(range(5, 12))
    finest = copies.geometries[np.argmax(copies.finest)]
    assert shapely.get_num_coordinates(finest) < shapely.get_num_coordinates(wiggly) / 5  # simplified to half a pixel
    assert not shapely.is_empty(copies.geometries).any()


def test_features_in_no_band_get_no_copy():
    copies = copies_of(np.array([shapely.Point(1, 1), shapely.Point(2, 2)]), np.array([IN_NO_BAND, 11]), 11)
    assert copies.positions.tolist() == [1]


def test_no_copy_serves_a_band_finer_than_the_layers_finest():
    copies = copies_of(np.array([shapely.Point(1, 1)]), np.array([2]), 7)
    assert (copies.coarsest.tolist(), copies.finest.tolist()) == ([2], [7])


def test_web_mercator_matches_proj():
    lonlat = np.array([[100.0, 13.75], [-179.9, -60.0], [125.6, 84.9]])
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lonlat[:, 0], lonlat[:, 1])
    projected = shapely.get_coordinates(to_web_mercator(shapely.points(lonlat)))
    assert np.allclose(projected, np.column_stack([x, y]), atol=0.001)
