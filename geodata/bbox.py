"""The `bbox` parameter shared by the API, the OGC API and exports: minx,miny,maxx,maxy in longitude/latitude.

Six numbers are a 3D box (minx,miny,minz,maxx,maxy,maxz), as OGC API – Features allows: the heights
are checked and set aside, since every geometry here is 2D. Where the caller allows it, a box whose
west edge lies east of its east edge crosses the antimeridian (bbox=177,65,-177,70).
"""

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

BBox = tuple[float, float, float, float]


def parse_bbox(text: str, *, may_cross_antimeridian: bool = False) -> BBox:
    """Four (or six) numbers in EPSG:4326, inside ±180/±90, min below max; a clear message otherwise."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) not in (4, 6):
        raise ValidationError(
            gettext("bbox needs four numbers minx,miny,maxx,maxy (or six with heights); got %(count)s value(s).")
            % {"count": len(parts)}
        )
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise ValidationError(gettext("bbox values must be numbers, as in bbox=100.5,-10,125,5.")) from None
    if len(numbers) == 6:
        minx, miny, minz, maxx, maxy, maxz = numbers
        if not minz <= maxz:
            raise ValidationError(gettext("bbox: the lowest height must not be above the highest (minz <= maxz)."))
    else:
        minx, miny, maxx, maxy = numbers
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise ValidationError(gettext("bbox is in longitude/latitude: x within ±180 and y within ±90."))
    if miny >= maxy or minx == maxx or (minx > maxx and not may_cross_antimeridian):
        raise ValidationError(gettext("bbox minimum must be smaller than its maximum (minx < maxx, miny < maxy)."))
    return minx, miny, maxx, maxy


def crosses_antimeridian(bbox: BBox) -> bool:
    return bbox[0] > bbox[2]


def bbox_polygon(bbox: BBox) -> Polygon | MultiPolygon:
    """The box as a geometry; one crossing the antimeridian is its two halves, east and west of it."""
    minx, miny, maxx, maxy = bbox
    if crosses_antimeridian(bbox):
        return MultiPolygon(Polygon.from_bbox((minx, miny, 180, maxy)), Polygon.from_bbox((-180, miny, maxx, maxy)))
    return Polygon.from_bbox(bbox)
