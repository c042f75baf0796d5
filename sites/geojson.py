"""Sites as GeoJSON features written by PostgreSQL, the same text as the API's SiteSerializer writes.

A page of the sites API is up to a thousand features; building each one field by field in Python
took most of the page's time (bench/maps.py). `API_FIELDS` are the fields of both, in order, and
tests/api/test_sites_geojson.py holds the two to the same bytes.
"""

from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

from geodata.sql_json import JsonInstant, JsonPoint, JsonValue, geojson_feature
from sites.tenure import TENURE_FIELDS

# The sites API's fields, in order: SiteSerializer's and the SQL-written features' alike.
API_FIELDS = (
    "id",
    "name",
    "alternative_names",
    "country",
    "admin_area",
    "admin_area_override_reason",
    "status",
    "mine_type",
    "commodities",
    "location",
    "operator",
    "opened_year",
    "closed_year",
    "source_record_id",
    "source_status",
    "source_url",
    "data_source",
    "license",
    "quality_flags",
    *TENURE_FIELDS,
    "is_published",
    "created_at",
    "updated_at",
)
# How a property is written where it is not the column of its name as it is.
_PROPERTY_EXPRESSIONS = {
    "data_source": lambda: JsonValue(F("data_source__name")),
    "license": lambda: JsonValue(Coalesce(F("data_source__license"), Value(""))),
    "created_at": lambda: JsonInstant(F("created_at")),
    "updated_at": lambda: JsonInstant(F("updated_at")),
    # DRF writes decimals as strings with their places ("1500000.00"), as numeric's text is.
    "assurance_amount": lambda: JsonValue(Cast(F("assurance_amount"), TextField())),
}


def site_feature():
    """One site as a GeoJSON Feature's JSON text; its source's name and licence through a left join."""
    properties = {
        name: _PROPERTY_EXPRESSIONS.get(name, lambda name=name: JsonValue(F(name)))()
        for name in API_FIELDS
        if name not in ("id", "location")
    }
    return geojson_feature(feature_id=JsonValue(F("id")), geometry=JsonPoint(F("location")), properties=properties)


def site_features(sites: QuerySet, *, keys: list[str]) -> QuerySet:
    """`sites` (already filtered and narrowed to what the reader may see) as rows of `keys` and their "feature" text."""
    return sites.values(*keys, feature=site_feature())
