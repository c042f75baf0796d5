"""All coordinate reference system work: naming a source CRS, checking user codes, reprojecting.

The only module that imports pyproj, so CRS rules (always_xy, CRS84 as lon/lat) live in one place.
"""

import numpy as np
import shapely
from django.utils.translation import gettext
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geodata.errors import IngestError
from geodata.parallel import in_parallel

WGS84 = CRS.from_epsg(4326)
# How sure pyproj must be before a WKT is reported under an authority code instead of as WKT.
_IDENTIFY_MIN_CONFIDENCE = 70
# Rounding slack at the edges of the lon/lat domain (e.g. 180.0000000001 after a round trip).
_DEGREE_SLACK = 1e-9


def crs_from_dataset(crs_text: str | None) -> CRS | None:
    """The CRS a dataset declares (as GDAL reports it: "EPSG:3006" or WKT), or None if it has none."""
    if not crs_text:
        return None
    try:
        return CRS.from_user_input(crs_text)
    except CRSError as error:
        raise IngestError(
            gettext(
                "The file's coordinate reference system could not be understood (%(error)s). "
                "Give its EPSG code instead."
            )
            % {"error": error}
        ) from None


def crs_from_srid(srid: int) -> CRS:
    """A CRS from an EPSG code the user gave; integers only, so no user string is ever parsed."""
    if isinstance(srid, bool) or not isinstance(srid, int) or srid <= 0:
        raise IngestError(
            gettext("%(srid)r is not an EPSG code; give a whole number such as 4326 or 32648.") % {"srid": srid}
        )
    try:
        crs = CRS.from_epsg(srid)
    except CRSError:
        raise IngestError(
            gettext("EPSG:%(srid)s is not in the EPSG database; check the code (for example 4326 or 32648).")
            % {"srid": srid}
        ) from None
    if not (crs.is_geographic or crs.is_projected):
        raise IngestError(
            gettext("EPSG:%(srid)s (%(name)s) is not a horizontal coordinate reference system.")
            % {"srid": srid, "name": crs.name}
        )
    return crs


def describe_crs(crs: CRS) -> str:
    """ "EPSG:2964" (or "OGC:CRS84") when pyproj identifies the CRS, else its WKT."""
    authority = crs.to_authority(min_confidence=_IDENTIFY_MIN_CONFIDENCE)
    if authority:
        return f"{authority[0]}:{authority[1]}"
    return crs.to_wkt()


def is_lon_lat_wgs84(crs: CRS) -> bool:
    """True for EPSG:4326 and OGC:CRS84: the same datum, and with always_xy the same axis order."""
    return crs.to_authority() in {("EPSG", "4326"), ("OGC", "CRS84")} or crs.equals(WGS84, ignore_axis_order=True)


def to_wgs84(geometries: np.ndarray, crs: CRS) -> np.ndarray:
    """Reproject 2D geometries to EPSG:4326 (lon, lat), all coordinates in one vectorised call.

    Points PROJ cannot transform come back as infinity; `out_of_range_reasons` rejects them.
    """
    if is_lon_lat_wgs84(crs):
        return geometries

    def reproject(part: np.ndarray) -> np.ndarray:
        transformer = Transformer.from_crs(crs, WGS84, always_xy=True)  # one per thread: not thread-safe

        def transform(coordinates: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(coordinates[:, 0], coordinates[:, 1], errcheck=False)
            return np.column_stack([x, y])

        return shapely.transform(part, transform)

    return in_parallel(reproject, geometries)


def lonlat_boxes(boxes: np.ndarray, crs: CRS) -> np.ndarray:
    """Boxes (xmin, ymin, xmax, ymax) in `crs` as EPSG:4326 boxes around their reprojected corners.

    Cheap next to reprojecting every vertex, and close enough for deciding what is a pixel across.
    """
    if is_lon_lat_wgs84(crs) or not len(boxes):
        return boxes
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    corners_x = boxes[:, [0, 0, 2, 2]].ravel()
    corners_y = boxes[:, [1, 3, 1, 3]].ravel()
    x, y = transformer.transform(corners_x, corners_y, errcheck=False)
    x, y = np.asarray(x).reshape(-1, 4), np.asarray(y).reshape(-1, 4)
    return np.column_stack([x.min(axis=1), y.min(axis=1), x.max(axis=1), y.max(axis=1)])


def on_earth(boxes: np.ndarray) -> np.ndarray:
    """Which lon/lat boxes (xmin, ymin, xmax, ymax) lie within -180..180 and -90..90 (NaN: no)."""
    with np.errstate(invalid="ignore"):
        return (
            (boxes[:, 0] >= -180 - _DEGREE_SLACK)
            & (boxes[:, 2] <= 180 + _DEGREE_SLACK)
            & (boxes[:, 1] >= -90 - _DEGREE_SLACK)
            & (boxes[:, 3] <= 90 + _DEGREE_SLACK)
        )


def out_of_range_reasons(geometries: np.ndarray) -> np.ndarray:
    """Per geometry, why its EPSG:4326 coordinates are impossible (non-finite, |lon|>180, |lat|>90), or None."""
    reasons = np.full(len(geometries), None, dtype=object)
    present = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    bounds = np.full((len(geometries), 4), np.nan)
    bounds[present] = shapely.bounds(geometries[present])
    finite = np.isfinite(bounds).all(axis=1)
    inside = on_earth(bounds)
    # Only the (few) bad features get a Python-level message.
    for position in np.flatnonzero(present & ~(finite & inside)):
        xmin, ymin, xmax, ymax = bounds[position]
        if not finite[position]:
            reasons[position] = "coordinates cannot be placed on Earth in the declared CRS (not finite)"
        else:
            reasons[position] = (
                f"coordinates outside the Earth after reprojection (lon {xmin:.6g}..{xmax:.6g}, "
                f"lat {ymin:.6g}..{ymax:.6g}); is the declared CRS right?"
            )
    return reasons


_GEOD = None


def _geod():
    """The WGS 84 ellipsoid, for areas and distances in metres whatever the latitude."""
    global _GEOD
    if _GEOD is None:
        from pyproj import Geod

        _GEOD = Geod(ellps="WGS84")
    return _GEOD


def geodesic_area_ha(geometry) -> float:
    """Area of a lon/lat (EPSG:4326) polygon or multipolygon (GEOS or shapely) on the ellipsoid, in hectares."""
    if not isinstance(geometry, shapely.Geometry):
        geometry = shapely.from_wkb(bytes(geometry.wkb))
    area_m2, _perimeter = _geod().geometry_area_perimeter(geometry)
    return abs(area_m2) / 10_000


def geodesic_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance between two lon/lat points along the ellipsoid, in metres."""
    _azimuth, _back_azimuth, distance = _geod().inv(lon1, lat1, lon2, lat2)
    return distance


_FROM_WEB_MERCATOR = Transformer.from_crs(3857, 4326, always_xy=True)


def web_mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """A Web Mercator (EPSG:3857) point in longitude and latitude."""
    return _FROM_WEB_MERCATOR.transform(x, y)
