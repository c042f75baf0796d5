"""The generalised copies of a layer's features that serve its low zooms: the rule, on arrays.

For each zoom band up to 11, a copy keeps a feature only when it is at least a pixel across at that
zoom (points always), and where features crowd, only the largest one per square of
DENSEST_CELL_PIXELS by its centre, as tippecanoe's drop-densest-as-needed does, so a tile holds at
most (256 / 4)^2 = 4,096 of them. The kept shapes are simplified to half a pixel (Douglas-Peucker).

Copies are only made for the zooms that need them: where a tile would hold more features or
vertices as stored than it should. Above the finest such band, tiles read the features as stored.

The rules nest: a coarser band's squares are four of the finer band's and its pixel is twice as
large, so its survivors are among the finer band's. A feature is therefore in every band from the
coarsest it survives in up to the layer's finest copied band, and its shape in a band is simplified
from its shape in the next finer one. `plan` decides this once for the whole layer from each
feature's box; `copies_of` then builds a chunk's copies: one row per feature and run of bands that
share a shape.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely

from geodata.parallel import in_parallel
from geodata.tiles import DENSEST_CELL_PIXELS, GENERALISED_BANDS, WEB_MERCATOR_WORLD_M, pixel_size_m

IN_NO_BAND = max(GENERALISED_BANDS) + 1
# Tiles of a zoom whose features as stored stay within both read them directly (no copies needed).
MAX_TILE_FEATURES = 4096
MAX_TILE_VERTICES = 100_000
_EARTH_RADIUS_M = WEB_MERCATOR_WORLD_M / (2 * math.pi)
_MAX_LATITUDE = 85.0511287798066  # where Web Mercator's square world ends
_POINT_TYPE_IDS = (0, 4)  # Point, MultiPoint


def is_point(geometries: np.ndarray) -> np.ndarray:
    """Which geometries are points or multipoints: always in a band, never simplified."""
    return np.isin(shapely.get_type_id(geometries), _POINT_TYPE_IDS)


def _mercator(longitudes: np.ndarray, latitudes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    latitudes = np.radians(np.clip(latitudes, -_MAX_LATITUDE, _MAX_LATITUDE))
    return _EARTH_RADIUS_M * np.radians(longitudes), _EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + latitudes / 2))


def to_web_mercator(geometries: np.ndarray) -> np.ndarray:
    """EPSG:4326 shapes in EPSG:3857 by the spherical formula, latitudes held inside Mercator's square."""

    def project(coordinates: np.ndarray) -> np.ndarray:
        return np.column_stack(_mercator(coordinates[:, 0], coordinates[:, 1]))

    return shapely.transform(geometries, project)


@dataclass(frozen=True)
class Plan:
    """What a layer's copies hold: each feature's coarsest band (IN_NO_BAND for none), and the finest
    band copied at all (-1 for none). Above that band, tiles read the features as stored."""

    coarsest: np.ndarray
    finest_band: int


def plan(lonlat_boxes: np.ndarray, points: np.ndarray, vertex_counts: np.ndarray) -> Plan:
    """The copies a layer needs, from its features' boxes (EPSG:4326; NaN for one not stored) and sizes.

    A zoom needs copies only when some tile of it would hold more than MAX_TILE_FEATURES features or
    MAX_TILE_VERTICES vertices as stored; a sparse layer needs none at its finer low zooms. A coarser
    zoom's tiles hold all of a finer one's, so the bands that need copies are those up to one band.
    """
    xmin, ymin = _mercator(lonlat_boxes[:, 0], lonlat_boxes[:, 1])
    xmax, ymax = _mercator(lonlat_boxes[:, 2], lonlat_boxes[:, 3])
    sizes = np.maximum(xmax - xmin, ymax - ymin)
    centres = np.column_stack([(xmin + xmax) / 2, (ymin + ymax) / 2])
    stored = np.isfinite(sizes)
    finest_band = _finest_band_needed(centres[stored], vertex_counts[stored])
    coarsest = np.full(len(sizes), IN_NO_BAND, dtype=np.int8)
    # Candidates in the order squares are won in: the largest first, then the first in the file.
    candidates = np.flatnonzero(stored)[np.lexsort((np.flatnonzero(stored), -sizes[stored]))]
    for band in range(finest_band, -1, -1):
        pixel = pixel_size_m(band)
        candidates = candidates[points[candidates] | (sizes[candidates] >= pixel)]
        cells = np.floor(centres[candidates] / (pixel * DENSEST_CELL_PIXELS)).astype(np.int64)
        _, first = np.unique(cells[:, 0] * (1 << 32) + cells[:, 1], return_index=True)
        candidates = candidates[np.sort(first)]
        coarsest[candidates] = band
    return Plan(coarsest, finest_band)


