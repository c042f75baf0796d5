"""Per-feature geometry checks: parse, drop Z/M, repair after reprojection, reject the unusable.

Every check works on whole arrays; a `reasons` array (None = good) carries each rejected
feature's reason through the stages, so the report can name the feature and why. Repair runs
after reprojection because repairing in the source CRS can leave polygons invalid in EPSG:4326.
"""

import functools
import re

import numpy as np
import shapely
from django.utils.translation import gettext
from shapely.errors import GEOSException

from geodata.parallel import in_parallel

# GEOS type ids we store (PostGIS takes all of them in a generic geometry column).
_SUPPORTED_TYPE_IDS = {0, 1, 3, 4, 5, 6, 7}
_SURFACE_WKB_TYPES = {"15", "16", "17"}  # PolyhedralSurface, TIN, Triangle: what a MultiPatch becomes
_CURVE_WKB_TYPES = {"8", "9", "10", "11", "12", "13", "14"}
# make_valid is costly per geometry, so even a few hundred repairs are worth splitting across threads.
_MIN_PARALLEL_REPAIRS = 200
_POLYGONAL_TYPE_IDS = (3, 6)  # Polygon, MultiPolygon
_MULTI_OF_DIMENSION = {0: shapely.multipoints, 1: shapely.multilinestrings, 2: shapely.multipolygons}


def new_reasons(count: int) -> np.ndarray:
    return np.full(count, None, dtype=object)


