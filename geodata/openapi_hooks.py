"""Post-processing of the REST API's OpenAPI document, so it describes what the API really answers.

Registered in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: every operation documents the errors the
one error handler (geodata.rest) writes, and geometries of any type are described as GeoJSON allows.
"""

from copy import deepcopy

ERROR_ANSWERS = {
    "400": "The request is not valid: `error` says why, `fields` per parameter or field.",
    "401": "Credentials were needed (a session or an API token) and not given.",
    "403": "The credentials given do not allow this.",
    "404": "No such record, or not one this reader may see.",
    "414": "The request line is longer than the server takes (about 4 KB): ask with fewer or shorter values.",
    "415": "The body's media type is not one this operation takes (records are sent as JSON).",
    "429": "Too many requests: wait and try again (see the Retry-After header).",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in words meant for a person."},
        "fields": {
            "type": "object",
            "description": "Messages per parameter or field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _position(depth: int) -> dict:
    schema: dict = {"type": "number"}
    for _ in range(depth):
        schema = {"type": "array", "items": schema}
    return schema


def _geometry(name: str, depth: int) -> dict:
    return {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {"type": {"type": "string", "enum": [name]}, "coordinates": _position(depth)},
    }


GEOMETRY_SCHEMA = {
    "oneOf": [
        _geometry("Point", 1),
        _geometry("LineString", 2),
        _geometry("Polygon", 3),
        _geometry("MultiPoint", 2),
        _geometry("MultiLineString", 3),
        _geometry("MultiPolygon", 4),
    ]
}


def document_errors(result, generator, request, public):
    """Every operation may answer the errors of the API's one error handler; say so, with their body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            answers = operation.setdefault("responses", {})
            for code, description in ERROR_ANSWERS.items():
                answers.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result


def complete_geometries(result, generator, request, public):
    """A geometry field of any type may hold multi-geometries too: describe all six GeoJSON types."""

    def visit(node):
        if isinstance(node, dict):
            if _is_partial_geometry_choice(node):
                node.clear()
                node.update(deepcopy(GEOMETRY_SCHEMA))
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result)
    return result


def _is_partial_geometry_choice(node: dict) -> bool:
    choices = node.get("oneOf")
    if not isinstance(choices, list) or not choices:
        return False
    types = [choice.get("properties", {}).get("type", {}).get("enum") for choice in choices if isinstance(choice, dict)]
    return ["Point"] in types and ["MultiPolygon"] not in types
