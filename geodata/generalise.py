"""The generalised copies of a layer's features that serve its low zooms: the rule, on arrays.

For each zoom band up to 11, a copy keeps a feature only when it is at least a pixel across at that
zoom (points always), and where features crowd, only the largest one per square of
DENSEST_CELL_PIXELS by its centre, as tippecanoe's drop-densest-as-needed does, so a tile holds at
most (256 / 4)^2 = 4,096 of them. The kept shapes are simplified to half a pixel (Douglas-Peucker).

Each coarser band is derived from the next finer one: its squares are exactly four of the finer
band's and its pixel twice as large, so its survivors are among the finer band's and its shapes
can be simplified from the finer band's, which have far fewer vertices. Features arrive in chunks;
`band_copies` works on one chunk and `CellWinners` settles squares that several chunks share.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely

from geodata.parallel import in_parallel
from geodata.tiles import DENSEST_CELL_PIXELS, GENERALISED_BANDS, WEB_MERCATOR_WORLD_M, pixel_size_m

_EARTH_RADIUS_M = WEB_MERCATOR_WORLD_M / (2 * math.pi)
_MAX_LATITUDE = 85.0511287798066  # where Web Mercator's square world ends
_POINT_TYPE_IDS = (0, 4)  # Point, MultiPoint


@dataclass(frozen=True)
class BandCopies:
    """One band's copies of a chunk's features: which features (`positions` in the chunk), their
    simplified EPSG:3857 shapes, and each one's square and size, by which chunks are settled."""

    band: int
    positions: np.ndarray
    geometries: np.ndarray
    cells: np.ndarray  # (n, 2) int64: the square of each copy's centre
    sizes: np.ndarray  # the larger side of each feature's box, in metres


def to_web_mercator(geometries: np.ndarray) -> np.ndarray:
    """EPSG:4326 shapes in EPSG:3857 by the spherical formula, latitudes held inside Mercator's square."""

    def project(coordinates: np.ndarray) -> np.ndarray:
        longitudes = np.radians(coordinates[:, 0])
        latitudes = np.radians(np.clip(coordinates[:, 1], -_MAX_LATITUDE, _MAX_LATITUDE))
        return np.column_stack(
            [_EARTH_RADIUS_M * longitudes, _EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + latitudes / 2))]
        )

    return shapely.transform(geometries, project)


def band_copies(geometries_lonlat: np.ndarray) -> list[BandCopies]:
    """Every band's copies of one chunk of features, finest band first."""
    projected = in_parallel(to_web_mercator, geometries_lonlat)
    bounds = shapely.bounds(projected)
    sizes = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    centres = np.column_stack([(bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2])
    is_point = np.isin(shapely.get_type_id(projected), _POINT_TYPE_IDS)

    copies: list[BandCopies] = []
    positions, shapes = np.arange(len(projected)), projected
    for band in sorted(GENERALISED_BANDS, reverse=True):
        pixel = pixel_size_m(band)
        visible = is_point[positions] | (sizes[positions] >= pixel)
        positions, shapes = positions[visible], shapes[visible]
        cells = np.floor(centres[positions] / (pixel * DENSEST_CELL_PIXELS)).astype(np.int64)
        largest = largest_per_cell(cells, sizes[positions], positions)
        positions, shapes, cells = positions[largest], shapes[largest], cells[largest]
        shapes = _simplified(shapes, pixel / 2, is_point[positions])
        copies.append(BandCopies(band, positions, shapes, cells, sizes[positions]))
    return copies


def largest_per_cell(cells: np.ndarray, sizes: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Indexes of the largest item per cell (ties: the lowest rank), in cell order."""
    if not len(cells):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((ranks, -sizes, cells[:, 1], cells[:, 0]))
    ordered = cells[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    return order[first]


def _simplified(shapes: np.ndarray, tolerance: float, is_point: np.ndarray) -> np.ndarray:
    """Shapes simplified to `tolerance`; points as they are, and a shape that would vanish as it was."""
    if not len(shapes) or is_point.all():
        return shapes
    simplified = shapes.copy()
    lines_and_areas = ~is_point
    simplified[lines_and_areas] = in_parallel(
        lambda part: shapely.simplify(part, tolerance, preserve_topology=False), shapes[lines_and_areas]
    )
    vanished = shapely.is_empty(simplified) & lines_and_areas
    simplified[vanished] = shapes[vanished]
    return simplified


class CellWinners:
    """Settles the squares that several chunks share: per band, the largest copy per square wins.

    Every copy is written as its chunk arrives; those that a later (or earlier) chunk beats in the
    same square are collected here, to be deleted once the last chunk is in.
    """

    def __init__(self):
        self._held: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._beaten: list[tuple[int, np.ndarray]] = []

    def add(self, band: int, feature_ids: np.ndarray, cells: np.ndarray, sizes: np.ndarray) -> None:
        if band in self._held:
            held_ids, held_cells, held_sizes = self._held[band]
            feature_ids = np.concatenate([held_ids, feature_ids])
            cells = np.concatenate([held_cells, cells])
            sizes = np.concatenate([held_sizes, sizes])
        winners = largest_per_cell(cells, sizes, feature_ids)
        beaten = np.ones(len(feature_ids), dtype=bool)
        beaten[winners] = False
        if beaten.any():
            self._beaten.append((band, feature_ids[beaten]))
        self._held[band] = (feature_ids[winners], cells[winners], sizes[winners])

    def beaten(self) -> list[tuple[int, np.ndarray]]:
        """(band, feature ids) of the copies that lost their square to another chunk's."""
        return self._beaten