def _finest_band_needed(centres: np.ndarray, vertex_counts: np.ndarray) -> int:
    for band in sorted(GENERALISED_BANDS, reverse=True):
        tiles = np.floor((centres + WEB_MERCATOR_WORLD_M / 2) / (WEB_MERCATOR_WORLD_M / 2**band)).astype(np.int64)
        _, tile_of, features = np.unique(tiles[:, 0] * (1 << 32) + tiles[:, 1], return_inverse=True, return_counts=True)
        vertices = np.bincount(tile_of.ravel(), weights=vertex_counts)
        if len(features) and (features.max() > MAX_TILE_FEATURES or vertices.max() > MAX_TILE_VERTICES):
            return band
    return -1


@dataclass(frozen=True)
class Copies:
    """A chunk's generalised copies (EPSG:3857): row i is the feature at chunk position `positions[i]`
    in the bands `coarsest[i]` to `finest[i]`, all drawn with `geometries[i]`."""

    positions: np.ndarray
    coarsest: np.ndarray
    finest: np.ndarray
    geometries: np.ndarray


def copies_of(geometries_lonlat: np.ndarray, coarsest: np.ndarray, finest_band: int) -> Copies:
    """The copies of one chunk of features, given each one's coarsest band and the layer's finest band."""
    in_a_band = np.flatnonzero(coarsest < IN_NO_BAND)
    if finest_band < 0 or not len(in_a_band):
        nothing = np.zeros(0, dtype=np.int64)
        return Copies(nothing, nothing, nothing, np.zeros(0, dtype=object))
    projected = in_parallel(to_web_mercator, geometries_lonlat[in_a_band])
    rows = _Rows()
    positions, shapes, points = in_a_band, projected, is_point(projected)
    for band in range(finest_band, -1, -1):
        present = coarsest[positions] <= band
        positions, shapes, points = positions[present], shapes[present], points[present]
        shapes = _simplified(shapes, pixel_size_m(band) / 2, points)
        rows.add_band(band, positions, shapes)
    return Copies(*rows.arrays())


def _simplified(shapes: np.ndarray, tolerance: float, points: np.ndarray) -> np.ndarray:
    """Shapes simplified to `tolerance`; points as they are, and a shape that would vanish as it was."""
    if not len(shapes) or points.all():
        return shapes
    simplified = shapes.copy()
    lines_and_areas = ~points
    simplified[lines_and_areas] = in_parallel(
        lambda part: shapely.simplify(part, tolerance, preserve_topology=False), shapes[lines_and_areas]
    )
    vanished = shapely.is_empty(simplified) & lines_and_areas
    simplified[vanished] = shapes[vanished]
    return simplified


class _Rows:
    """Copies band by band, finest first; a feature whose shape did not change extends its open row.

    Each band's features are a subset of the finer band's, in the same order.
    """

    def __init__(self):
        self._closed: list[tuple] = []
        self._open: tuple | None = None  # positions, coarsest, finest, shapes

    def add_band(self, band: int, positions: np.ndarray, shapes: np.ndarray) -> None:
        if self._open is None:
            self._open = (positions, np.full(len(positions), band), np.full(len(positions), band), shapes)
            return
        open_positions, open_coarsest, open_finest, open_shapes = self._open
        in_finer = np.searchsorted(open_positions, positions)
        unchanged = np.zeros(len(open_positions), dtype=bool)
        unchanged[in_finer] = shapely.equals_exact(shapes, open_shapes[in_finer], tolerance=0.0)
        self._closed.append(tuple(part[~unchanged] for part in self._open))
        changed = ~unchanged[in_finer]
        extended = np.full(np.count_nonzero(unchanged), band)
        started = np.full(np.count_nonzero(changed), band)
        merged = (
            np.concatenate([open_positions[unchanged], positions[changed]]),
            np.concatenate([extended, started]),
            np.concatenate([open_finest[unchanged], started]),
            np.concatenate([open_shapes[unchanged], shapes[changed]]),
        )
        order = np.argsort(merged[0], kind="stable")
        self._open = tuple(part[order] for part in merged)

    def arrays(self) -> tuple:
        parts = [*self._closed, self._open]
        return tuple(np.concatenate([part[column] for part in parts]) for column in range(4))
