"""The `bbox=minx,miny,maxx,maxy` parameter shared by the API, the OGC API and exports."""

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError

BBox = tuple[float, float, float, float]


def parse_bbox(text: str) -> BBox:
    """Four numbers in EPSG:4326, min before max, inside ±180/±90; a clear message otherwise."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4:
        raise ValidationError(f"bbox needs four numbers minx,miny,maxx,maxy; got {len(parts)} value(s).")
    try:
        minx, miny, maxx, maxy = (float(part) for part in parts)
    except ValueError:
        raise ValidationError("bbox values must be numbers, as in bbox=100.5,-10,125,5.") from None
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise ValidationError("bbox is in longitude/latitude: x within ±180 and y within ±90.")
    if minx >= maxx or miny >= maxy:
        raise ValidationError("bbox minimum must be smaller than its maximum (minx < maxx, miny < maxy).")
    return minx, miny, maxx, maxy


def bbox_polygon(bbox: BBox) -> Polygon:
    return Polygon.from_bbox(bbox)
