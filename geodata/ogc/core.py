"""The documents of OGC API – Features Part 1 as plain dicts: landing page, conformance, collections, items."""

import json
import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from geodata.bbox import bbox_polygon, parse_bbox
from geodata.instants import parse_instant
from geodata.ogc.collections import CRS84, Collection, all_collections

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
# numberMatched is optional: beyond this many matches it is left out rather than counting a million
# rows for every page. Below it clients get the exact number (a bbox or datetime usually narrows to it).
COUNT_LIMIT = 100_000
# Offsets and ids beyond this are no page of ours; the database would refuse them (bigint) with an error.
MAX_POSITION = 10**15
GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
# The query parameters the API definition declares (geodata/ogc/openapi.py): any other is a 400.
FORMAT_PARAMETERS = frozenset({"f"})
ITEMS_PARAMETERS = FORMAT_PARAMETERS | {"limit", "offset", "after", "bbox", "bbox-crs", "datetime"}
# Coordinates are written with 8 decimals (AsGeoJSON's default): extents are widened to the same grid.
COORDINATE_DECIMALS = 8


class OGCError(Exception):
    """An error a client can act on, with the HTTP status and the OGC exception code to answer with."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def document(self) -> dict:
        return {"code": self.code, "description": self.description}


def check_parameters(params, declared: frozenset[str]) -> None:
    unknown = sorted(set(params) - declared)
    if unknown:
        raise OGCError(
            400,
            "InvalidParameterValue",
            f"Unknown query parameter {', '.join(unknown)}; this resource takes {', '.join(sorted(declared))}.",
        )


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def self_and_alternate(url: str, json_type: str, as_html: bool) -> list[dict]:
    """The self link in the format being answered, and the other format as alternate."""
    separator = "&" if "?" in url else "?"
    as_json_link = link(f"{url}{separator}f=json", "self", json_type, "This document as JSON")
    as_html_link = link(f"{url}{separator}f=html", "self", HTML, "This document as HTML")
    if as_html:
        as_json_link["rel"] = "alternate"
        return [as_html_link, as_json_link]
    as_html_link["rel"] = "alternate"
    return [as_json_link, as_html_link]


def landing_page(base: str, as_html: bool = False) -> dict:
    return {
        "title": "Mine-Site & Remediation Registry",
        "description": "Mine sites, hazards, remediation areas and survey layers of the ASEAN states and Timor-Leste, "
        "as OGC API – Features (open it in QGIS or GDAL).",
        "links": [
            *self_and_alternate(base, JSON, as_html),
            link(f"{base}/api", "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            link(f"{base}/collections", "data", JSON, "Collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def collection_document(collection: Collection, base: str, user, as_html: bool = False) -> dict:
    url = f"{base}/collections/{collection.id}"
    box = collection.spatial_extent(user)
    extent = {"spatial": {"bbox": [_widened(box) if box else [-180, -90, 180, 90]], "crs": CRS84}}
    temporal = collection.temporal_extent(user)
    if temporal:
        extent["temporal"] = {"interval": [temporal], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    document = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "keywords": collection.keywords,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "links": [
            *self_and_alternate(url, JSON, as_html),
            link(f"{url}/items?f=json", "items", GEOJSON, "Items as GeoJSON"),
            link(f"{url}/items?f=html", "items", HTML, "Items as HTML"),
        ],
    }
    if collection.license:
        document["license"] = collection.license
    if collection.attribution:
        document["attribution"] = collection.attribution
    return document


def _widened(box: list[float]) -> list[float]:
    """The box on the coordinates' own grid, rounded outwards, so it holds every feature as written."""
    scale = 10**COORDINATE_DECIMALS
    minx, miny, maxx, maxy = box
    return [
        math.floor(minx * scale) / scale,
        math.floor(miny * scale) / scale,
        math.ceil(maxx * scale) / scale,
        math.ceil(maxy * scale) / scale,
    ]


