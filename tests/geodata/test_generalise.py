"""The generalised copies' rule on arrays: what each band keeps, and how chunks that share a square are settled."""

import numpy as np
import shapely
from pyproj import Transformer

from geodata.generalise import CellWinners, band_copies, largest_per_cell, to_web_mercator
from geodata.tiles import pixel_size_m


def square_m(x: float, y: float, side_m: float):
    """A square of `side_m` metres (near the equator) centred at lon x, lat y."""
    half = side_m / 2 / 111_320
    return shapely.box(x - half, y - half, x + half, y + half)


def kept(copies, band: int) -> list[int]:
    return sorted(next(copy for copy in copies if copy.band == band).positions.tolist())


def test_a_band_keeps_what_is_a_pixel_across_and_every_point():
    big, small = square_m(110.0, -7.0, 3 * pixel_size_m(6)), square_m(112.0, -7.0, 0.5 * pixel_size_m(6))
    copies = band_copies(np.array([big, small, shapely.Point(114.0, -7.0)]))
    assert kept(copies, 6) == [0, 2]
    assert kept(copies, 11) == [0, 1, 2]
    assert kept(copies, 0) == [2]


def test_where_features_crowd_the_largest_per_square_is_kept():
    near = [square_m(110.0 + offset, -7.0, side) for offset, side in [(0.0, 900), (0.0001, 1500), (0.0002, 1200)]]
    copies = band_copies(np.array(near))
    assert kept(copies, 8) == [1]  # one 4-pixel square at z8 is ~2.4 km: the three share it


def test_copies_are_simplified_to_half_a_pixel_and_never_vanish():
    wiggly = shapely.Polygon(
        [(110 + 0.01 * i / 50, -7 + (0.00001 if i % 2 else 0)) for i in range(51)] + [(110.01, -6.99), (110, -6.99)]
    )
    thin = square_m(120.0, -7.0, 2 * pixel_size_m(9))
    copies = band_copies(np.array([wiggly, thin]))
    band_9 = next(copy for copy in copies if copy.band == 9)
    assert shapely.get_num_coordinates(band_9.geometries[0]) < shapely.get_num_coordinates(wiggly) / 5
    assert not shapely.is_empty(band_9.geometries).any()


def test_web_mercator_matches_proj():
    lonlat = np.array([[100.0, 13.75], [-179.9, -60.0], [125.6, 84.9]])
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lonlat[:, 0], lonlat[:, 1])
    projected = shapely.get_coordinates(to_web_mercator(shapely.points(lonlat)))
    assert np.allclose(projected, np.column_stack([x, y]), atol=0.001)


def test_largest_per_cell_breaks_ties_by_the_lowest_rank():
    cells = np.array([[0, 0], [0, 0], [1, 0], [0, 0]])
    winners = largest_per_cell(cells, np.array([5.0, 7.0, 1.0, 7.0]), np.array([10, 12, 13, 11]))
    assert sorted(winners.tolist()) == [2, 3]


def test_chunks_sharing_a_square_leave_only_the_largest_copy():
    winners = CellWinners()
    winners.add(8, np.array([1, 2]), np.array([[0, 0], [5, 5]]), np.array([10.0, 3.0]))
    winners.add(8, np.array([3, 4]), np.array([[0, 0], [5, 5]]), np.array([20.0, 1.0]))
    winners.add(9, np.array([3]), np.array([[0, 0]]), np.array([20.0]))
    beaten = {(band, int(feature_id)) for band, ids in winners.beaten() for feature_id in ids}
    assert beaten == {(8, 1), (8, 4)}
