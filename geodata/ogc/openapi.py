"""The OpenAPI 3.0 definition of the OGC API, served at /ogc/api (conformance class oas30)."""

from geodata.ogc.collections import CRS84
from geodata.ogc.core import DEFAULT_LIMIT, GEOJSON, HTML, JSON, MAX_LIMIT

_FORMAT = {
    "name": "f",
    "in": "query",
    "required": False,
    "description": "The format of the answer; without it, the Accept header decides.",
    "schema": {"type": "string", "enum": ["json", "html"]},
}
_COLLECTION_ID = {
    "name": "collectionId",
    "in": "path",
    "required": True,
    "description": "sites, hazards, remediation-areas, or layer-<id> for a published survey layer.",
    "schema": {"type": "string"},
    "examples": {name: {"value": name} for name in ("sites", "hazards", "remediation-areas")},
}
_FEATURE_ID = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
_ITEMS_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {
        "name": "after",
        "in": "query",
        "required": False,
        "description": "Start after the feature with this id (what `next` links use); takes the place of offset.",
        "schema": {"type": "integer", "minimum": 0},
    },
    {
        "name": "bbox",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "minx,miny,maxx,maxy in longitude/latitude (CRS84), or minx,miny,minz,maxx,maxy,maxz; "
        "a minx above maxx crosses the antimeridian.",
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    },
    {
        "name": "bbox-crs",
        "in": "query",
        "required": False,
        "description": "The CRS of bbox; only CRS84 (the default).",
        "schema": {"type": "string", "format": "uri", "enum": [CRS84], "default": CRS84},
    },
    {
        "name": "datetime",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": "An instant or an interval (start/end, open with ..): sites and hazards by when they were "
        "updated, remediation areas by the period of their works (else the planned one). RFC 3339: a date "
        "(2024-01-31, its whole day in UTC) or a date-time with its offset (2024-01-31T08:00:00+07:00).",
        "schema": {"type": "string"},
    },
]
_ERROR = {
    "description": "An error, with an OGC exception code and a description.",
    "content": {
        JSON: {
            "schema": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
            }
        }
    },
}


def _answer(description: str, media_type: str) -> dict:
    return {
        "200": {"description": description, "content": {media_type: {"schema": {"type": "object"}}, HTML: {}}},
        "400": _ERROR,
        # Answered by the web server itself, before the request reaches the service.
        "414": {"description": "The request line is longer than the server takes (about 4 KB)."},
    }


def _operation(operation_id: str, summary: str, parameters: list, answers: dict) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters, "responses": answers}}


def openapi_document(base: str) -> dict:
    not_found = {"404": _ERROR}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Mine-Site & Remediation Registry — OGC API – Features",
            "version": "1.0.0",
            "description": "Mine sites, hazards, remediation areas and published survey layers as OGC API – Features "
            "Part 1. Priority-1 hazards are placed within about 1 km except for officers of their country.",
        },
        "servers": [{"url": base}],
        "paths": {
            "/": _operation("getLandingPage", "Landing page", [_FORMAT], _answer("The landing page", JSON)),
            "/conformance": _operation(
                "getConformanceDeclaration", "Conformance classes", [_FORMAT], _answer("The classes", JSON)
            ),
            "/api": _operation("getAPI", "This API definition", [], _answer("The API definition", JSON)),
            "/collections": _operation(
                "getCollections", "The collections", [_FORMAT], _answer("The collections", JSON)
            ),
            "/collections/{collectionId}": _operation(
                "describeCollection",
                "One collection",
                [_COLLECTION_ID, _FORMAT],
                {**_answer("The collection", JSON), **not_found},
            ),
            "/collections/{collectionId}/items": _operation(
                "getFeatures",
                "Features of a collection, a page at a time",
                [_COLLECTION_ID, *_ITEMS_PARAMETERS, _FORMAT],
                {**_answer("A page of features", GEOJSON), **not_found},
            ),
            "/collections/{collectionId}/items/{featureId}": _operation(
                "getFeature",
                "One feature",
                [_COLLECTION_ID, _FEATURE_ID, _FORMAT],
                {**_answer("The feature", GEOJSON), **not_found},
            ),
        },
    }
