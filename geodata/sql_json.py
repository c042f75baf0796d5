"""JSON text written by PostgreSQL byte for byte as the API's renderer writes it, so a page's features are built in SQL.

DRF's renderer writes compact JSON (no spaces), non-ASCII characters as they are, floats in
Python's shortest round-trip form (`110.0`, `106.85123456789012`) and datetimes in ISO 8601 in UTC
with a `Z`. Serialising a page of a thousand features field by field in Python costs far more than
reading them; these expressions make the database write the same text in the query that reads the
rows. Each one is a Django expression yielding `text` that is already valid JSON, so they compose
with the queryset's filters, joins and keyset ordering; `JsonObject` puts them together in order.

PostgreSQL escapes strings as Python's `json` does (the same seven short escapes, other control
characters as lower-case `\\u00xx`, everything else as is); the renderer's final escaping of U+2028
and U+2029 is left to whoever joins the texts into a body (`geodata.rest`). Floats rely on
`extra_float_digits` > 0 (PostgreSQL's default since 12), which writes the shortest exact form.
"""

import json

from django.db.models import Expression, Func, TextField, Value


class JsonText(Func):
    """An expression whose value is JSON text."""

    output_field = TextField()


def json_literal(value) -> Value:
    """A constant (a key's text, "Feature") as the renderer writes it."""
    return Value(json.dumps(value, ensure_ascii=False, separators=(",", ":")), output_field=TextField())


class JsonValue(JsonText):
    """A column as JSON: strings, numbers, booleans and arrays of them; NULL as null."""

    template = "coalesce(to_json(%(expressions)s)::text, 'null')"


class JsonInstant(JsonText):
    """A timestamp with time zone as DRF's DateTimeField writes it in UTC: microseconds only when not zero, then Z."""

    template = (
        "coalesce('\"' || regexp_replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.000000$', '') || 'Z\"', 'null')"
    )


# float8's text with ".0" added to whole numbers, as Python's repr writes them (110.0, -0.0).
_FLOAT = "regexp_replace(({})::text, '^(-?[0-9]+)$', '\\1.0')"


class JsonPoint(JsonText):
    """A point geometry as GeoJSON with its coordinates at full precision, as the API's GeometryField writes it.

    Only for point columns (other geometries go through GDAL in the serializers, whose number
    formatting PostGIS does not reproduce).
    """

    def as_sql(self, compiler, connection, **extra_context):
        point, params = compiler.compile(self.source_expressions[0])
        x, y = _FLOAT.format(f"ST_X({point})"), _FLOAT.format(f"ST_Y({point})")
        sql = f"""coalesce('{{"type":"Point","coordinates":[' || {x} || ',' || {y} || ']}}', 'null')"""
        return sql, [*params, *params]


class JsonObject(JsonText):
    """{"key":value,...} with the members in the order given; each value is a JSON text expression."""

    arg_joiner = " || "
    template = "(%(expressions)s)"

    def __init__(self, members: dict[str, Expression]):
        parts = []
        for position, (key, value) in enumerate(members.items()):
            parts += [Value(("," if position else "{") + json_literal(key).value + ":"), value]
        parts.append(Value("}" if members else "{}"))
        super().__init__(*parts)


def geojson_feature(*, feature_id: Expression, geometry: Expression, properties: dict[str, Expression]) -> JsonObject:
    """A GeoJSON Feature with its members in djangorestframework-gis's order: id, type, geometry, properties."""
    return JsonObject(
        {
            "id": feature_id,
            "type": json_literal("Feature"),
            "geometry": geometry,
            "properties": JsonObject(properties),
        }
    )