def collections_document(base: str, user, as_html: bool = False) -> dict:
    return {
        "links": self_and_alternate(f"{base}/collections", JSON, as_html),
        "collections": [collection_document(item, base, user) for item in all_collections()],
    }


@dataclass(frozen=True)
class ItemsQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    datetime_range: tuple[datetime | None, datetime | None] | None = None
    # The id of the last feature of the previous page: our `next` links carry it, so a deep page is
    # an index look-up instead of skipping `offset` rows.
    after: int | None = None


def parse_items_query(params) -> ItemsQuery:
    """Check limit, offset, after, bbox and datetime; a clear 400 for anything that does not parse."""
    # A larger limit than we serve is not an error: the page is capped at MAX_LIMIT.
    limit = _whole_number(params.get("limit"), "limit", DEFAULT_LIMIT, minimum=1, maximum=None)
    offset = _whole_number(params.get("offset"), "offset", 0, minimum=0)
    after = _whole_number(params.get("after"), "after", None, minimum=0)
    bbox = None
    if params.get("bbox"):
        crs = params.get("bbox-crs", CRS84)
        if crs != CRS84:
            raise OGCError(400, "InvalidParameterValue", f"bbox-crs: only {CRS84} is supported.")
        try:
            bbox = parse_bbox(params["bbox"], may_cross_antimeridian=True)
        except ValidationError as error:
            raise OGCError(400, "InvalidParameterValue", " ".join(error.messages)) from None
    when = _datetime_range(params["datetime"]) if params.get("datetime") else None
    return ItemsQuery(limit=min(limit, MAX_LIMIT), offset=offset, bbox=bbox, datetime_range=when, after=after)


def _whole_number(
    raw, name: str, default: int | None, *, minimum: int, maximum: int | None = MAX_POSITION
) -> int | None:
    if raw in (None, ""):
        return default
    # isdigit() alone lets through digits such as "²" that int() refuses.
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise OGCError(400, "InvalidParameterValue", f"{name} must be a whole number of at least {minimum}.")
    if maximum is not None and int(raw) > maximum:
        raise OGCError(400, "InvalidParameterValue", f"{name} must be at most {maximum}.")
    return int(raw)


def _instant(text: str, *, end: bool) -> datetime | None:
    if text in ("", ".."):
        return None
    try:
        return parse_instant(text, end=end, name="datetime")
    except ValidationError as error:
        raise OGCError(400, "InvalidParameterValue", " ".join(error.messages)) from None


def _datetime_range(text: str) -> tuple[datetime | None, datetime | None]:
    if "/" in text:
        start_text, end_text = text.split("/", 1)
        start, end = _instant(start_text, end=False), _instant(end_text, end=True)
        if start and end and start > end:
            raise OGCError(400, "InvalidParameterValue", "datetime: the interval ends before it starts.")
        return start, end
    return _instant(text, end=False), _instant(text, end=True)


def _filtered_rows(collection: Collection, user, query: ItemsQuery):
    rows = collection.rows(user)
    if query.bbox:
        if collection.indexed_geometry:
            stored, margin = collection.indexed_geometry
            minx, miny, maxx, maxy = query.bbox
            near = (minx - margin, miny - margin, maxx + margin, maxy + margin)
            rows = rows.filter(**{f"{stored}__bboverlaps": bbox_polygon(near)})
        rows = rows.filter(**{f"{collection.geometry_field}__intersects": bbox_polygon(query.bbox)})
    if query.datetime_range and collection.datetime_field:
        rows = rows.filter(_during(collection, *query.datetime_range))
    return rows.order_by(collection.id_field)


def _during(collection: Collection, start: datetime | None, end: datetime | None) -> Q:
    """Features whose instant, or interval, meets [start, end]; a feature without a time meets none."""
    first = collection.datetime_field
    last = collection.datetime_end_field or first
    when = Q(**{f"{first}__isnull": False})
    if end:
        when &= Q(**{f"{first}__lte": end})
    if start:
        ends_after_start = Q(**{f"{last}__gte": start})
        if collection.datetime_end_field:
            ends_after_start |= Q(**{f"{last}__isnull": True})  # still going on
        when &= ends_after_start
    return when