def parse_wkb(wkb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shapely geometries from WKB, and per feature why it is missing or cannot be read."""
    geometries = shapely.from_wkb(wkb, on_invalid="ignore")
    reasons = new_reasons(len(wkb))
    is_null = np.asarray(wkb == None, dtype=bool)  # noqa: E711 - elementwise on an object array
    reasons[is_null] = gettext("no geometry (null)")
    for position in np.flatnonzero(~is_null & shapely.is_missing(geometries)):
        reasons[position] = _parse_failure_reason(wkb[position])
    return geometries, reasons


def _parse_failure_reason(wkb: bytes) -> str:
    try:
        shapely.from_wkb(wkb, on_invalid="raise")
    except (GEOSException, ValueError) as error:
        message = str(error)
    else:  # pragma: no cover - parsing failed in bulk, so it fails here too
        message = gettext("unknown parse error")
    wkb_type = re.search(r"Unknown WKB type (\d+)", message)
    if wkb_type and wkb_type.group(1) in _SURFACE_WKB_TYPES:
        return gettext("unsupported geometry type MultiPatch/TIN (3D surface); export it as polygons")
    if wkb_type and wkb_type.group(1) in _CURVE_WKB_TYPES:
        return gettext("unsupported curved geometry; convert curves to lines or polygons")
    if "number of points" in message or "must contain 0 or >1" in message:
        return gettext("too few points: %(detail)s") % {"detail": message}
    return gettext("unreadable geometry: %(detail)s") % {"detail": message}


def reject_unusable(geometries: np.ndarray, reasons: np.ndarray) -> None:
    """Mark empty geometries and types we cannot store, in place."""
    pending = reasons == None  # noqa: E711 - elementwise comparison on an object array
    empty = pending & shapely.is_empty(geometries)
    reasons[empty] = gettext("empty geometry")
    type_ids = shapely.get_type_id(geometries)
    unsupported = pending & ~empty & ~np.isin(type_ids, list(_SUPPORTED_TYPE_IDS))
    for position in np.flatnonzero(unsupported):
        reasons[position] = gettext("unsupported geometry type %(type)s") % {"type": geometries[position].geom_type}


def drop_z(geometries: np.ndarray) -> tuple[np.ndarray, int]:
    """2D copies of the geometries and how many had Z values (heights are not stored)."""
    with_z = int(np.count_nonzero(shapely.has_z(geometries)))
    if not with_z:
        return geometries, 0
    return shapely.force_2d(geometries), with_z


def repair(geometries: np.ndarray, reasons: np.ndarray) -> tuple[np.ndarray, int]:
    """make_valid the invalid geometries still pending, keeping each one's dimension; mark failures in place.

    A repaired polygon stays polygonal: make_valid may return a GeometryCollection with stray
    lines or points, and only the parts of the original dimension are kept.
    """
    pending = reasons == None  # noqa: E711
    invalid = pending & ~in_parallel(shapely.is_valid, geometries)
    positions = np.flatnonzero(invalid)
    if not len(positions):
        return geometries, 0
    geometries = geometries.copy()
    originals = geometries[positions]
    validity = shapely.is_valid_reason(originals)
    repaired = in_parallel(_made_valid, originals, min_size=_MIN_PARALLEL_REPAIRS)
    dimensions = shapely.get_dimensions(originals)
    for offset, position in enumerate(positions):
        kept = _keep_dimension(repaired[offset], originals[offset], int(dimensions[offset]))
        if kept is None or kept.is_empty or not kept.is_valid:
            reasons[position] = gettext("invalid geometry that could not be repaired (%(reason)s)") % {
                "reason": validity[offset]
            }
        else:
            geometries[position] = kept
    repaired_count = int(np.count_nonzero(reasons[positions] == None))  # noqa: E711
    return geometries, repaired_count


def _made_valid(geometries: np.ndarray) -> np.ndarray:
    """make_valid: polygons by their structure (shells minus holes; what was an area stays one, and it is
    many times faster than tracing every line), other geometries by their linework."""
    polygonal = np.isin(shapely.get_type_id(geometries), _POLYGONAL_TYPE_IDS)
    repaired = np.empty(len(geometries), dtype=object)
    repaired[polygonal] = shapely.make_valid(geometries[polygonal], method="structure", keep_collapsed=False)
    repaired[~polygonal] = shapely.make_valid(geometries[~polygonal])
    return repaired


def _keep_dimension(repaired, original, dimension: int):
    if original.geom_type == "GeometryCollection" or repaired.geom_type != "GeometryCollection":
        if shapely.get_dimensions(repaired) == dimension or original.geom_type == "GeometryCollection":
            return repaired
        return None
    parts = shapely.get_parts(repaired)
    parts = shapely.get_parts(parts[shapely.get_dimensions(parts) == dimension])  # flatten nested multis
    if not len(parts):
        return None
    if len(parts) == 1:
        return parts[0]
    return _MULTI_OF_DIMENSION[dimension](parts)


def type_counts(geometries: np.ndarray) -> dict[str, int]:
    """How many geometries of each type, e.g. {"MultiPolygon": 8, "Polygon": 655}."""
    names, counts = np.unique(shapely.get_type_id(geometries), return_counts=True)
    type_names = {
        0: "Point",
        1: "LineString",
        2: "LinearRing",
        3: "Polygon",
        4: "MultiPoint",
        5: "MultiLineString",
        6: "MultiPolygon",
        7: "GeometryCollection",
    }
    return {type_names[int(type_id)]: int(count) for type_id, count in zip(names, counts, strict=True)}


# --- One geometry as a person types or sends it (a form field, an API body) ---------------------------

_PROMOTIONS = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


class GeometryProblem(ValueError):
    """Why a typed or sent geometry cannot be stored, in words for the person who sent it."""


def checked_lonlat_geometry(geometry, *, allowed_types: tuple[str, ...]):
    """The geometry ready to store in an EPSG:4326 column, or GeometryProblem with the reason.

    It must be of an allowed type (a single part is promoted when only its multi type is allowed),
    have finite coordinates within longitude -180..180 and latitude -90..90, and be valid: an
    invalid one is repaired with make_valid when the repair keeps its type, and refused otherwise.
    `geometry` is a GEOS geometry (django.contrib.gis.geos); a new one is returned.
    """
    from django.contrib.gis.geos import GEOSGeometry

    if geometry.srid not in (None, 4326):
        raise GeometryProblem(gettext("Give the coordinates in longitude/latitude (WGS 84, EPSG:4326)."))
    if geometry.empty:
        raise GeometryProblem(gettext("The geometry is empty."))
    shape = shapely.from_wkb(bytes(geometry.wkb))
    geom_type = shape.geom_type
    if geom_type not in allowed_types and _PROMOTIONS.get(geom_type) in allowed_types:
        geom_type = _PROMOTIONS[geom_type]
    if geom_type not in allowed_types:
        accepted = [single for single, multi in _PROMOTIONS.items() if multi in allowed_types]
        accepted += [name for name in allowed_types if name not in accepted]
        choices = functools.reduce(
            lambda first, then: gettext("%(first)s or a %(then)s") % {"first": first, "then": then}, accepted
        )
        raise GeometryProblem(
            gettext("A %(type)s cannot be used here; give a %(accepted)s.")
            % {"type": shape.geom_type, "accepted": choices}
        )
    if shapely.has_z(shape):
        shape = shapely.force_2d(shape)
    coordinates = shapely.get_coordinates(shape)
    if not np.isfinite(coordinates).all():
        raise GeometryProblem(gettext("Coordinates must be finite numbers."))
    longitudes, latitudes = coordinates[:, 0], coordinates[:, 1]
    if not ((-180 <= longitudes) & (longitudes <= 180) & (-90 <= latitudes) & (latitudes <= 90)).all():
        raise GeometryProblem(
            gettext(
                "Coordinates must be longitude (-180..180) then latitude (-90..90) in degrees, "
                "not metres or another CRS."
            )
        )
    if not shape.is_valid:
        reason = shapely.is_valid_reason(shape)
        repaired = _keep_dimension(shapely.make_valid(shape), shape, shapely.get_dimensions(shape))
        if repaired is not None and repaired.geom_type not in allowed_types:
            if _PROMOTIONS.get(repaired.geom_type) == geom_type:
                repaired = _MULTI_OF_DIMENSION[shapely.get_dimensions(repaired)]([repaired])
        if repaired is None or repaired.is_empty or not repaired.is_valid or repaired.geom_type != geom_type:
            if repaired is None:
                raise GeometryProblem(gettext("The shape is not valid (%(reason)s).") % {"reason": reason})
            raise GeometryProblem(
                gettext("The shape is not valid (%(reason)s); repairing it would make a %(type)s.")
                % {"reason": reason, "type": repaired.geom_type}
            )
        shape = repaired
    if shape.geom_type != geom_type:
        shape = _MULTI_OF_DIMENSION[shapely.get_dimensions(shape)]([shape])
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=4326)