def _with_geometry(collection: Collection, rows):
    return rows.annotate(geometry_geojson=AsGeoJSON(collection.geometry_field, precision=COORDINATE_DECIMALS))


def feature(collection: Collection, row) -> dict:
    return {
        "type": "Feature",
        "id": getattr(row, collection.id_field),
        "geometry": json.loads(row.geometry_geojson) if row.geometry_geojson else None,
        "properties": collection.properties(row),
    }


def _number_matched(rows, query: ItemsQuery, page: list, has_next: bool) -> int | None:
    """The exact number of matches, or None past COUNT_LIMIT; free when this page is the last one."""
    if not has_next and query.after is None and (page or query.offset == 0):
        return query.offset + len(page)
    # Counting a capped subquery costs at most COUNT_LIMIT index entries, whatever the table's size.
    counted = rows.values("pk")[: COUNT_LIMIT + 1].count()
    return counted if counted <= COUNT_LIMIT else None


def items_document(collection: Collection, base: str, user, params, as_html: bool = False) -> dict:
    query = parse_items_query(params)
    rows = _filtered_rows(collection, user, query)
    if query.after is not None:
        window = rows.filter(**{f"{collection.id_field}__gt": query.after})[: query.limit + 1]
    else:
        window = rows[query.offset : query.offset + query.limit + 1]
    # One row more than the page tells whether there is a next page, without counting.
    fetched = list(_with_geometry(collection, window))
    page, has_next = fetched[: query.limit], len(fetched) > query.limit
    matched = _number_matched(rows, query, page, has_next)
    url = f"{base}/collections/{collection.id}/items"
    kept = {name: value for name, value in params.items() if name not in ("offset", "after", "f")}
    media, other_media = (HTML, GEOJSON) if as_html else (GEOJSON, HTML)

    def page_url(offset: int, media_type: str = media, after=None) -> str:
        position = {"offset": offset} if after is None else {"after": after, "offset": offset}
        return f"{url}?{urlencode({**kept, **position, 'f': 'html' if media_type == HTML else 'json'})}"

    links = [
        link(page_url(query.offset, after=query.after), "self", media, "This page"),
        link(
            page_url(query.offset, other_media, query.after), "alternate", other_media, "This page in the other format"
        ),
    ]
    if has_next:
        last_id = getattr(page[-1], collection.id_field)
        links.append(link(page_url(query.offset + query.limit, after=last_id), "next", media, "Next page"))
    if query.offset > 0:
        links.append(link(page_url(max(query.offset - query.limit, 0)), "prev", media, "Previous page"))
    links.append(link(f"{base}/collections/{collection.id}", "collection", JSON, collection.title))
    document = {
        "type": "FeatureCollection",
        "features": [feature(collection, row) for row in page],
        "links": links,
        "numberReturned": len(page),
        "timeStamp": timezone.now().isoformat(timespec="seconds"),
    }
    if matched is not None:
        document["numberMatched"] = matched
    return document


def item_document(collection: Collection, base: str, user, feature_id: str, as_html: bool = False) -> dict:
    if not (feature_id.isascii() and feature_id.isdigit()):
        raise OGCError(404, "NotFound", f"No feature {feature_id!r} in collection {collection.id}.")
    rows = _filtered_rows(collection, user, ItemsQuery()).filter(**{collection.id_field: int(feature_id)})
    row = _with_geometry(collection, rows).first()
    if row is None:
        raise OGCError(404, "NotFound", f"No feature {feature_id} in collection {collection.id}.")
    url = f"{base}/collections/{collection.id}/items/{feature_id}"
    document = feature(collection, row)
    document["links"] = [
        *self_and_alternate(url, GEOJSON, as_html),
        link(f"{base}/collections/{collection.id}", "collection", JSON, collection.title),
    ]
    return document
